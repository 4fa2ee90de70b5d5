/**
 * Bounded decoding: a validator that walks the writer schema over an Avro body before avsc sees it.
 *
 * Why: avsc trusts the counts and lengths a body declares. `ArrayType._read` does `new Array(n)` for the
 * first block's count and then loops n times; strings are sliced for the declared length. A few hostile
 * bytes can therefore claim 2^31 items and abort the process (a worker thread too). This walk reads only
 * lengths, counts and indexes, never allocates per item, and rejects the body unless every declared size
 * fits both the bytes left and the configured limits. A body it accepts is one avsc reads to exactly its
 * end without surprises, so it mirrors avsc's reading rules (varints, negative block counts with a byte
 * size, unsafe longs) byte for byte.
 *
 * The walk is compiled once per writer schema into a tree of closures; checking a body is then a few
 * function calls per field and no allocation at all.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { VigilError } from '../../../src/errors.js';
import type { ErrorCode } from '../../../src/errors.js';

export interface GuardLimits {
  /** Largest Avro body accepted, in bytes. */
  readonly maxRecordBytes: number;
  /** Most items one array or map may hold, over all its blocks. */
  readonly maxCollectionItems: number;
  /** Most items all collections of one record may hold together (bounds nested collections). */
  readonly maxTotalItems: number;
  /** Longest string or bytes value, in bytes. */
  readonly maxStringBytes: number;
  /** Deepest nesting of records (only recursive schemas can get near it). */
  readonly maxDepth: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = Object.freeze({
  maxRecordBytes: 1024 * 1024,
  maxCollectionItems: 100_000,
  maxTotalItems: 1_000_000,
  maxStringBytes: 256 * 1024,
  maxDepth: 32,
});

/**
 * Code for bytes that contradict their writer schema: a union or enum index out of range, a negative
 * length, an over-long varint, an int or long out of range, a block whose byte size disagrees with its
 * items.
 */
export const MALFORMED_CODE: ErrorCode = 'VIGIL_DECODE_MALFORMED';

/** A compiled check for one writer schema. Not re-entrant: it reuses one state object across calls. */
export interface BodyGuard {
  /**
   * Throws unless `buf[start, end)` is exactly one value of the writer schema within the limits:
   * VIGIL_DECODE_TRUNCATED, VIGIL_DECODE_TRAILING, VIGIL_DECODE_OVERSIZED or MALFORMED_CODE.
   */
  check(buf: Uint8Array, start: number, end: number): void;
}

interface State {
  buf: Uint8Array;
  pos: number;
  end: number;
  items: number;
  depth: number;
}

type Step = (s: State) => void;

const NOOP: Step = () => {};
const EMPTY = new Uint8Array(0);
// avsc's own bounds for a long (utils isSafeLong): one less than 2^53 on each side for rounding.
const MAX_SAFE_LONG = 9007199254740990;

// ---------------------------------------------------------------------------------------------------
// Failures (kept out of line so the hot paths stay small)
// ---------------------------------------------------------------------------------------------------

function fail(code: ErrorCode, path: string, at: number, message: string): never {
  throw new VigilError(code, `${path}: ${message}`, { details: { path, offset: at } });
}

function truncated(s: State, path: string, at: number, what: string): never {
  return fail('VIGIL_DECODE_TRUNCATED', path, at, `${what} at byte ${at} runs past the end of the record (${s.end} bytes)`);
}

function oversized(path: string, at: number, what: string, declared: number, limit: number): never {
  return fail('VIGIL_DECODE_OVERSIZED', path, at, `${what} at byte ${at} declares ${declared}, over the limit of ${limit}`);
}

function malformed(path: string, at: number, what: string): never {
  return fail(MALFORMED_CODE, path, at, `${what} at byte ${at}`);
}

// ---------------------------------------------------------------------------------------------------
// Varints: zig-zag, at most `maxBytes` bytes, computed exactly as avsc's Tap#readLong does
// ---------------------------------------------------------------------------------------------------

function readVarint(s: State, maxBytes: number, path: string): number {
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
  // Integer arithmetic for the first 28 bits, floats after, like avsc, so both agree on every value.
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
    if (count >= maxBytes) return malformed(path, at, `varint longer than ${maxBytes} bytes`);
    if (pos >= end) return truncated(s, path, at, 'varint');
    b = buf[pos++]!;
    count++;
    f += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  s.pos = pos;
  return (f % 2 ? -(f + 1) : f) / 2;
}

// ---------------------------------------------------------------------------------------------------
// Leaf steps
// ---------------------------------------------------------------------------------------------------

function fixedStep(size: number, path: string, what: string): Step {
  return (s) => {
    if (s.end - s.pos < size) truncated(s, path, s.pos, what);
    s.pos += size;
  };
}

function intStep(path: string): Step {
  return (s) => {
    const at = s.pos;
    const v = readVarint(s, 5, path);
    if (v < -2147483648 || v > 2147483647) malformed(path, at, `int ${v} out of the 32-bit range`);
  };
}

function longStep(path: string): Step {
  return (s) => {
    const at = s.pos;
    const v = readVarint(s, 10, path);
    // avsc throws "potential precision loss" past this range; reject it here with a code instead.
    if (!(v >= -MAX_SAFE_LONG && v <= MAX_SAFE_LONG)) malformed(path, at, `long ${v} outside the safe integer range`);
  };
}

function lengthStep(path: string, what: string, limits: GuardLimits): Step {
  const max = limits.maxStringBytes;
  return (s) => {
    const at = s.pos;
    const len = readVarint(s, 10, path);
    if (len < 0) malformed(path, at, `${what} with negative length ${len}`);
    if (len > max) oversized(path, at, `${what} length`, len, max);
    if (len > s.end - s.pos) truncated(s, path, at, `${what} of ${len} bytes`);
    s.pos += len;
  };
}

function indexStep(size: number, path: string, what: string): Step {
  return (s) => {
    const at = s.pos;
    const i = readVarint(s, 10, path);
    if (!(i >= 0 && i < size)) malformed(path, at, `${what} index ${i} out of range [0, ${size})`);
  };
}

// ---------------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------------

interface Context {
  readonly limits: GuardLimits;
  /** One step per record type, shared by every place that names it; makes recursive schemas finite. */
  readonly records: Map<Type, Step>;
  readonly widths: Map<Type, number | undefined>;
  readonly minimums: Map<Type, number>;
}

const T = avro.types;

function isUnion(type: Type): type is avro.types.UnwrappedUnionType | avro.types.WrappedUnionType {
  return type instanceof T.UnwrappedUnionType || type instanceof T.WrappedUnionType;
}

/**
 * Bytes every value of `type` takes, when that is a constant (null 0, double 8, fixed, records of such),
 * else undefined. Lets arrays of floats or doubles be skipped in one bounds check instead of a loop.
 */
function fixedWidth(type: Type, ctx: Context): number | undefined {
  if (type instanceof T.NullType) return 0;
  if (type instanceof T.BooleanType) return 1;
  if (type instanceof T.FloatType) return 4;
  if (type instanceof T.DoubleType) return 8;
  if (type instanceof T.FixedType) return type.size;
  if (type instanceof T.LogicalType) return fixedWidth(type.underlyingType, ctx);
  if (!(type instanceof T.RecordType)) return undefined;
  if (ctx.widths.has(type)) return ctx.widths.get(type);
  ctx.widths.set(type, undefined); // a record that reaches itself is never fixed-width
  let sum = 0;
  for (const field of type.fields) {
    const w = fixedWidth(field.type, ctx);
    if (w === undefined) return undefined;
    sum += w;
  }
  ctx.widths.set(type, sum);
  return sum;
}

/** Fewest bytes any value of `type` can take: what a declared item count is checked against. */
function minBytes(type: Type, ctx: Context): number {
  const width = fixedWidth(type, ctx);
  if (width !== undefined) return width;
  if (type instanceof T.LogicalType) return minBytes(type.underlyingType, ctx);
  if (!(type instanceof T.RecordType)) return 1; // varints, lengths, indexes, block counts: >= 1 byte
  const known = ctx.minimums.get(type);
  if (known !== undefined) return known;
  ctx.minimums.set(type, 0); // recursion can only go through unions or collections, which cost >= 1
  let sum = 0;
  for (const field of type.fields) sum += minBytes(field.type, ctx);
  ctx.minimums.set(type, sum);
  return sum;
}

function compile(type: Type, path: string, ctx: Context): Step {
  if (type instanceof T.LogicalType) return compile(type.underlyingType, path, ctx);
  if (type instanceof T.NullType) return NOOP;
  if (type instanceof T.BooleanType) return fixedStep(1, path, 'boolean');
  if (type instanceof T.IntType) return intStep(path);
  if (type instanceof T.LongType) return longStep(path);
  if (type instanceof T.FloatType) return fixedStep(4, path, 'float');
  if (type instanceof T.DoubleType) return fixedStep(8, path, 'double');
  if (type instanceof T.StringType) return lengthStep(path, 'string', ctx.limits);
  if (type instanceof T.BytesType) return lengthStep(path, 'bytes', ctx.limits);
  if (type instanceof T.FixedType) return type.size === 0 ? NOOP : fixedStep(type.size, path, `fixed(${type.size})`);
  if (type instanceof T.EnumType) return indexStep(type.symbols.length, path, 'enum');
  if (isUnion(type)) return unionStep(type.types, path, ctx);
  if (type instanceof T.ArrayType) {
    const items = type.itemsType;
    return collectionStep(compile(items, `${path}[]`, ctx), fixedWidth(items, ctx), minBytes(items, ctx), path, 'array', ctx.limits);
  }
  if (type instanceof T.MapType) {
    const values = type.valuesType as Type;
    const entry = mapEntryStep(lengthStep(`${path}{key}`, 'string', ctx.limits), compile(values, `${path}{}`, ctx));
    return collectionStep(entry, undefined, 1 + minBytes(values, ctx), path, 'map', ctx.limits);
  }
  if (type instanceof T.RecordType) return recordStep(type, ctx);
  throw new VigilError('VIGIL_DECODE_SCHEMA_MISMATCH', `${path}: cannot guard Avro type ${type.typeName}`);
}

function unionStep(types: readonly Type[], path: string, ctx: Context): Step {
  const branches = types.map((t, i) => compile(t, `${path}<${t.branchName ?? i}>`, ctx));
  const size = branches.length;
  return (s) => {
    const at = s.pos;
    const i = readVarint(s, 10, path);
    if (!(i >= 0 && i < size)) malformed(path, at, `union branch index ${i} out of range [0, ${size})`);
    branches[i]!(s);
  };
}

function mapEntryStep(key: Step, value: Step): Step {
  if (value === NOOP) return key;
  return (s) => {
    key(s);
    value(s);
  };
}

/**
 * Arrays and maps: blocks of `count` items until a zero count; a negative count is followed by the
 * block's byte size. Every count is checked against the limits and against the bytes left *before* any
 * item is looked at, so a hostile count costs one varint read, not a loop.
 */
function collectionStep(item: Step, width: number | undefined, minItem: number, path: string, what: string, limits: GuardLimits): Step {
  const { maxCollectionItems, maxTotalItems } = limits;
  return (s) => {
    let total = 0;
    for (;;) {
      const at = s.pos;
      let n = readVarint(s, 10, path);
      if (n === 0) return;
      let blockEnd = -1;
      let declared = 0;
      if (n < 0) {
        n = -n;
        const sizeAt = s.pos;
        declared = readVarint(s, 10, path);
        if (declared < 0) malformed(path, sizeAt, `${what} block with negative byte size ${declared}`);
        if (declared > s.end - s.pos) truncated(s, path, sizeAt, `${what} block of ${declared} bytes`);
        blockEnd = s.pos + declared;
      }
      total += n;
      if (total > maxCollectionItems) oversized(path, at, `${what} item count`, total, maxCollectionItems);
      s.items += n;
      if (s.items > maxTotalItems) oversized(path, at, 'total item count of the record', s.items, maxTotalItems);
      // Items of zero size (null, empty records) are bounded by the limits above alone.
      if (n * minItem > s.end - s.pos) truncated(s, path, at, `${what} block of ${n} items`);
      if (width !== undefined) {
        s.pos += n * width; // fits: checked just above, since width === minItem
      } else {
        for (let i = 0; i < n; i++) item(s);
      }
      if (blockEnd >= 0 && s.pos !== blockEnd) {
        malformed(path, at, `${what} block declares ${declared} bytes but its items take ${declared + s.pos - blockEnd}`);
      }
    }
  };
}

function recordStep(type: avro.types.RecordType, ctx: Context): Step {
  const known = ctx.records.get(type);
  if (known !== undefined) return known;
  const name = type.name ?? 'record';
  const fields: Step[] = [];
  const maxDepth = ctx.limits.maxDepth;
  const step: Step = (s) => {
    if (++s.depth > maxDepth) oversized(name, s.pos, 'record nesting depth', s.depth, maxDepth);
    for (let i = 0; i < fields.length; i++) fields[i]!(s);
    s.depth--;
  };
  // Registered before the fields compile, so a field that refers back to this record finds it.
  ctx.records.set(type, step);
  for (const field of type.fields) {
    const f = compile(field.type, `${name}.${field.name}`, ctx);
    if (f !== NOOP) fields.push(f);
  }
  return step;
}

function checkLimits(limits: GuardLimits): GuardLimits {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `guard limit ${key} must be a positive integer, got ${String(value)}`, {
        details: { option: key },
      });
    }
  }
  return Object.freeze({ ...limits });
}

/** Compiles the walk for a writer type (parsed by avsc; named references and recursion are resolved there). */
export function compileGuard(writer: Type, limits: Partial<GuardLimits> = {}): BodyGuard {
  const ctx: Context = {
    limits: checkLimits({ ...DEFAULT_GUARD_LIMITS, ...limits }),
    records: new Map(),
    widths: new Map(),
    minimums: new Map(),
  };
  const root = compile(writer, writer.name ?? writer.typeName, ctx);
  const maxRecordBytes = ctx.limits.maxRecordBytes;
  const state: State = { buf: EMPTY, pos: 0, end: 0, items: 0, depth: 0 };
  return {
    check(buf: Uint8Array, start: number, end: number): void {
      if (end - start > maxRecordBytes) oversized('record', start, 'body size', end - start, maxRecordBytes);
      state.buf = buf;
      state.pos = start;
      state.end = end;
      state.items = 0;
      state.depth = 0;
      try {
        root(state);
      } finally {
        state.buf = EMPTY; // do not keep the last record alive
      }
      if (state.pos !== end) {
        fail('VIGIL_DECODE_TRAILING', 'record', state.pos, `${end - state.pos} bytes left after the record ends at byte ${state.pos}`);
      }
    },
  };
}
