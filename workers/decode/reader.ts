/**
 * Reads one record body (no wire header) written with one writer schema into a PackableEvent, bounds
 * checked before anything is allocated, and validated. One reader per writer schema and thread.
 */
import avro, { type Resolver, type Schema, type Type } from 'avsc';
import type { InferenceEvent } from '../../src/contracts/records.js';
import type { ErrorCode } from '../../src/errors.js';
import { loadSchema } from '../../src/contracts/schemas.js';
import { compileGuard, type BodyGuard, type GuardLimits } from '../../src/pipeline/decode/guard.js';
import { validateEvent } from '../../src/pipeline/decode/validate.js';
import type { PackableEvent } from './groups.js';

export interface ReaderLimits extends GuardLimits {
  readonly maxFutureSkewMs: number;
  readonly maxIdLength: number;
  /** Most rows × feature columns in one packed matrix. */
  readonly maxBatchCells: number;
}

export type ReadOutcome = { readonly ok: true; readonly event: PackableEvent } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const STATUS: Readonly<Record<string, number>> = { OK: 0, ERROR: 1, TIMEOUT: 2, FALLBACK: 3 };
let readerType: Type | undefined;

function parseWriter(text: string): Type {
  const json = JSON.parse(text) as Schema;
  try {
    return avro.Type.forSchema(json, { wrapUnions: false });
  } catch {
    // Unwrapped unions cannot hold two branches of one kind; the writer is only read through a resolver.
    return avro.Type.forSchema(json, { wrapUnions: true });
  }
}

export class RecordReader {
  readonly #guard: BodyGuard | undefined;
  readonly #resolver: Resolver | undefined;
  readonly #reader: Type;
  readonly #limits: ReaderLimits;
  readonly #broken: string | undefined;

  constructor(writerText: string, limits: ReaderLimits) {
    this.#limits = limits;
    readerType ??= avro.Type.forSchema(loadSchema('InferenceEvent') as Schema, { wrapUnions: false });
    this.#reader = readerType;
    let guard: BodyGuard | undefined;
    let resolver: Resolver | undefined;
    let broken: string | undefined;
    try {
      const writer = parseWriter(writerText);
      guard = compileGuard(writer, limits);
      resolver = writer.equals(readerType) ? undefined : readerType.createResolver(writer);
    } catch (error) {
      broken = error instanceof Error ? error.message : String(error);
    }
    this.#guard = guard;
    this.#resolver = resolver;
    this.#broken = broken;
  }

  read(bytes: Uint8Array, start: number, end: number, nowMs: number): ReadOutcome {
    if (this.#broken !== undefined || this.#guard === undefined) {
      return { ok: false, code: 'VIGIL_DECODE_SCHEMA_MISMATCH', message: `the writer schema cannot be read as an InferenceEvent: ${this.#broken ?? 'no guard'}` };
    }
    try {
      this.#guard.check(bytes, start, end);
    } catch (error) {
      const code = (error as { code?: ErrorCode }).code ?? 'VIGIL_DECODE_MALFORMED';
      return { ok: false, code, message: error instanceof Error ? error.message : String(error) };
    }
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.#reader.decode(buf.subarray(0, end), start, this.#resolver);
    } catch (error) {
      return { ok: false, code: 'VIGIL_DECODE_SCHEMA_MISMATCH', message: `the writer's value cannot be read as an InferenceEvent: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (decoded.offset !== end) return { ok: false, code: decoded.offset < 0 ? 'VIGIL_DECODE_TRUNCATED' : 'VIGIL_DECODE_TRAILING', message: `avsc stopped at byte ${decoded.offset} of ${end}` };
    const event = decoded.value as InferenceEvent;
    const invalid = validateEvent(event, nowMs, this.#limits);
    if (invalid) return { ok: false, code: invalid.code, message: invalid.message };
    const keys = Object.keys(event.features);
    return {
      ok: true,
      event: {
        eventId: event.eventId,
        timestamp: event.timestamp,
        modelId: event.modelId,
        modelVersion: event.modelVersion,
        featureCount: keys.length,
        featureKeys: keys,
        featureValues: keys.map((k) => event.features[k]!),
        score: event.score ?? Number.NaN,
        latencyMs: event.latencyMs,
        status: STATUS[event.status] ?? 0,
      },
    };
  }
}
