/**
 * Shared fixtures for the fast decoder's tests: seeded random InferenceEvents, the current path
 * (guard + avsc + validateEvent) as the reference, and a field-by-field comparison.
 */
import { expect } from 'vitest';
import avro from 'avsc';
import type { Resolver, Schema, Type } from 'avsc';
import { isVigilError } from '../../../../src/errors.js';
import type { ErrorCode } from '../../../../src/errors.js';
import { INFERENCE_STATUS_SYMBOLS } from '../../../../src/contracts/records.js';
import type { InferenceEvent, LlmTrace } from '../../../../src/contracts/records.js';
import { compileGuard } from '../../../reference/decode/guard.js';
import type { BodyGuard, GuardLimits } from '../../../reference/decode/guard.js';
import { DEFAULT_VALIDATION, validateEvent } from '../../../reference/decode/validate.js';
import { FastEvent, toInferenceEvent } from '../../../../workers/decode/fast.js';
import type { FastDecoder } from '../../../../workers/decode/fast.js';
import { DEFAULT_FAST_VALIDATION, validateFast } from '../../../../workers/decode/validate.js';
import type { DecodeBatchTask } from '../../../../workers/decode/batch.js';
import { DEFAULT_FAST_LIMITS } from '../../../../workers/decode/fast.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { EVENT_ID, EVENT_TYPE, NOW } from '../../pipeline/decode/helpers.js';

export { EVENT_TYPE, NOW };
export { MiB, avroString, headFields, heapGrowth, mulberry32, varint } from '../../pipeline/decode/helpers.js';

export type Rng = () => number;

export function int(rng: Rng, below: number): number {
  return Math.floor(rng() * below);
}

export function typeOf(schema: unknown): Type {
  return avro.Type.forSchema(schema as Schema, { wrapUnions: false });
}

// ---------------------------------------------------------------------------------------------------
// Random values
// ---------------------------------------------------------------------------------------------------

/** Code point pools: ASCII, Latin-1, Greek, Cyrillic, CJK, astral (surrogate pairs), separators. */
const POOLS: readonly string[][] = [
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'],
  [...'0123456789'],
  [...'äöüéèçñßÅØ'],
  [...'αβγδεζηθλμπΩ'],
  [...'жзийклмнЯЮ'],
  [...'日本語漢字中文한국어'],
  [...'😀🚀👍🏽🧪𝔘𝔫𝔦'],
  [...' _-./:@#'],
];

export function randomString(rng: Rng, maxLength: number): string {
  const length = int(rng, maxLength + 1);
  const pools = [POOLS[int(rng, POOLS.length)]!, POOLS[int(rng, POOLS.length)]!];
  let out = '';
  for (let i = 0; i < length; i++) {
    const pool = pools[int(rng, 2)]!;
    out += pool[int(rng, pool.length)]!;
  }
  return out;
}

/** A non-empty key; sometimes an array-index-like one ("17"), sometimes longer than the cache keeps. */
export function randomKey(rng: Rng): string {
  const r = rng();
  if (r < 0.08) return String(int(rng, 1000));
  if (r < 0.1) return `long-${'x'.repeat(250 + int(rng, 20))}-${int(rng, 1e6)}`;
  let key = randomString(rng, 24);
  if (key.length === 0) key = 'k';
  return key === '__proto__' ? 'proto' : key;
}

export function randomDouble(rng: Rng): number {
  const r = rng();
  if (r < 0.02) return Number.NaN;
  if (r < 0.03) return rng() < 0.5 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (r < 0.05) return -0;
  if (r < 0.15) return int(rng, 2000) - 1000;
  if (r < 0.2) return (rng() - 0.5) * 1e300;
  if (r < 0.25) return (rng() - 0.5) * 1e-300;
  return (rng() - 0.5) * 10 ** int(rng, 12);
}

/** Values that survive a float32 round trip unchanged. */
export function randomFloat(rng: Rng): number {
  return Math.fround(randomDouble(rng));
}

function randomMap<T>(rng: Rng, max: number, value: () => T): Record<string, T> {
  const out: Record<string, T> = {};
  const n = int(rng, max + 1);
  for (let i = 0; i < n; i++) out[randomKey(rng)] = value();
  return out;
}

function randomArray<T>(rng: Rng, max: number, value: () => T): T[] {
  return Array.from({ length: int(rng, max + 1) }, value);
}

function maybe<T>(rng: Rng, value: () => T): T | null {
  return rng() < 0.5 ? null : value();
}

export function randomLlm(rng: Rng): LlmTrace {
  return {
    prompt: maybe(rng, () => randomString(rng, 80)),
    response: randomString(rng, 120),
    contexts: randomArray(rng, 4, () => randomString(rng, 60)),
    tokenLogprobs: randomArray(rng, 20, () => randomFloat(rng)),
    responseEmbedding: maybe(rng, () => randomArray(rng, 16, () => randomFloat(rng))),
    contextEmbedding: maybe(rng, () => randomArray(rng, 16, () => randomFloat(rng))),
    samples: randomArray(rng, 3, () => randomString(rng, 40)),
    inputTokens: int(rng, 2 ** 31) * (rng() < 0.1 ? -1 : 1),
    outputTokens: int(rng, 5000),
  };
}

/** A random valid InferenceEvent: every optional field null or not, 0..64 features, unicode everywhere. */
export function randomEvent(rng: Rng, maxFeatures = 64): InferenceEvent {
  const r = rng();
  const timestamp = r < 0.05 ? -int(rng, 1e12) : r < 0.1 ? NOW + int(rng, 1e9) : NOW - int(rng, 1e10);
  return {
    eventId: rng() < 0.02 ? '' : randomString(rng, 40),
    timestamp,
    modelId: rng() < 0.01 ? '' : randomString(rng, 20),
    modelVersion: rng() < 0.01 ? 'x'.repeat(257) : randomString(rng, 10),
    endpoint: maybe(rng, () => randomString(rng, 20)),
    principal: randomString(rng, 30),
    features: randomMap(rng, maxFeatures, () => (rng() < 0.9 ? (rng() - 0.5) * 1000 : randomDouble(rng))),
    categorical: randomMap(rng, 4, () => randomString(rng, 12)),
    embedding: maybe(rng, () => randomArray(rng, 32, () => randomFloat(rng))),
    score: maybe(rng, () => randomDouble(rng)),
    predictedClass: maybe(rng, () => randomString(rng, 12)),
    classProbabilities: maybe(rng, () => randomMap(rng, 5, () => rng())),
    latencyMs: rng() < 0.97 ? rng() * 1000 : randomDouble(rng),
    status: INFERENCE_STATUS_SYMBOLS[int(rng, INFERENCE_STATUS_SYMBOLS.length)]!,
    llm: rng() < 0.3 ? randomLlm(rng) : null,
    attributes: randomMap(rng, 4, () => randomString(rng, 16)),
  };
}

// ---------------------------------------------------------------------------------------------------
// The two paths
// ---------------------------------------------------------------------------------------------------

const guards = new Map<Type, Map<string, BodyGuard>>();

/** One compiled guard per writer type and limits, as the decoder keeps one per schema id. */
function guardFor(writer: Type, limits: Partial<GuardLimits>): BodyGuard {
  let byLimits = guards.get(writer);
  if (byLimits === undefined) guards.set(writer, (byLimits = new Map()));
  const key = JSON.stringify(limits);
  let guard = byLimits.get(key);
  if (guard === undefined) byLimits.set(key, (guard = compileGuard(writer, limits)));
  return guard;
}

export type Outcome = { ok: true; event: InferenceEvent } | { ok: false; code: ErrorCode; message: string };

/**
 * The current path on one Avro body: the guard over the writer type, then avsc (through a resolver when
 * the writer is not the reader), exactly as InferenceDecoder#decodeSync does it.
 */
export function currentDecode(body: Uint8Array, writer: Type = EVENT_TYPE, limits: Partial<GuardLimits> = {}, resolver?: Resolver): Outcome {
  try {
    guardFor(writer, limits).check(body, 0, body.length);
  } catch (err) {
    if (isVigilError(err)) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  const decoded = EVENT_TYPE.decode(buf, 0, resolver ?? (writer === EVENT_TYPE ? undefined : EVENT_TYPE.createResolver(writer)));
  // decoder.ts checks the same: the guard and avsc must agree on where the body ends.
  expect(decoded.offset).toBe(body.length);
  return { ok: true, event: decoded.value as InferenceEvent };
}

/** The fast path on one Avro body, with a fresh FastEvent unless one is given. */
export function fastDecode(decoder: FastDecoder, body: Uint8Array, out = new FastEvent()): Outcome {
  const code = decoder.decode(body, 0, body.length, out);
  if (code !== undefined) return { ok: false, code, message: decoder.lastError!.message };
  return { ok: true, event: toInferenceEvent(out) };
}

/** Validation outcome of each path, as [code, message] or 'valid'. */
export function currentValidation(event: InferenceEvent): string {
  const error = validateEvent(event, NOW, DEFAULT_VALIDATION);
  return error === undefined ? 'valid' : `${error.code} ${String(error.details['field'])}: ${error.message}`;
}

export function fastValidation(event: FastEvent): string {
  const error = validateFast(event, NOW);
  return error === undefined ? 'valid' : `${error.code} ${error.field}: ${error.message}`;
}

/**
 * Field-by-field equality of a FastEvent (as toInferenceEvent gives it) and avsc's value; features
 * compared as key → value maps, with the same number of entries.
 */
export function expectSameEvent(fast: FastEvent, reference: InferenceEvent): void {
  expect(fast.eventId).toBe(reference.eventId);
  expect(fast.timestamp).toBe(reference.timestamp);
  expect(fast.modelId).toBe(reference.modelId);
  expect(fast.modelVersion).toBe(reference.modelVersion);
  expect(fast.endpoint).toBe(reference.endpoint);
  expect(fast.principal).toBe(reference.principal);
  const features = new Map<string, number>();
  for (let i = 0; i < fast.featureCount; i++) features.set(fast.featureKeys[i]!, fast.featureValues[i]!);
  expect(features.size).toBe(fast.featureCount); // no duplicate keys
  expect(features).toEqual(new Map(Object.entries(reference.features)));
  expect(fast.categorical).toEqual(reference.categorical);
  // The embedding is a Float32Array, as the schema's `float` items say. avsc returns a float writer's
  // items exactly as float32 already, but leaves int and long items (promoted to float) unrounded.
  expect(fast.embedding === null ? null : Array.from(fast.embedding)).toEqual(reference.embedding === null ? null : reference.embedding.map(Math.fround));
  if (reference.score === null) {
    expect(fast.hasScore).toBe(false);
    expect(fast.score).toBeNaN();
  } else {
    expect(fast.hasScore).toBe(true);
    expect(fast.score).toBe(reference.score);
  }
  expect(fast.predictedClass).toBe(reference.predictedClass);
  expect(fast.classProbabilities).toEqual(reference.classProbabilities);
  expect(fast.latencyMs).toBe(reference.latencyMs);
  expect(INFERENCE_STATUS_SYMBOLS[fast.status]).toBe(reference.status);
  expect(fast.llm).toEqual(reference.llm === null ? null : { ...reference.llm });
  expect(fast.attributes).toEqual(reference.attributes);
}

/** `bytes` copied into the middle of a larger plain Uint8Array, with junk around it. */
export function embedded(bytes: Uint8Array, rng: Rng): { buf: Uint8Array; start: number; end: number } {
  const before = int(rng, 13);
  const after = int(rng, 13);
  const buf = new Uint8Array(before + bytes.length + after);
  for (let i = 0; i < buf.length; i++) buf[i] = int(rng, 256);
  buf.set(bytes, before);
  return { buf, start: before, end: before + bytes.length };
}

/** The limits a decodeBatch test runs with (the defaults, and a cell limit). */
export const BATCH_LIMITS = { ...DEFAULT_FAST_LIMITS, ...DEFAULT_FAST_VALIDATION, maxBatchCells: 4 * 1024 * 1024 };

/**
 * A decodeBatch task of these record values back to back (null: a tombstone), read at NOW, with the
 * InferenceEvent schema under EVENT_ID unless `schemas` says otherwise; schema id 99 is unknown.
 */
export function batchTask(values: readonly (Uint8Array | null)[], options: { schemas?: Record<number, string>; maxBatchCells?: number } = {}): DecodeBatchTask {
  const total = values.reduce((n, v) => n + (v?.length ?? 0), 0);
  const bytes = new Uint8Array(total);
  const bounds = new Uint32Array(values.length + 1);
  const nulls = new Uint8Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    bounds[i] = at;
    if (v === null) nulls[i] = 1;
    else bytes.set(v, at);
    at += v?.length ?? 0;
  });
  bounds[values.length] = at;
  const schemas = options.schemas ?? { [EVENT_ID]: schemaSource('InferenceEvent') };
  return { bytes, bounds, nulls, schemas, unknownIds: [99], nowMs: NOW, limits: { ...BATCH_LIMITS, maxBatchCells: options.maxBatchCells ?? BATCH_LIMITS.maxBatchCells } };
}
