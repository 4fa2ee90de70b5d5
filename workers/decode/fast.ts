/**
 * A bounds-checked Avro decoder specialised for reading `dev.vigil.InferenceEvent` (the reader is
 * schemas/InferenceEvent.avsc, embedded in ./reader-schema.ts) from any writer schema the Avro
 * resolution rules let it read, into a caller-owned, reused `FastEvent`.
 *
 * Why not avsc: avsc decodes `features` into a fresh object with one property per feature (slow past a
 * dozen keys, and one new string per key per event), and trusts declared counts and lengths, so it needs
 * the separate guard walk (test/reference/decode/guard.ts) first. This decoder does both in one pass:
 *
 * - Every read is checked exactly like the guard checks it, in the same order, with the same error codes
 *   and messages (negative or oversized lengths, counts claiming more items than there are bytes left,
 *   checked before anything is allocated, varints over 10 bytes, ints and longs out of range, union and
 *   enum indexes, block byte sizes, depth, total items, trailing bytes). A body this decoder accepts is
 *   one the guard accepts, and the values are those avsc decodes from it.
 * - Features go into `featureKeys` / `featureValues` (a Float64Array grown as needed); keys are interned
 *   by their bytes (./keys.ts), so steady-state decoding creates no key strings. Low-cardinality strings
 *   (modelId, modelVersion, principal, endpoint, predictedClass, keys and values of the small maps) are
 *   interned the same way in a second cache. The rarely used fields (categorical, embedding,
 *   classProbabilities, llm, attributes) are decoded into plain values as avsc would, and do allocate
 *   (except an empty map: one shared frozen object).
 * - Values are avsc's, with three deliberate representation changes: `embedding` is a Float32Array (so
 *   int or long writer items, which avsc leaves unrounded, are rounded to float32), a null `score` is NaN
 *   with `hasScore` false, and `status` is the symbol's index. Duplicate map keys and `__proto__` behave
 *   as in avsc's plain objects (first position, last value; `__proto__` dropped).
 * - It does not validate values (empty ids, NaN features, timestamps): see ./validate.ts.
 *
 * Writer schemas are compiled once (per schema id) into a tree of closures that follows the writer's
 * field order: a field the reader knows is read and stored, an extra one is skipped with the guard's
 * checks, a reader field the writer lacks takes its default. Resolution follows avsc exactly (avsc's own
 * `createResolver` is asked first, so this decoder accepts exactly the writers the current path accepts).
 */
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import type { ErrorCode } from '../../src/errors.js';
import type { InferenceEvent, LlmTrace } from '../../src/contracts/records.js';
import { KeyCache, utf8 } from './keys.js';
import type { InternedKey } from './keys.js';
import { INFERENCE_EVENT_READER_SCHEMA, STATUS_SYMBOLS } from './reader-schema.js';

// ---------------------------------------------------------------------------------------------------
// Public shapes
// ---------------------------------------------------------------------------------------------------

/** The same limits, with the same defaults, as the guard's GuardLimits. */
export interface FastDecoderLimits {
  /** Largest Avro body accepted, in bytes. */
  readonly maxRecordBytes: number;
  /** Most items one array or map may hold, over all its blocks. */
  readonly maxCollectionItems: number;
  /** Most items all collections of one record may hold together. */
  readonly maxTotalItems: number;
  /** Longest string or bytes value, in bytes. */
  readonly maxStringBytes: number;
  /** Deepest nesting of records. */
  readonly maxDepth: number;
}

export const DEFAULT_FAST_LIMITS: FastDecoderLimits = Object.freeze({
  maxRecordBytes: 1024 * 1024,
  maxCollectionItems: 100_000,
  maxTotalItems: 1_000_000,
  maxStringBytes: 256 * 1024,
  maxDepth: 32,
});

export interface FastDecoderOptions extends Partial<FastDecoderLimits> {
  /** Interned feature names; pass one cache to every decoder of a thread to share it (default: own cache). */
  readonly keyCache?: KeyCache;
  /**
   * Interned modelId, modelVersion, principal, endpoint, predictedClass, and the keys and string values
   * of categorical, classProbabilities and attributes (default: own cache).
   */
  readonly valueCache?: KeyCache;
}

/**
 * One decoded InferenceEvent, owned by the caller and reused from record to record. After a failed
 * decode its content is unspecified. Only `[0, featureCount)` of `featureKeys` / `featureValues` is
 * meaningful; both are longer when an earlier event had more features.
 */
export class FastEvent {
  eventId = '';
  /** ms since the Unix epoch. */
  timestamp = 0;
  modelId = '';
  modelVersion = '';
  endpoint: string | null = null;
  principal = '';
  /** Number of features (duplicate keys merged like a JavaScript object would: first position, last value). */
  featureCount = 0;
  /** Interned feature names: the same bytes give the same string instance. */
  featureKeys: string[] = [];
  featureValues: Float64Array;
  /**
   * True when the decoder saw every feature value finite (so validation need not look again); false when
   * some value was NaN or infinite, or when nobody checked.
   */
  featuresFinite = false;
  /**
   * Names the content of `featureKeys[0, featureCount)`: a decode that leaves the keys as they were keeps
   * it, any other gets a number never used before (in this thread). -1: unknown (built by hand, or a
   * decode failed), so compare the keys themselves.
   */
  keysVersion = -1;
  categorical: Record<string, string> = {};
  /** The input embedding, as float32 (the schema's item type); null when absent. */
  embedding: Float32Array | null = null;
  /** NaN when the score is null; see `hasScore` to tell a null score from a NaN one. */
  score = Number.NaN;
  /** False when the score is null. */
  hasScore = false;
  predictedClass: string | null = null;
  classProbabilities: Record<string, number> | null = null;
  latencyMs = 0;
  /** Index of the status in STATUS_SYMBOLS: 0 OK, 1 ERROR, 2 TIMEOUT, 3 FALLBACK (as STATUS_CODE). */
  status = 0;
  llm: LlmTrace | null = null;
  attributes: Record<string, string> = {};

  constructor(featureCapacity = 64) {
    this.featureValues = new Float64Array(Math.max(0, featureCapacity | 0));
  }
}

/**
 * The event as src/contracts/records.ts's InferenceEvent (what avsc would have decoded), for code that
 * wants plain objects: allocates a features object and copies the embedding into a number[].
 */
export function toInferenceEvent(event: FastEvent): InferenceEvent {
  const features: Record<string, number> = {};
  for (let i = 0; i < event.featureCount; i++) features[event.featureKeys[i]!] = event.featureValues[i]!;
  return {
    eventId: event.eventId,
    timestamp: event.timestamp,
    modelId: event.modelId,
    modelVersion: event.modelVersion,
    endpoint: event.endpoint,
    principal: event.principal,
    features,
    categorical: event.categorical,
    embedding: event.embedding === null ? null : Array.from(event.embedding),
    score: event.hasScore ? event.score : null,
    predictedClass: event.predictedClass,
    classProbabilities: event.classProbabilities,
    latencyMs: event.latencyMs,
    status: STATUS_SYMBOLS[event.status]!,
    llm: event.llm,
    attributes: event.attributes,
  };
}

/** Why the last decode failed, in the guard's words (`${path}: ${text}`, with the offset in `bytes`). */
export interface FastDecodeFailure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path: string;
  readonly offset: number;
}

export interface FastDecoder {
  /**
   * Decodes the Avro body `bytes[start, end)` (no wire header) into `out`. Returns undefined on
   * success, else the error code (VIGIL_DECODE_TRUNCATED, _TRAILING, _OVERSIZED or _MALFORMED; details in
   * `lastError`). Never throws for bad bytes; throws a RangeError for a bad `start` / `end`.
   * Not re-entrant.
   */
  decode(bytes: Uint8Array, start: number, end: number, out: FastEvent): ErrorCode | undefined;
  /** Details of the last failed decode; undefined after a successful one. */
  readonly lastError: FastDecodeFailure | undefined;
  /** True when the writer schema is the reader schema. */
  readonly writerIsReader: boolean;
  /** The resolved limits. */
  readonly limits: FastDecoderLimits;
  /** Drops the reference to the last input buffer (kept between calls to reuse its views). */
  release(): void;
}

/** Thrown by compileFastDecoder; `code` says what a caller should report. */
export class FastDecoderCompileError extends Error {
  readonly code: 'VIGIL_DECODE_SCHEMA_MISMATCH' | 'VIGIL_CONFIG_INVALID';

  constructor(code: 'VIGIL_DECODE_SCHEMA_MISMATCH' | 'VIGIL_CONFIG_INVALID', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FastDecoderCompileError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------
// Decoding state and failures
// ---------------------------------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);
const EMPTY_MAP: Readonly<Record<string, never>> = Object.freeze({});
const EMPTY_VIEW = new DataView(EMPTY.buffer);
// avsc's own bounds for a long (utils isSafeLong), as the guard uses them.
const MAX_SAFE_LONG = 9007199254740990;

/**
 * Where the decoder is. `buf` and `view` cover the whole ArrayBuffer behind the input (cached while
 * consecutive inputs share it, as Kafka records of one fetch do), so positions are absolute in it and
 * `base` is the input's byteOffset.
 */
class Cursor {
  buf: Uint8Array = EMPTY;
  view: DataView = EMPTY_VIEW;
  source: ArrayBufferLike = EMPTY.buffer;
  pos = 0;
  end = 0;
  base = 0;
  items = 0;
  depth = 0;
  readonly maxStringBytes: number;
  readonly maxCollectionItems: number;
  readonly maxTotalItems: number;
  readonly maxDepth: number;

  constructor(limits: FastDecoderLimits) {
    this.maxStringBytes = limits.maxStringBytes;
    this.maxCollectionItems = limits.maxCollectionItems;
    this.maxTotalItems = limits.maxTotalItems;
    this.maxDepth = limits.maxDepth;
  }
}

/** Thrown inside a decode and caught by `decode` (not an Error: no stack to capture). */
class Failure {
  constructor(
    readonly code: ErrorCode,
    readonly path: string,
    readonly offset: number,
    readonly text: string,
  ) {}
}

// Messages are the guard's, word for word, with offsets relative to the caller's `bytes`.
function truncated(s: Cursor, path: string, at: number, what: string): never {
  const rel = at - s.base;
  throw new Failure('VIGIL_DECODE_TRUNCATED', path, rel, `${what} at byte ${rel} runs past the end of the record (${s.end - s.base} bytes)`);
}

function oversized(s: Cursor, path: string, at: number, what: string, declared: number, limit: number): never {
  const rel = at - s.base;
  throw new Failure('VIGIL_DECODE_OVERSIZED', path, rel, `${what} at byte ${rel} declares ${declared}, over the limit of ${limit}`);
}

function malformed(s: Cursor, path: string, at: number, what: string): never {
  const rel = at - s.base;
  throw new Failure('VIGIL_DECODE_MALFORMED', path, rel, `${what} at byte ${rel}`);
}

// ---------------------------------------------------------------------------------------------------
// Primitive reads (zig-zag varints exactly as avsc's Tap#readLong computes them, like the guard)
// ---------------------------------------------------------------------------------------------------

function readVarint(s: Cursor, maxBytes: number, path: string): number {
  const buf = s.buf;
  const end = s.end;
  const at = s.pos;
  let pos = at;
  if (pos >= end) return truncated(s, path, at, 'varint');
  let b = buf[pos++]!;
  if (b < 0x80) {
    s.pos = pos;
    return (b >> 1) ^ -(b & 1);
  }
  let n = b & 0x7f;
  let k = 7;
  while (k < 28) {
    if (pos >= end) return truncated(s, path, at, 'varint');
    b = buf[pos++]!;
    n |= (b & 0x7f) << k;
    k += 7;
    if (b < 0x80) {
      s.pos = pos;
      return (n >> 1) ^ -(n & 1);
    }
  }
  let f = n;
  let scale = 268435456; // 2^28
  let count = 4;
  do {
    if (count >= maxBytes) return malformed(s, path, at, `varint longer than ${maxBytes} bytes`);
    if (pos >= end) return truncated(s, path, at, 'varint');
    b = buf[pos++]!;
    count++;
    f += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  s.pos = pos;
  return (f % 2 ? -(f + 1) : f) / 2;
}

function readInt(s: Cursor, path: string): number {
  const at = s.pos;
  const v = readVarint(s, 5, path);
  if (v < -2147483648 || v > 2147483647) malformed(s, path, at, `int ${v} out of the 32-bit range`);
  return v;
}

function readLong(s: Cursor, path: string): number {
  const at = s.pos;
  const v = readVarint(s, 10, path);
  if (!(v >= -MAX_SAFE_LONG && v <= MAX_SAFE_LONG)) malformed(s, path, at, `long ${v} outside the safe integer range`);
  return v;
}

function readFloat(s: Cursor, path: string): number {
  const pos = s.pos;
  if (s.end - pos < 4) truncated(s, path, pos, 'float');
  s.pos = pos + 4;
  return s.view.getFloat32(pos, true);
}

function readDouble(s: Cursor, path: string): number {
  const pos = s.pos;
  if (s.end - pos < 8) truncated(s, path, pos, 'double');
  s.pos = pos + 8;
  return s.view.getFloat64(pos, true);
}

/** A string or bytes length, checked like the guard's lengthStep; returns the start of the content. */
function readLength(s: Cursor, path: string, what: string): number {
  const at = s.pos;
  const len = readVarint(s, 10, path);
  if (len < 0) malformed(s, path, at, `${what} with negative length ${len}`);
  if (len > s.maxStringBytes) oversized(s, path, at, `${what} length`, len, s.maxStringBytes);
  if (len > s.end - s.pos) truncated(s, path, at, `${what} of ${len} bytes`);
  return len;
}

function readString(s: Cursor, path: string, what: string): string {
  const len = readLength(s, path, what);
  const start = s.pos;
  s.pos = start + len;
  return utf8(s.buf, start, start + len);
}

/**
 * The interned keys last read at one place of the schema, by position (entry i of a map, or 0 for a
 * field): producers write the same names in the same order, so the keys read there lately are tried
 * first, at the cost of a byte comparison or a few instead of a hash and a probe. A place keeps the last
 * SITE_WAYS distinct keys (a batch interleaving a few models repeats a few model ids, endpoints, …).
 */
class Sites {
  /** Entry i's keys at [i * SITE_WAYS, (i + 1) * SITE_WAYS), latest first. */
  keys: (InternedKey | undefined)[] = [];
  generation = -1;
}

const SITE_WAYS = 4;

/**
 * The features map's predictions, by entry: the key read there last time, and the record's bytes at the
 * entry then (its one-byte length and up to three key bytes, `mask` keeping those bytes), so that one
 * 32-bit compare checks the length and a short key at once.
 */
class KeyPredictions {
  keys: (InternedKey | undefined)[] = [];
  /** Entries [0, distinct) of the last record held distinct keys, each kept (so at index = entry). */
  distinct = 0;
  heads = new Int32Array(64);
  masks = new Int32Array(64);
  generation = -1;

  /** Predicts `key` at `entry` from the word at the entry's length byte; forgets it when it cannot. */
  set(entry: number, key: InternedKey, view: DataView, at: number, end: number, len: number): void {
    if (key.length !== len || len > 63 || at + 4 > end) {
      this.keys[entry] = undefined; // (a key not kept, a longer length varint, or the record's last bytes)
      return;
    }
    if (entry >= this.heads.length) {
      const heads = new Int32Array(Math.max(entry + 1, this.heads.length * 2));
      const masks = new Int32Array(heads.length);
      heads.set(this.heads);
      masks.set(this.masks);
      this.heads = heads;
      this.masks = masks;
    }
    const mask = len >= 3 ? -1 : (1 << (8 * (len + 1))) - 1;
    this.keys[entry] = key;
    this.masks[entry] = mask;
    this.heads[entry] = view.getInt32(at, true) & mask;
  }
}

/** The last FastEvent.keysVersion given out. */
let keysVersions = 0;

/** Byte equality of two ranges, four bytes at a time through the DataViews over the same memory. */
function sameBytes(a: Uint8Array, av: DataView, aStart: number, b: Uint8Array, bv: DataView, bStart: number, len: number): boolean {
  let i = 0;
  for (; i + 4 <= len; i += 4) if (av.getInt32(aStart + i, true) !== bv.getInt32(bStart + i, true)) return false;
  for (; i < len; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** The interned key for `buf[start, start + len)`, trying the one last seen at `sites[i]` first. */
function internAt(cache: KeyCache, sites: Sites, i: number, buf: Uint8Array, view: DataView, start: number, len: number): InternedKey {
  if (sites.generation !== cache.generation) {
    // The cache was emptied: offsets of keys from before point into a discarded arena.
    sites.keys = [];
    sites.generation = cache.generation;
  }
  const keys = sites.keys;
  const first = i * SITE_WAYS;
  for (let w = first; w < first + SITE_WAYS; w++) {
    const known = keys[w];
    if (known === undefined) break;
    if (known.length === len && sameBytes(cache.arena, cache.arenaView, known.offset, buf, view, start, len)) return known;
  }
  const key = cache.lookup(buf, start, len);
  while (keys.length < first + SITE_WAYS) keys.push(undefined); // (dense: no holes)
  for (let w = first + SITE_WAYS - 1; w > first; w--) keys[w] = keys[w - 1];
  keys[first] = key;
  return key;
}

function readInterned(s: Cursor, path: string, what: string, cache: KeyCache, sites: Sites): string {
  const len = readLength(s, path, what);
  const start = s.pos;
  s.pos = start + len;
  return internAt(cache, sites, 0, s.buf, s.view, start, len).key;
}

function readIndex(s: Cursor, size: number, path: string, what: string): number {
  const at = s.pos;
  const i = readVarint(s, 10, path);
  if (!(i >= 0 && i < size)) malformed(s, path, at, `${what} index ${i} out of range [0, ${size})`);
  return i;
}

/** Block bookkeeping of one array or map read. */
class Blocks {
  total = 0;
  /** Map entries read so far (the position for Sites). */
  entries = 0;
  at = 0;
  blockEnd = -1;
  declared = 0;

  reset(): this {
    this.total = 0;
    this.entries = 0;
    return this;
  }
}

/**
 * Reads the next block header of an array or map exactly like the guard's collectionStep: the count,
 * the byte size of a negative-count block, then the item limits and the bytes-left check, all before
 * any item is read or allocated. Returns the block's item count, 0 at the end of the collection.
 */
function nextBlock(s: Cursor, c: Blocks, path: string, what: string, minItem: number): number {
  const at = s.pos;
  c.at = at;
  let n = readVarint(s, 10, path);
  if (n === 0) return 0;
  c.blockEnd = -1;
  c.declared = 0;
  if (n < 0) {
    n = -n;
    const sizeAt = s.pos;
    const declared = readVarint(s, 10, path);
    if (declared < 0) malformed(s, path, sizeAt, `${what} block with negative byte size ${declared}`);
    if (declared > s.end - s.pos) truncated(s, path, sizeAt, `${what} block of ${declared} bytes`);
    c.declared = declared;
    c.blockEnd = s.pos + declared;
  }
  c.total += n;
  if (c.total > s.maxCollectionItems) oversized(s, path, at, `${what} item count`, c.total, s.maxCollectionItems);
  s.items += n;
  if (s.items > s.maxTotalItems) oversized(s, path, at, 'total item count of the record', s.items, s.maxTotalItems);
  // Items of zero size (null, empty records) are bounded by the limits above alone.
  if (n * minItem > s.end - s.pos) truncated(s, path, at, `${what} block of ${n} items`);
  return n;
}

function endBlock(s: Cursor, c: Blocks, path: string, what: string): void {
  if (c.blockEnd >= 0 && s.pos !== c.blockEnd) {
    malformed(s, path, c.at, `${what} block declares ${c.declared} bytes but its items take ${c.declared + s.pos - c.blockEnd}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Writer type helpers (the guard's, for the same bytes-left arithmetic)
// ---------------------------------------------------------------------------------------------------

const T = avro.types;

type Step = (s: Cursor) => void;
type Read = (s: Cursor) => unknown;
type FieldStep = (s: Cursor, out: FastEvent) => void;

const NOOP: Step = () => {};
const STRING_TYPE = avro.Type.forSchema('string');
const DOUBLE_TYPE = avro.Type.forSchema('double');

interface Ctx {
  readonly keys: KeyCache;
  readonly values: KeyCache;
  /** Skip step per writer record type (recursive writer schemas stay finite). */
  readonly skips: Map<Type, Step>;
  readonly widths: Map<Type, number | undefined>;
  readonly minimums: Map<Type, number>;
}

/** How a reader string or float array is materialised. */
interface Mode {
  /** Intern strings in this cache instead of decoding them. */
  readonly intern?: KeyCache | undefined;
  /** Reader `array<float>` becomes a Float32Array instead of number[]. */
  readonly float32?: boolean;
}

const PLAIN: Mode = Object.freeze({});

function isUnion(type: Type): type is avro.types.UnwrappedUnionType | avro.types.WrappedUnionType {
  return type instanceof T.UnwrappedUnionType || type instanceof T.WrappedUnionType;
}

function unwrap(type: Type): Type {
  return type instanceof T.LogicalType ? unwrap(type.underlyingType) : type;
}

function fixedWidth(type: Type, ctx: Ctx): number | undefined {
  if (type instanceof T.NullType) return 0;
  if (type instanceof T.BooleanType) return 1;
  if (type instanceof T.FloatType) return 4;
  if (type instanceof T.DoubleType) return 8;
  if (type instanceof T.FixedType) return type.size;
  if (type instanceof T.LogicalType) return fixedWidth(type.underlyingType, ctx);
  if (!(type instanceof T.RecordType)) return undefined;
  if (ctx.widths.has(type)) return ctx.widths.get(type);
  ctx.widths.set(type, undefined);
  let sum = 0;
  for (const field of type.fields) {
    const w = fixedWidth(field.type, ctx);
    if (w === undefined) return undefined;
    sum += w;
  }
  ctx.widths.set(type, sum);
  return sum;
}

function minBytes(type: Type, ctx: Ctx): number {
  const width = fixedWidth(type, ctx);
  if (width !== undefined) return width;
  if (type instanceof T.LogicalType) return minBytes(type.underlyingType, ctx);
  if (!(type instanceof T.RecordType)) return 1;
  const known = ctx.minimums.get(type);
  if (known !== undefined) return known;
  ctx.minimums.set(type, 0);
  let sum = 0;
  for (const field of type.fields) sum += minBytes(field.type, ctx);
  ctx.minimums.set(type, sum);
  return sum;
}

function branchPath(path: string, type: Type, i: number): string {
  return `${path}<${type.branchName ?? i}>`;
}

function mismatch(message: string, cause?: unknown): FastDecoderCompileError {
  return new FastDecoderCompileError('VIGIL_DECODE_SCHEMA_MISMATCH', message, cause === undefined ? undefined : { cause });
}

// ---------------------------------------------------------------------------------------------------
// Skipping writer values the reader does not read (the guard's walk)
// ---------------------------------------------------------------------------------------------------

function fixedStep(size: number, path: string, what: string): Step {
  return (s) => {
    if (s.end - s.pos < size) truncated(s, path, s.pos, what);
    s.pos += size;
  };
}

function compileSkip(type: Type, path: string, ctx: Ctx): Step {
  if (type instanceof T.LogicalType) return compileSkip(type.underlyingType, path, ctx);
  if (type instanceof T.NullType) return NOOP;
  if (type instanceof T.BooleanType) return fixedStep(1, path, 'boolean');
  if (type instanceof T.IntType) return (s) => void readInt(s, path);
  if (type instanceof T.LongType) return (s) => void readLong(s, path);
  if (type instanceof T.FloatType) return fixedStep(4, path, 'float');
  if (type instanceof T.DoubleType) return fixedStep(8, path, 'double');
  if (type instanceof T.StringType || type instanceof T.BytesType) {
    const what = type instanceof T.StringType ? 'string' : 'bytes';
    return (s) => {
      const len = readLength(s, path, what); // not `s.pos += readLength(…)`: that reads s.pos first
      s.pos += len;
    };
  }
  if (type instanceof T.FixedType) return type.size === 0 ? NOOP : fixedStep(type.size, path, `fixed(${type.size})`);
  if (type instanceof T.EnumType) {
    const size = type.symbols.length;
    return (s) => void readIndex(s, size, path, 'enum');
  }
  if (isUnion(type)) {
    const branches = type.types.map((t, i) => compileSkip(t, branchPath(path, t, i), ctx));
    const size = branches.length;
    return (s) => branches[readIndex(s, size, path, 'union branch')]!(s);
  }
  if (type instanceof T.ArrayType) {
    const items = type.itemsType;
    return skipCollection(compileSkip(items, `${path}[]`, ctx), fixedWidth(items, ctx), minBytes(items, ctx), path, 'array');
  }
  if (type instanceof T.MapType) {
    const values = type.valuesType as Type;
    const key = compileSkip(STRING_TYPE, `${path}{key}`, ctx);
    const value = compileSkip(values, `${path}{}`, ctx);
    const entry: Step =
      value === NOOP
        ? key
        : (s) => {
            key(s);
            value(s);
          };
    return skipCollection(entry, undefined, 1 + minBytes(values, ctx), path, 'map');
  }
  if (type instanceof T.RecordType) return skipRecord(type, ctx);
  throw mismatch(`${path}: cannot decode Avro type ${type.typeName}`);
}

function skipCollection(item: Step, width: number | undefined, minItem: number, path: string, what: string): Step {
  return (s) => {
    const c = new Blocks();
    let n: number;
    while ((n = nextBlock(s, c, path, what, minItem)) !== 0) {
      if (width !== undefined) {
        s.pos += n * width; // fits: checked by nextBlock, since width === minItem
      } else {
        for (let i = 0; i < n; i++) item(s);
      }
      endBlock(s, c, path, what);
    }
  };
}

function enterRecord(s: Cursor, name: string): void {
  if (++s.depth > s.maxDepth) oversized(s, name, s.pos, 'record nesting depth', s.depth, s.maxDepth);
}

function skipRecord(type: avro.types.RecordType, ctx: Ctx): Step {
  const known = ctx.skips.get(type);
  if (known !== undefined) return known;
  const name = type.name ?? 'record';
  const fields: Step[] = [];
  const step: Step = (s) => {
    enterRecord(s, name);
    for (let i = 0; i < fields.length; i++) fields[i]!(s);
    s.depth--;
  };
  ctx.skips.set(type, step);
  for (const field of type.fields) {
    const f = compileSkip(field.type, `${name}.${field.name}`, ctx);
    if (f !== NOOP) fields.push(f);
  }
  return step;
}

// ---------------------------------------------------------------------------------------------------
// Reading writer values as reader values (avsc's resolution rules; values exactly as avsc gives them)
//
// A read closure is compiled for one place of the (fixed, non-recursive) reader schema, so it can never
// run inside itself: the collection readers keep one Blocks each instead of allocating one per call.
// Skip steps follow the writer schema, which may be recursive, so they allocate theirs.
// ---------------------------------------------------------------------------------------------------

/** Whether avsc can read `writer` as `reader` (how avsc picks a reader union branch). */
function resolvable(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

function unionRead(branches: Read[], path: string): Read {
  const size = branches.length;
  return (s) => branches[readIndex(s, size, path, 'union branch')]!(s);
}

function compileRead(reader: Type, writer: Type, path: string, ctx: Ctx, mode: Mode): Read {
  reader = unwrap(reader);
  writer = unwrap(writer);
  // A writer union: each branch is resolved on its own against the whole reader type.
  if (isUnion(writer)) {
    return unionRead(
      writer.types.map((t, i) => compileRead(reader, t, branchPath(path, t, i), ctx, mode)),
      path,
    );
  }
  // A reader union read from one writer type: the first branch that can read it, as avsc does.
  if (isUnion(reader)) {
    for (const branch of reader.types) {
      if (resolvable(branch, writer)) return compileRead(branch, writer, path, ctx, mode);
    }
    throw mismatch(`${path}: no branch of ${JSON.stringify(reader.schema())} can read ${JSON.stringify(writer.schema())}`);
  }
  const fail = (): never => {
    throw mismatch(`${path}: cannot read ${JSON.stringify(writer.schema())} as ${JSON.stringify(reader.schema())}`);
  };
  if (reader instanceof T.NullType) return writer instanceof T.NullType ? () => null : fail();
  if (reader instanceof T.IntType) return writer instanceof T.IntType ? (s) => readInt(s, path) : fail();
  if (reader instanceof T.LongType || reader instanceof T.FloatType || reader instanceof T.DoubleType) {
    if (writer instanceof T.IntType) return (s) => readInt(s, path);
    if (writer instanceof T.LongType) return (s) => readLong(s, path);
    if (writer instanceof T.FloatType && !(reader instanceof T.LongType)) return (s) => readFloat(s, path);
    if (writer instanceof T.DoubleType && reader instanceof T.DoubleType) return (s) => readDouble(s, path);
    return fail();
  }
  if (reader instanceof T.StringType) {
    if (!(writer instanceof T.StringType || writer instanceof T.BytesType)) return fail();
    const what = writer instanceof T.StringType ? 'string' : 'bytes';
    const cache = mode.intern;
    if (cache === undefined) return (s) => readString(s, path, what);
    const sites = new Sites();
    return (s) => readInterned(s, path, what, cache, sites);
  }
  if (reader instanceof T.EnumType) {
    if (!(writer instanceof T.EnumType) || !resolvable(reader, writer)) return fail();
    // Reader symbol index per writer index (avsc checked that every writer symbol exists in the reader).
    const indexes = writer.symbols.map((symbol) => reader.symbols.indexOf(symbol));
    const size = indexes.length;
    return (s) => indexes[readIndex(s, size, path, 'enum')];
  }
  if (reader instanceof T.ArrayType) {
    if (!(writer instanceof T.ArrayType)) return fail();
    return arrayRead(reader, writer, path, ctx, mode);
  }
  if (reader instanceof T.MapType) {
    if (!(writer instanceof T.MapType)) return fail();
    return mapRead(reader.valuesType as Type, writer.valuesType as Type, path, ctx, mode);
  }
  if (reader instanceof T.RecordType) {
    if (!(writer instanceof T.RecordType) || !resolvable(reader, writer)) return fail();
    return recordRead(reader, writer, ctx);
  }
  return fail();
}

function arrayRead(reader: avro.types.ArrayType, writer: avro.types.ArrayType, path: string, ctx: Ctx, mode: Mode): Read {
  const wItems = writer.itemsType;
  const itemPath = `${path}[]`;
  const minItem = minBytes(wItems, ctx);
  const item = compileRead(reader.itemsType, wItems, itemPath, ctx, PLAIN);
  if (mode.float32 === true && unwrap(reader.itemsType) instanceof T.FloatType) {
    const direct = unwrap(wItems) instanceof T.FloatType;
    const blocks = new Blocks();
    return (s) => {
      const c = blocks.reset();
      let out: Float32Array | undefined;
      let n: number;
      while ((n = nextBlock(s, c, path, 'array', minItem)) !== 0) {
        const len = out === undefined ? 0 : out.length;
        const grown = new Float32Array(len + n);
        if (out !== undefined) grown.set(out);
        out = grown;
        if (direct) {
          // n * 4 bytes are there: checked by nextBlock.
          const view = s.view;
          let pos = s.pos;
          for (let i = len; i < len + n; i++, pos += 4) out[i] = view.getFloat32(pos, true);
          s.pos = pos;
        } else {
          for (let i = len; i < len + n; i++) out[i] = item(s) as number;
        }
        endBlock(s, c, path, 'array');
      }
      return out ?? new Float32Array(0);
    };
  }
  const blocks = new Blocks();
  return (s) => {
    const c = blocks.reset();
    const out: unknown[] = [];
    let n: number;
    while ((n = nextBlock(s, c, path, 'array', minItem)) !== 0) {
      for (let i = 0; i < n; i++) out.push(item(s));
      endBlock(s, c, path, 'array');
    }
    return out;
  };
}

function mapRead(rValues: Type, wValues: Type, path: string, ctx: Ctx, mode: Mode): Read {
  const keyPath = `${path}{key}`;
  const valuePath = `${path}{}`;
  const value = compileRead(rValues, wValues, valuePath, ctx, mode);
  const minItem = 1 + minBytes(wValues, ctx);
  const cache = mode.intern;
  const keySites = new Sites();
  // String values interned by entry position too (region, tenant, … repeat in the same order).
  const w = unwrap(wValues);
  const stringValues = cache !== undefined && unwrap(rValues) instanceof T.StringType && (w instanceof T.StringType || w instanceof T.BytesType);
  const valueWhat = w instanceof T.BytesType ? 'bytes' : 'string';
  const valueSites = new Sites();
  const blocks = new Blocks();
  return (s) => {
    const c = blocks.reset();
    // A plain object filled by assignment, exactly like avsc's MapType#_read (so `__proto__` entries
    // vanish the same way and duplicate keys keep their first position and last value); an empty map
    // (most events' categorical and attributes) is one shared frozen object, not a new one per event.
    let out: Record<string, unknown> | undefined;
    let n: number;
    while ((n = nextBlock(s, c, path, 'map', minItem)) !== 0) {
      out ??= {};
      for (let i = 0; i < n; i++) {
        if (cache === undefined) {
          const key = readString(s, keyPath, 'string');
          out[key] = value(s);
          continue;
        }
        const entry = c.entries++;
        const len = readLength(s, keyPath, 'string');
        const start = s.pos;
        s.pos = start + len;
        const key = internAt(cache, keySites, entry, s.buf, s.view, start, len).key;
        if (stringValues) {
          const vlen = readLength(s, valuePath, valueWhat);
          const vstart = s.pos;
          s.pos = vstart + vlen;
          out[key] = internAt(cache, valueSites, entry, s.buf, s.view, vstart, vlen).key;
        } else {
          out[key] = value(s);
        }
      }
      endBlock(s, c, path, 'map');
    }
    return out ?? EMPTY_MAP;
  };
}

function fieldNames(field: avro.types.Field): string[] {
  return [field.name, ...(field.aliases ?? [])];
}

/** Which reader field reads each writer field (-1: none), matching reader names and aliases as avsc does. */
function matchFields(reader: avro.types.RecordType, writer: avro.types.RecordType): number[] {
  return writer.fields.map((wf) => reader.fields.findIndex((rf) => fieldNames(rf).includes(wf.name)));
}

function recordRead(reader: avro.types.RecordType, writer: avro.types.RecordType, ctx: Ctx): Read {
  const name = writer.name ?? 'record';
  const rFields = reader.fields;
  const matches = matchFields(reader, writer);
  const targets: number[] = [];
  const steps: Read[] = [];
  writer.fields.forEach((wf, i) => {
    const target = matches[i]!;
    const path = `${name}.${wf.name}`;
    if (target < 0) {
      const skip = compileSkip(wf.type, path, ctx);
      if (skip === NOOP) return;
      targets.push(-1);
      steps.push(skip);
    } else {
      targets.push(target);
      steps.push(compileRead(rFields[target]!.type, wf.type, path, ctx, PLAIN));
    }
  });
  const missing = rFields.map((_, i) => i).filter((i) => !matches.includes(i));
  for (const i of missing) {
    if (rFields[i]!.defaultValue() === undefined) throw mismatch(`${name}: no writer field for ${rFields[i]!.name}, which has no default`);
  }
  const names = rFields.map((f) => f.name);
  return (s) => {
    enterRecord(s, name);
    const values = new Array<unknown>(names.length);
    for (let i = 0; i < steps.length; i++) {
      const v = steps[i]!(s);
      const target = targets[i]!;
      if (target >= 0) values[target] = v;
    }
    for (const i of missing) values[i] = rFields[i]!.defaultValue();
    s.depth--;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]!] = values[i];
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------
// The InferenceEvent record: hot fields straight into the FastEvent
// ---------------------------------------------------------------------------------------------------

function growValues(values: Float64Array, used: number, needed: number): Float64Array {
  const grown = new Float64Array(Math.max(needed, values.length * 2, 16));
  grown.set(values.subarray(0, used));
  return grown;
}

/**
 * `features`: the map read straight into featureKeys / featureValues. Keys are interned; the key seen
 * at the same position in the previous record is tried first (producers write their features in a
 * fixed order), so a steady stream costs one byte comparison per key instead of a hash and a probe.
 */
function featuresStep(writer: Type, path: string, ctx: Ctx): FieldStep {
  writer = unwrap(writer);
  if (isUnion(writer)) {
    const branches = writer.types.map((t, i) => featuresStep(t, branchPath(path, t, i), ctx));
    const size = branches.length;
    return (s, out) => branches[readIndex(s, size, path, 'union branch')]!(s, out);
  }
  if (!(writer instanceof T.MapType)) throw mismatch(`${path}: cannot read ${JSON.stringify(writer.schema())} as a map of doubles`);
  const wValues = writer.valuesType as Type;
  const keyPath = `${path}{key}`;
  const valuePath = `${path}{}`;
  const value = compileRead(DOUBLE_TYPE, wValues, valuePath, ctx, PLAIN);
  const direct = unwrap(wValues) instanceof T.DoubleType;
  const minItem = 1 + minBytes(wValues, ctx);
  const cache = ctx.keys;
  const blocks = new Blocks();
  const predicted = new KeyPredictions();

  return (s, out) => {
    const epoch = cache.nextEpoch();
    const buf = s.buf;
    const view = s.view;
    const end = s.end;
    const maxString = s.maxStringBytes;
    if (predicted.generation !== cache.generation) {
      predicted.keys = []; // the cache was emptied by nextEpoch: predictions point into a discarded arena
      predicted.distinct = 0;
      predicted.generation = cache.generation;
    }
    const previousCount = out.featureCount;
    const previousVersion = out.keysVersion;
    out.keysVersion = -1; // until this decode is through
    // While every entry is the predicted key and within the last record's distinct prefix, no key can
    // repeat an earlier one: stamps are only needed from the first entry where that stops.
    const distinct = predicted.distinct;
    let inOrder = true;
    let prefix = -1; // this record's distinct prefix, once it is known to end
    let changed = false;
    let arena = cache.arena;
    let arenaView = cache.arenaView;
    const keys = out.featureKeys;
    let values = out.featureValues;
    let count = 0;
    let entry = 0;
    let finite = 0;
    blocks.reset();
    let n: number;
    while ((n = nextBlock(s, blocks, path, 'map', minItem)) !== 0) {
      if (count + n > values.length) values = out.featureValues = growValues(values, count, count + n);
      let pos = s.pos;
      for (let i = 0; i < n; i++) {
        // Key: the guard's lengthStep, with the one-byte varint inline.
        const at = pos;
        let len: number;
        let b: number;
        if (pos < end && (b = buf[pos]!) < 0x80) {
          len = (b >> 1) ^ -(b & 1);
          pos++;
        } else {
          s.pos = pos;
          len = readVarint(s, 10, keyPath);
          pos = s.pos;
        }
        if (len < 0) malformed(s, keyPath, at, `string with negative length ${len}`);
        if (len > maxString) oversized(s, keyPath, at, 'string length', len, maxString);
        if (len > end - pos) truncated(s, keyPath, at, `string of ${len} bytes`);
        // The key at this position last time (its length and first bytes in one word, then the rest),
        // else a lookup. The word lies inside the record: at + 4 <= end.
        let key = predicted.keys[entry];
        let hit = true;
        if (
          key === undefined ||
          pos !== at + 1 ||
          at + 4 > end ||
          ((view.getInt32(at, true) ^ predicted.heads[entry]!) & predicted.masks[entry]!) !== 0 ||
          (len > 3 && !sameBytes(arena, arenaView, key.offset + 3, buf, view, pos + 3, len - 3))
        ) {
          hit = false;
          key = cache.lookup(buf, pos, len);
          predicted.set(entry, key, view, at, end, len);
          arena = cache.arena; // may have grown
          arenaView = cache.arenaView;
        }
        pos += len;
        // Value.
        let v: number;
        if (direct) {
          if (end - pos < 8) truncated(s, valuePath, pos, 'double');
          v = view.getFloat64(pos, true);
          pos += 8;
        } else {
          s.pos = pos;
          v = value(s) as number;
          pos = s.pos;
        }
        finite += v * 0; // NaN from here on once a value is NaN or infinite
        if (inOrder) {
          if (hit && entry < distinct) {
            if (keys[count] !== key.key) {
              keys[count] = key.key;
              changed = true;
            }
            values[count++] = v;
            entry++;
            continue;
          }
          inOrder = false;
          for (let k = 0; k < count; k++) {
            const earlier = predicted.keys[k]!;
            earlier.stamp = epoch;
            earlier.index = k;
          }
        }
        if (key.stamp !== epoch) {
          key.stamp = epoch;
          if (!key.drop) {
            key.index = count;
            if (keys[count] !== key.key) {
              keys[count] = key.key;
              changed = true;
            }
            values[count] = v;
            count++;
          }
        } else if (!key.drop) {
          values[key.index] = v; // a duplicate key: the last value wins, as in avsc's object
        }
        if (prefix < 0 && count !== entry + 1) prefix = entry;
        entry++;
      }
      s.pos = pos;
      endBlock(s, blocks, path, 'map');
    }
    predicted.distinct = prefix < 0 ? entry : prefix;
    out.featureCount = count;
    out.featuresFinite = finite === 0;
    out.keysVersion = changed || count !== previousCount || previousVersion < 0 ? ++keysVersions : previousVersion;
  };
}

type Sink = (out: FastEvent, value: unknown) => void;

/** How a reader field's value (as compileRead returns it, or its default) is stored. */
const SINKS: Readonly<Record<string, Sink>> = {
  eventId: (o, v) => void (o.eventId = v as string),
  timestamp: (o, v) => void (o.timestamp = v as number),
  modelId: (o, v) => void (o.modelId = v as string),
  modelVersion: (o, v) => void (o.modelVersion = v as string),
  endpoint: (o, v) => void (o.endpoint = v as string | null),
  principal: (o, v) => void (o.principal = v as string),
  categorical: (o, v) => void (o.categorical = v as Record<string, string>),
  embedding: (o, v) => void (o.embedding = v === null ? null : v instanceof Float32Array ? v : Float32Array.from(v as number[])),
  score: (o, v) => {
    if (v === null) {
      o.score = Number.NaN;
      o.hasScore = false;
    } else {
      o.score = v as number;
      o.hasScore = true;
    }
  },
  predictedClass: (o, v) => void (o.predictedClass = v as string | null),
  classProbabilities: (o, v) => void (o.classProbabilities = v as Record<string, number> | null),
  latencyMs: (o, v) => void (o.latencyMs = v as number),
  status: (o, v) => void (o.status = typeof v === 'number' ? v : STATUS_SYMBOLS.indexOf(v as never)),
  llm: (o, v) => void (o.llm = v as LlmTrace | null),
  attributes: (o, v) => void (o.attributes = v as Record<string, string>),
};

/** Reader fields whose strings are interned in the value cache (low-cardinality in practice). */
const INTERNED = new Set(['modelId', 'modelVersion', 'principal', 'endpoint', 'predictedClass', 'categorical', 'classProbabilities', 'attributes']);

/** For a writer union of exactly null and one other type (either order): the null branch's index. */
function nullableOf(writer: Type, other: new (...args: never[]) => Type): number | undefined {
  if (!isUnion(writer) || writer.types.length !== 2) return undefined;
  const [a, b] = writer.types.map(unwrap) as [Type, Type];
  if (a instanceof T.NullType && b instanceof other) return 0;
  if (b instanceof T.NullType && a instanceof other) return 1;
  return undefined;
}

/**
 * Hot fields whose writer type is the reader's own (the common case) get closures that read inline;
 * anything else (promotions, reordered or wider unions) goes through compileRead and SINKS.
 */
function hotStep(name: string, writer: Type, path: string, ctx: Ctx): FieldStep | undefined {
  const values = ctx.values;
  switch (name) {
    case 'eventId':
      return writer instanceof T.StringType ? (s, o) => void (o.eventId = readString(s, path, 'string')) : undefined;
    case 'timestamp':
      return writer instanceof T.LongType ? (s, o) => void (o.timestamp = readLong(s, path)) : undefined;
    case 'latencyMs':
      return writer instanceof T.DoubleType ? (s, o) => void (o.latencyMs = readDouble(s, path)) : undefined;
    case 'modelId':
    case 'modelVersion':
    case 'principal': {
      if (!(writer instanceof T.StringType)) return undefined;
      const sites = new Sites();
      if (name === 'modelId') return (s, o) => void (o.modelId = readInterned(s, path, 'string', values, sites));
      if (name === 'modelVersion') return (s, o) => void (o.modelVersion = readInterned(s, path, 'string', values, sites));
      return (s, o) => void (o.principal = readInterned(s, path, 'string', values, sites));
    }
    case 'endpoint':
    case 'predictedClass': {
      const nullIndex = nullableOf(writer, T.StringType);
      if (nullIndex === undefined) return undefined;
      const inner = branchPath(path, (writer as avro.types.UnwrappedUnionType).types[1 - nullIndex]!, 1 - nullIndex);
      const sites = new Sites();
      if (name === 'endpoint') {
        return (s, o) => void (o.endpoint = readIndex(s, 2, path, 'union branch') === nullIndex ? null : readInterned(s, inner, 'string', values, sites));
      }
      return (s, o) => void (o.predictedClass = readIndex(s, 2, path, 'union branch') === nullIndex ? null : readInterned(s, inner, 'string', values, sites));
    }
    case 'score': {
      const nullIndex = nullableOf(writer, T.DoubleType);
      if (nullIndex === undefined) return undefined;
      const inner = branchPath(path, (writer as avro.types.UnwrappedUnionType).types[1 - nullIndex]!, 1 - nullIndex);
      return (s, o) => {
        if (readIndex(s, 2, path, 'union branch') === nullIndex) {
          o.score = Number.NaN;
          o.hasScore = false;
        } else {
          o.score = readDouble(s, inner);
          o.hasScore = true;
        }
      };
    }
    default:
      return undefined;
  }
}

function fieldStep(name: string, reader: Type, writer: Type, path: string, ctx: Ctx): FieldStep {
  if (name === 'features') return featuresStep(writer, path, ctx);
  const hot = hotStep(name, unwrap(writer), path, ctx);
  if (hot !== undefined) return hot;
  const mode: Mode = INTERNED.has(name) ? { intern: ctx.values } : name === 'embedding' ? { float32: true } : PLAIN;
  const read = compileRead(reader, writer, path, ctx, mode);
  if (name === 'status') return (s, o) => void (o.status = read(s) as number);
  const sink = SINKS[name];
  if (sink === undefined) throw mismatch(`no place in FastEvent for reader field ${name}`);
  return (s, o) => sink(o, read(s));
}

function rootStep(reader: avro.types.RecordType, writer: Type, ctx: Ctx): FieldStep {
  writer = unwrap(writer);
  if (isUnion(writer)) {
    const path = writer.name ?? writer.typeName;
    const branches = writer.types.map((t) => rootStep(reader, t, ctx));
    const size = branches.length;
    return (s, o) => branches[readIndex(s, size, path, 'union branch')]!(s, o);
  }
  if (!(writer instanceof T.RecordType)) throw mismatch(`the writer schema is a ${writer.typeName}, not a record`);
  const name = writer.name ?? 'record';
  const rFields = reader.fields;
  const matches = matchFields(reader, writer);
  const steps: FieldStep[] = [];
  writer.fields.forEach((wf, i) => {
    const target = matches[i]!;
    const path = `${name}.${wf.name}`;
    if (target < 0) {
      const skip = compileSkip(wf.type, path, ctx);
      if (skip !== NOOP) steps.push(skip);
      return;
    }
    const rf = rFields[target]!;
    steps.push(fieldStep(rf.name, rf.type, wf.type, path, ctx));
  });
  // Reader fields the writer lacks take their default on every record (fresh copies, as avsc makes).
  const defaults: ((o: FastEvent) => void)[] = [];
  rFields.forEach((rf, i) => {
    if (matches.includes(i)) return;
    if (rf.defaultValue() === undefined) throw mismatch(`${name}: no writer field for ${rf.name}, which has no default`);
    const sink = SINKS[rf.name];
    if (sink === undefined) throw mismatch(`no place in FastEvent for reader field ${rf.name}`);
    defaults.push((o) => sink(o, rf.defaultValue()));
  });
  return sequence(name, [...defaults.map((d): FieldStep => (_, o) => d(o)), ...steps]);
}

/**
 * One record: every step in order, inside the depth check. The calls are generated as straight-line code
 * (`f0(s, o); f1(s, o); …`: only generated names, nothing from the schema, in the source) so each call
 * site sees one function and V8 inlines the small field steps; about 8% faster than a loop over them.
 */
function sequence(name: string, steps: readonly FieldStep[]): FieldStep {
  if (steps.length > 512) {
    return (s, o) => {
      enterRecord(s, name);
      for (let i = 0; i < steps.length; i++) steps[i]!(s, o);
      s.depth--;
    };
  }
  const params = steps.map((_, i) => `f${i}`);
  const body = `return function readRecord(s, o) { enter(s, name); ${params.map((p) => `${p}(s, o);`).join(' ')} s.depth--; };`;
  const factory = new Function('enter', 'name', ...params, body) as (...args: unknown[]) => FieldStep;
  return factory(enterRecord, name, ...steps);
}

// ---------------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------------

let readerType: avro.types.RecordType | undefined;

/** The reader type, parsed like src/contracts/schemas.ts parses it (no logical types, unwrapped unions). */
export function fastReaderType(): avro.types.RecordType {
  readerType ??= avro.Type.forSchema(INFERENCE_EVENT_READER_SCHEMA as unknown as Schema, { wrapUnions: false }) as avro.types.RecordType;
  return readerType;
}

function checkLimits(options: FastDecoderOptions): FastDecoderLimits {
  const limits = { ...DEFAULT_FAST_LIMITS };
  for (const key of Object.keys(DEFAULT_FAST_LIMITS) as (keyof FastDecoderLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new FastDecoderCompileError('VIGIL_CONFIG_INVALID', `fast decoder limit ${key} must be a positive integer, got ${String(value)}`);
    }
    (limits as Record<keyof FastDecoderLimits, number>)[key] = value;
  }
  return Object.freeze(limits);
}

/** Parses writer schema text the way the current decoder does: unwrapped unions, else wrapped ones. */
function parseWriter(schema: object | string): Type {
  if (avro.Type.isType(schema)) return schema as Type;
  let json: unknown = schema;
  if (typeof schema === 'string') {
    try {
      json = JSON.parse(schema);
    } catch (err) {
      throw mismatch(`writer schema is not JSON: ${(err as Error).message}`, err);
    }
  }
  try {
    return avro.Type.forSchema(json as Schema, { wrapUnions: false });
  } catch {
    // Two branches of one kind (two records, say) need wrapped unions; only the branch list matters here.
  }
  try {
    return avro.Type.forSchema(json as Schema, { wrapUnions: true });
  } catch (err) {
    throw mismatch(`writer schema is not a valid Avro schema: ${(err as Error).message}`, err);
  }
}

/**
 * A writer schema's text parsed, with its Parsing Canonical Form: all that reading its records depends
 * on (the reader's names, aliases and defaults are fixed), so two texts of one schema, such as a
 * registry's compact copy and a pretty-printed file, can share one compiled decoder.
 *
 * @throws FastDecoderCompileError VIGIL_DECODE_SCHEMA_MISMATCH when the text is not an Avro schema.
 */
export function parseWriterSchema(text: string): { readonly type: Type; readonly canonical: string } {
  const type = parseWriter(text);
  return { type, canonical: JSON.stringify(type.schema()) };
}

/**
 * Compiles a decoder from writer schema `writerSchema` (JSON text, a parsed schema object, or an avsc
 * Type) to InferenceEvent.
 *
 * @throws FastDecoderCompileError VIGIL_DECODE_SCHEMA_MISMATCH when the writer cannot be read as
 *   dev.vigil.InferenceEvent (avsc's reason is in the message), VIGIL_CONFIG_INVALID for a bad limit.
 */
export function compileFastDecoder(writerSchema: object | string, options: FastDecoderOptions = {}): FastDecoder {
  const limits = checkLimits(options);
  const writer = parseWriter(writerSchema);
  const reader = fastReaderType();
  try {
    reader.createResolver(writer);
  } catch (err) {
    throw mismatch(`writer schema cannot be read as dev.vigil.InferenceEvent: ${(err as Error).message}`, err);
  }
  const ctx: Ctx = {
    keys: options.keyCache ?? new KeyCache(),
    values: options.valueCache ?? new KeyCache(),
    skips: new Map(),
    widths: new Map(),
    minimums: new Map(),
  };
  const root = rootStep(reader, writer, ctx);
  return new Decoder(root, limits, ctx.values, writer.equals(reader));
}

class Decoder implements FastDecoder {
  readonly limits: FastDecoderLimits;
  readonly writerIsReader: boolean;
  lastError: FastDecodeFailure | undefined;
  readonly #root: FieldStep;
  readonly #values: KeyCache;
  readonly #cursor: Cursor;

  constructor(root: FieldStep, limits: FastDecoderLimits, values: KeyCache, writerIsReader: boolean) {
    this.#root = root;
    this.limits = limits;
    this.#values = values;
    this.writerIsReader = writerIsReader;
    this.#cursor = new Cursor(limits);
  }

  decode(bytes: Uint8Array, start: number, end: number, out: FastEvent): ErrorCode | undefined {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= bytes.length)) {
      throw new RangeError(`decode range [${start}, ${end}) is not within the ${bytes.length} bytes given`);
    }
    const s = this.#cursor;
    const source = bytes.buffer;
    if (source !== s.source) {
      s.source = source;
      s.buf = new Uint8Array(source);
      s.view = new DataView(source);
    }
    const base = bytes.byteOffset;
    s.base = base;
    s.pos = base + start;
    s.end = base + end;
    s.items = 0;
    s.depth = 0;
    this.lastError = undefined;
    const max = this.limits.maxRecordBytes;
    if (end - start > max) {
      return this.#failed(new Failure('VIGIL_DECODE_OVERSIZED', 'record', start, `body size at byte ${start} declares ${end - start}, over the limit of ${max}`));
    }
    this.#values.nextEpoch();
    try {
      this.#root(s, out);
    } catch (err) {
      if (err instanceof Failure) return this.#failed(err);
      const message = err instanceof Error ? err.message : String(err);
      return this.#failed(new Failure('VIGIL_INTERNAL', 'record', s.pos - base, `fast decoder failed unexpectedly: ${message}`));
    }
    if (s.pos !== s.end) {
      const at = s.pos - base;
      return this.#failed(new Failure('VIGIL_DECODE_TRAILING', 'record', at, `${end - at} bytes left after the record ends at byte ${at}`));
    }
    return undefined;
  }

  #failed(failure: Failure): ErrorCode {
    this.lastError = { code: failure.code, message: `${failure.path}: ${failure.text}`, path: failure.path, offset: failure.offset };
    return failure.code;
  }

  release(): void {
    const s = this.#cursor;
    s.source = EMPTY.buffer;
    s.buf = EMPTY;
    s.view = EMPTY_VIEW;
  }
}
