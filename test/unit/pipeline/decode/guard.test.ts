import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { isVigilError } from '../../../../src/errors.js';
import { compileGuard, MALFORMED_CODE } from '../../../reference/decode/guard.js';
import type { GuardLimits } from '../../../reference/decode/guard.js';
import { EVENT_TYPE, INFERENCE_EVENT, LLM_INFERENCE_EVENT, MiB, avroString, headFields, heapGrowth, varint, wideEvent } from './helpers.js';

function typeOf(schema: unknown): Type {
  return avro.Type.forSchema(schema as Schema, { wrapUnions: false });
}

/** 'ok' or the VigilError code the guard throws for `bytes`. */
function verdict(type: Type, bytes: Uint8Array | number[], limits: Partial<GuardLimits> = {}): string {
  const buf = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  try {
    compileGuard(type, limits).check(buf, 0, buf.length);
    return 'ok';
  } catch (err) {
    if (isVigilError(err)) return err.code;
    throw err;
  }
}

function messageOf(type: Type, bytes: number[], limits: Partial<GuardLimits> = {}): string {
  try {
    compileGuard(type, limits).check(Uint8Array.from(bytes), 0, bytes.length);
  } catch (err) {
    return isVigilError(err) ? err.message : String(err);
  }
  return 'ok';
}

// Every kind of Avro type, named references, a logical type and a recursive record.
const KITCHEN = typeOf({
  type: 'record',
  name: 'Kitchen',
  namespace: 'test',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'b', type: 'boolean' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 'by', type: 'bytes' },
    { name: 's', type: 'string' },
    { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 } },
    { name: 'fx2', type: 'Four' },
    { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'dec', type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 } },
    { name: 'u', type: ['null', 'string', 'int'] },
    { name: 'arr', type: { type: 'array', items: 'double' } },
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'pairs', type: { type: 'array', items: { type: 'record', name: 'Pair', fields: [{ name: 'k', type: 'string' }, { name: 'v', type: 'int' }] } } },
    { name: 'm', type: { type: 'map', values: 'Pair' } },
    { name: 'nested', type: { type: 'array', items: { type: 'array', items: 'null' } } },
    { name: 'colors', type: { type: 'array', items: 'Color' } },
    {
      name: 'list',
      type: ['null', { type: 'record', name: 'Node', fields: [{ name: 'value', type: 'int' }, { name: 'next', type: ['null', 'Node'] }] }],
    },
  ],
});

const KITCHEN_VALUE = {
  n: null,
  b: true,
  i: -5,
  l: 1234567890123,
  f: 1.5,
  d: -2.25,
  by: Buffer.from([1, 2, 3]),
  s: 'héllo',
  fx: Buffer.from([1, 2, 3, 4]),
  fx2: Buffer.alloc(4),
  e: 'BLUE',
  ts: 1700000000000,
  dec: Buffer.from([0x01, 0x00]),
  u: 'x',
  arr: [1, 2, 3],
  nulls: [null, null, null],
  pairs: [{ k: 'a', v: 1 }],
  m: { x: { k: 'b', v: 2 } },
  nested: [[null], []],
  colors: ['RED', 'GREEN'],
  list: { value: 1, next: { value: 2, next: null } },
};

const LONG = typeOf({ type: 'record', name: 'L', fields: [{ name: 'l', type: 'long' }] });
const INT = typeOf({ type: 'record', name: 'I', fields: [{ name: 'i', type: 'int' }] });
const STRING = typeOf({ type: 'record', name: 'S', fields: [{ name: 's', type: 'string' }] });
const BYTES = typeOf({ type: 'record', name: 'B', fields: [{ name: 'b', type: 'bytes' }] });
const DOUBLES = typeOf({ type: 'array', items: 'double' });
const STRINGS = typeOf({ type: 'array', items: 'string' });
const NULLS = typeOf({ type: 'array', items: 'null' });
const NESTED_NULLS = typeOf({ type: 'array', items: { type: 'array', items: 'null' } });
const MAP = typeOf({ type: 'map', values: 'int' });

describe('guard: valid bodies', () => {
  it('accepts a value of every Avro type and agrees with avsc on where it ends', () => {
    const body = KITCHEN.toBuffer(KITCHEN_VALUE);
    expect(verdict(KITCHEN, body)).toBe('ok');
    expect(KITCHEN.decode(body, 0).offset).toBe(body.length);
  });

  it('accepts real inference events, plain, generative and wide', () => {
    for (const event of [INFERENCE_EVENT, LLM_INFERENCE_EVENT, wideEvent(500)]) {
      expect(verdict(EVENT_TYPE, EVENT_TYPE.toBuffer(event))).toBe('ok');
    }
  });

  it('checks only the given range of a larger buffer', () => {
    const body = EVENT_TYPE.toBuffer(INFERENCE_EVENT);
    const framed = Buffer.concat([Buffer.from([9, 9, 9]), body, Buffer.from([7, 7])]);
    expect(() => compileGuard(EVENT_TYPE).check(framed, 3, 3 + body.length)).not.toThrow();
  });

  it('accepts negative block counts whose byte size matches, as avsc reads them', () => {
    // array<double>: block of -2 items carrying 16 bytes, then the end marker.
    const bytes = [...varint(-2), ...varint(16), ...Buffer.alloc(16), 0];
    expect(verdict(DOUBLES, bytes)).toBe('ok');
    expect(DOUBLES.decode(Buffer.from(bytes), 0)).toEqual({ value: [0, 0], offset: bytes.length });
    const map = [...varint(-1), ...varint(3), ...avroString('k'), ...varint(5), 0];
    expect(verdict(MAP, map)).toBe('ok');
  });

  it('accepts arrays of a zero-size type within the item limit', () => {
    expect(verdict(NULLS, [...varint(1000), 0])).toBe('ok');
  });

  it('accepts a recursive record as deep as the limit allows', () => {
    let list: unknown = null;
    for (let i = 0; i < 10; i++) list = { value: i, next: list };
    const body = KITCHEN.toBuffer({ ...KITCHEN_VALUE, list });
    expect(verdict(KITCHEN, body, { maxDepth: 12 })).toBe('ok');
    expect(verdict(KITCHEN, body, { maxDepth: 8 })).toBe('VIGIL_DECODE_OVERSIZED');
  });
});

describe('guard: truncated and trailing bodies', () => {
  it('reports TRUNCATED at every cut point of a value of every type', () => {
    const body = KITCHEN.toBuffer(KITCHEN_VALUE);
    const codes = new Set<string>();
    for (let cut = 0; cut < body.length; cut++) codes.add(verdict(KITCHEN, body.subarray(0, cut)));
    expect([...codes]).toEqual(['VIGIL_DECODE_TRUNCATED']);
  });

  it('reports TRUNCATED at every cut point of an inference event', () => {
    for (const event of [INFERENCE_EVENT, LLM_INFERENCE_EVENT]) {
      const body = EVENT_TYPE.toBuffer(event);
      for (let cut = 0; cut < body.length; cut++) {
        expect(verdict(EVENT_TYPE, body.subarray(0, cut)), `cut at ${cut}`).toBe('VIGIL_DECODE_TRUNCATED');
      }
    }
  });

  it('reports TRAILING when bytes follow the record', () => {
    const body = EVENT_TYPE.toBuffer(INFERENCE_EVENT);
    expect(verdict(EVENT_TYPE, Buffer.concat([body, Buffer.from([0])]))).toBe('VIGIL_DECODE_TRAILING');
    expect(verdict(KITCHEN, Buffer.concat([KITCHEN.toBuffer(KITCHEN_VALUE), Buffer.from('junk')]))).toBe('VIGIL_DECODE_TRAILING');
  });

  it('reports TRUNCATED for a count the remaining bytes cannot hold, within the limits', () => {
    // 50 doubles need 400 bytes; 3 strings need at least 3 bytes.
    expect(verdict(DOUBLES, [...varint(50), 1, 2, 3, 0])).toBe('VIGIL_DECODE_TRUNCATED');
    expect(verdict(STRINGS, [...varint(3), 0, 0])).toBe('VIGIL_DECODE_TRUNCATED');
    expect(verdict(STRING, [...varint(10), 65, 66])).toBe('VIGIL_DECODE_TRUNCATED');
    expect(verdict(DOUBLES, [...varint(-2), ...varint(100), 0])).toBe('VIGIL_DECODE_TRUNCATED');
  });
});

describe('guard: hostile declarations', () => {
  it('rejects 2^31 array items declared in a few bytes, quickly and without allocating', async () => {
    const bytes = [...headFields(), ...varint(2 ** 31)];
    const started = performance.now();
    let code = '';
    const growth = await heapGrowth(() => {
      code = verdict(EVENT_TYPE, bytes);
    });
    expect(code).toBe('VIGIL_DECODE_OVERSIZED');
    expect(performance.now() - started).toBeLessThan(50);
    expect(growth).toBeLessThan(4 * MiB);
    // What the guard prevents: avsc itself would try to build the map.
    expect(messageOf(EVENT_TYPE, bytes)).toMatch(/features: map item count at byte \d+ declares 2147483648, over the limit of 100000/);
  });

  it('rejects a 2 GB string declared in a few bytes', async () => {
    let code = '';
    const growth = await heapGrowth(() => {
      code = verdict(EVENT_TYPE, [...varint(2 ** 31), 65, 66, 67]);
    });
    expect(code).toBe('VIGIL_DECODE_OVERSIZED');
    expect(growth).toBeLessThan(4 * MiB);
    expect(verdict(BYTES, [...varint(2 ** 31)])).toBe('VIGIL_DECODE_OVERSIZED');
  });

  it('bounds zero-size items by the configured limits, per collection and per record', () => {
    expect(verdict(NULLS, [...varint(1e9), 0])).toBe('VIGIL_DECODE_OVERSIZED');
    expect(verdict(NULLS, [...varint(2 ** 62), 0])).toBe('VIGIL_DECODE_OVERSIZED');
    // Many blocks add up to the same count.
    expect(verdict(NULLS, [...varint(60), ...varint(60), 0], { maxCollectionItems: 100 })).toBe('VIGIL_DECODE_OVERSIZED');
    // Nested: 3 inner arrays of 90 nulls pass each collection's limit, not the record's.
    const nested = [...varint(3), ...[0, 1, 2].flatMap(() => [...varint(90), 0]), 0];
    expect(verdict(NESTED_NULLS, nested, { maxCollectionItems: 100, maxTotalItems: 1000 })).toBe('ok');
    expect(verdict(NESTED_NULLS, nested, { maxCollectionItems: 100, maxTotalItems: 200 })).toBe('VIGIL_DECODE_OVERSIZED');
  });

  it('caps string length and record size by the configured limits', () => {
    const big = 'x'.repeat(2000);
    expect(verdict(STRING, STRING.toBuffer({ s: big }), { maxStringBytes: 1999 })).toBe('VIGIL_DECODE_OVERSIZED');
    expect(verdict(STRING, STRING.toBuffer({ s: big }), { maxStringBytes: 2000 })).toBe('ok');
    expect(verdict(STRING, STRING.toBuffer({ s: big }), { maxRecordBytes: 1000 })).toBe('VIGIL_DECODE_OVERSIZED');
  });

  it('rejects negative lengths, counts-with-sizes that lie, and over-long varints as malformed', () => {
    expect(verdict(STRING, [...varint(-3)])).toBe(MALFORMED_CODE);
    expect(verdict(BYTES, [...varint(-1), 0])).toBe(MALFORMED_CODE);
    expect(verdict(DOUBLES, [...varint(-1), ...varint(-8), 0])).toBe(MALFORMED_CODE);
    // The block says 9 bytes, its one double takes 8.
    expect(verdict(DOUBLES, [...varint(-1), ...varint(9), ...Buffer.alloc(9), 0])).toBe(MALFORMED_CODE);
    expect(verdict(LONG, [...new Array<number>(10).fill(0x80), 0])).toBe(MALFORMED_CODE);
    expect(verdict(INT, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).toBe(MALFORMED_CODE);
  });

  it('rejects ints and longs outside the ranges avsc can represent', () => {
    expect(verdict(INT, varint(2 ** 31 - 1))).toBe('ok');
    expect(verdict(INT, varint(-(2 ** 31)))).toBe('ok');
    expect(verdict(INT, varint(2 ** 31))).toBe(MALFORMED_CODE);
    expect(verdict(LONG, varint(9007199254740990))).toBe('ok');
    expect(verdict(LONG, varint(-9007199254740990))).toBe('ok');
    expect(verdict(LONG, varint(2n ** 60n))).toBe(MALFORMED_CODE);
    expect(verdict(LONG, varint(-(2n ** 63n)))).toBe(MALFORMED_CODE);
    expect(() => LONG.decode(Buffer.from(varint(2n ** 60n)), 0)).toThrow(); // what the guard spares us
  });

  it('rejects enum and union indexes out of range, and names the field', () => {
    const colorAt = KITCHEN.toBuffer({ ...KITCHEN_VALUE, e: 'RED' });
    const other = KITCHEN.toBuffer({ ...KITCHEN_VALUE, e: 'GREEN' });
    const at = colorAt.findIndex((b, i) => b !== other[i]);
    const bad = Buffer.from(colorAt);
    bad[at] = varint(3)[0]!;
    expect(verdict(KITCHEN, bad)).toBe(MALFORMED_CODE);
    expect(messageOf(KITCHEN, [...bad])).toMatch(/^test\.Kitchen\.e: enum index 3 out of range \[0, 3\)/);
    bad[at] = varint(-1)[0]!;
    expect(verdict(KITCHEN, bad)).toBe(MALFORMED_CODE);

    const union = typeOf({ type: 'record', name: 'U', fields: [{ name: 'u', type: ['null', 'string'] }] });
    expect(verdict(union, [...varint(1), ...avroString('x')])).toBe('ok');
    expect(verdict(union, [...varint(2), ...avroString('x')])).toBe(MALFORMED_CODE);
    expect(verdict(union, [...varint(-1)])).toBe(MALFORMED_CODE);
    expect(messageOf(union, [...varint(7)])).toMatch(/union branch index 7 out of range \[0, 2\)/);
  });
});

describe('guard: construction and cost', () => {
  it('rejects limits that are not positive integers, naming the limit', () => {
    expect(() => compileGuard(LONG, { maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => compileGuard(LONG, { maxStringBytes: 1.5 })).toThrow(/maxStringBytes/);
  });

  it('walks wrapped unions too', () => {
    const wrapped = avro.Type.forSchema(
      { type: 'record', name: 'W', fields: [{ name: 'u', type: ['null', { type: 'record', name: 'A', fields: [] }, { type: 'record', name: 'B', fields: [{ name: 'x', type: 'int' }] }] }] } as Schema,
      { wrapUnions: true },
    );
    expect(verdict(wrapped, wrapped.toBuffer({ u: { B: { x: 3 } } }))).toBe('ok');
    expect(verdict(wrapped, [...varint(3)])).toBe(MALFORMED_CODE);
  });

  it('costs well under the avsc decode it protects (32-feature event)', () => {
    const body = EVENT_TYPE.toBuffer(wideEvent(32));
    const guard = compileGuard(EVENT_TYPE);
    const rounds = 5;
    const n = 5_000;
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      for (let i = 0; i < n; i++) guard.check(body, 0, body.length);
      const guardMs = performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < n; i++) EVENT_TYPE.decode(body, 0);
      ratios.push(guardMs / (performance.now() - t0));
    }
    ratios.sort((a, b) => a - b);
    // Measured about 0.1-0.2; the bound is loose because CI machines are noisy.
    expect(ratios[Math.floor(rounds / 2)]).toBeLessThan(0.6);
  });
});
