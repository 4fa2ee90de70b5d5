/**
 * Shared fixtures for the decode-stage tests: encoded events, a fake schema lookup, hand-written Avro
 * bytes for hostile records, and a seeded PRNG.
 */
import { VigilError } from '../../../../src/errors.js';
import type { InferenceEvent } from '../../../../src/contracts/records.js';
import { avroType, schemaSource } from '../../../../src/contracts/schemas.js';
import { frameWire } from '../../../../src/pipeline/decode/index.js';
import type { InputRecord, SchemaLookup } from '../../../../src/pipeline/decode/index.js';
import { DecodeStage } from '../../../reference/decode/stage.js';
import type { DecodeStageOptions } from '../../../reference/decode/stage.js';
import { INFERENCE_EVENT, LLM_INFERENCE_EVENT } from '../../../fixtures/samples.js';
import { mulberry32 } from '../../../../src/demo/random.js';

/** The injected clock: half an hour after the samples' timestamps. */
export const NOW = Date.UTC(2025, 2, 14, 10, 0, 0);
/** Schema id under which the reader schema itself is registered. */
export const EVENT_ID = 7;
export const EVENT_TYPE = avroType('InferenceEvent');

export { INFERENCE_EVENT, LLM_INFERENCE_EVENT };

let counter = 0;

/** A valid event with a fresh eventId unless one is given. */
export function makeEvent(overrides: Partial<InferenceEvent> = {}): InferenceEvent {
  counter++;
  return { ...INFERENCE_EVENT, eventId: `evt-${counter}`, ...overrides };
}

/** An event with `n` numeric features named f0..f(n-1). */
export function wideEvent(n: number, overrides: Partial<InferenceEvent> = {}): InferenceEvent {
  const features: Record<string, number> = {};
  for (let i = 0; i < n; i++) features[`f${i}`] = i + 0.5;
  return makeEvent({ features, ...overrides });
}

export function encode(event: InferenceEvent, schemaId = EVENT_ID): Buffer {
  return frameWire(schemaId, EVENT_TYPE.toBuffer(event));
}

export function rec(value: Buffer | null, offset: number, partition = 0, topic = 'vigil.inference'): InputRecord {
  return { key: null, value, topic, partition, offset: String(offset) };
}

/** A lookup over a fixed table; records every id asked for. */
export class FakeLookup implements SchemaLookup {
  readonly calls: number[] = [];
  readonly schemas = new Map<number, string>([[EVENT_ID, schemaSource('InferenceEvent')]]);
  /** When set, every lookup of an id not in `schemas` fails with it instead of "unknown". */
  outage: VigilError | undefined;

  schemaFor(id: number): Promise<string> {
    this.calls.push(id);
    const text = this.schemas.get(id);
    if (text !== undefined) return Promise.resolve(text);
    if (this.outage !== undefined) return Promise.reject(this.outage);
    return Promise.reject(new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is unknown to the registry`));
  }
}

export function makeStage(options: Partial<DecodeStageOptions> = {}): { stage: DecodeStage; lookup: FakeLookup } {
  const lookup = options.lookup instanceof FakeLookup ? options.lookup : new FakeLookup();
  const stage = new DecodeStage({ now: () => NOW, ...options, lookup });
  return { stage, lookup };
}

// ---------------------------------------------------------------------------------------------------
// Hand-written Avro, for bytes no well-behaved encoder produces
// ---------------------------------------------------------------------------------------------------

/** Zig-zag varint of any 64-bit value. */
export function varint(value: number | bigint): number[] {
  const n = BigInt(value);
  let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const out: number[] = [];
  do {
    let byte = Number(z & 0x7fn);
    z >>= 7n;
    if (z !== 0n) byte |= 0x80;
    out.push(byte);
  } while (z !== 0n);
  return out;
}

export function avroString(s: string): number[] {
  const bytes = Buffer.from(s, 'utf8');
  return [...varint(bytes.length), ...bytes];
}

/** The bytes of InferenceEvent up to (not including) `features`: ids, timestamp, null endpoint, principal. */
export function headFields(ts = INFERENCE_EVENT.timestamp): number[] {
  return [...avroString('e-1'), ...varint(ts), ...avroString('m'), ...avroString('v'), 0, ...avroString('p')];
}

/** Byte offset in an encoded event (wire header included) at which `endpoint`'s union index sits. */
export function endpointOffset(event: InferenceEvent): number {
  return 5 + avroString(event.eventId).length + varint(event.timestamp).length + avroString(event.modelId).length + avroString(event.modelVersion).length;
}

export function wire(bytes: number[], schemaId = EVENT_ID): Buffer {
  return frameWire(schemaId, Uint8Array.from(bytes));
}

// ---------------------------------------------------------------------------------------------------
// Determinism helpers
// ---------------------------------------------------------------------------------------------------

export { mulberry32 };

/**
 * Heap growth in bytes across `fn`. GC is not exposed under vitest, so this is an upper bound on what
 * `fn` kept plus garbage not yet collected: fine for "less than a few MB" against gigabyte claims.
 */
export async function heapGrowth(fn: () => unknown): Promise<number> {
  const before = process.memoryUsage().heapUsed;
  await fn();
  return process.memoryUsage().heapUsed - before;
}

export const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// The seeded mutation corpus (shared by the fuzz tests of both decoders)
// ---------------------------------------------------------------------------------------------------

type Rng = () => number;

/** A uniform integer in [0, below). */
export function int(rng: Rng, below: number): number {
  return Math.floor(rng() * below);
}

/** One random mutation (or two stacked) of `value`. */
export function mutate(value: Buffer, rng: Rng): Buffer {
  const kind = int(rng, 7);
  const at = int(rng, value.length);
  switch (kind) {
    case 0: {
      const out = Buffer.from(value);
      const flips = 1 + int(rng, 8);
      for (let i = 0; i < flips; i++) {
        const pos = int(rng, out.length);
        out[pos] = out[pos]! ^ (1 << int(rng, 8));
      }
      return out;
    }
    case 1:
      return value.subarray(0, at);
    case 2: {
      const junk = Buffer.from(Array.from({ length: 1 + int(rng, 16) }, () => int(rng, 256)));
      return Buffer.concat([value.subarray(0, at), junk, value.subarray(at)]);
    }
    case 3: {
      // A hostile length or count: a large varint written over whatever was there.
      const big = Buffer.from(varint(2n ** BigInt(10 + int(rng, 53))));
      return Buffer.concat([value.subarray(0, at), big, value.subarray(at + big.length)]);
    }
    case 4:
      return Buffer.concat([value.subarray(0, at), value.subarray(Math.min(value.length, at + 1 + int(rng, 12)))]);
    case 5: {
      const to = Math.min(value.length, at + 1 + int(rng, 24));
      return Buffer.concat([value.subarray(0, to), value.subarray(at, to), value.subarray(to)]);
    }
    default:
      return mutate(mutate(value, rng), rng);
  }
}

export function originals(): Buffer[] {
  return [encode(INFERENCE_EVENT), encode(LLM_INFERENCE_EVENT), encode(wideEvent(32)), encode(wideEvent(3, { embedding: null, llm: null }))];
}
