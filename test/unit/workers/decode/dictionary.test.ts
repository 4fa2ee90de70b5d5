import { describe, expect, it } from 'vitest';
import { encodeDictionary, expandDictionary } from '../../../../workers/decode/dictionary.js';

/** Through encode, a structured clone (as between threads) and expand. */
function roundTrip<T extends string | null>(column: readonly T[], start?: number, end?: number, keep?: readonly number[]): { encoded: ReturnType<typeof encodeDictionary<T>>; out: T[] } {
  const encoded = encodeDictionary(column, start, end);
  const copy = structuredClone(encoded, { transfer: [encoded.codes.buffer as ArrayBuffer] });
  return { encoded: copy, out: expandDictionary(copy, 'test', keep) };
}

describe('dictionary columns', () => {
  it('round-trips nulls and empty strings as values of their own', () => {
    const column = ['a', null, '', 'a', null, '', '', 'b'];
    const { encoded, out } = roundTrip(column);
    expect(out).toEqual(column);
    expect(encoded.values).toEqual(['a', null, '', 'b']);
    expect([...encoded.codes]).toEqual([0, 1, 2, 0, 1, 2, 2, 3]);
  });

  it('round-trips one distinct value as a single value, and its rows are that one string', () => {
    const value = `svc-${'x'.repeat(40)}`;
    const column = Array.from({ length: 7500 }, () => value);
    const { encoded, out } = roundTrip(column);
    expect(encoded.values).toEqual([value]);
    expect(out).toHaveLength(7500);
    expect(out.every((v) => v === value)).toBe(true);
    expect(roundTrip([null, null, null]).out).toEqual([null, null, null]);
  });

  it('round-trips all-distinct values', () => {
    const column = Array.from({ length: 5000 }, (_, i) => `principal-${i}`);
    const { encoded, out } = roundTrip(column);
    expect(encoded.values).toHaveLength(5000);
    expect(out).toEqual(column);
  });

  it('encodes a slice of the rows and expands the kept rows only, in their order', () => {
    const column = ['a', 'b', 'c', 'b', 'a', 'd'];
    const { encoded, out } = roundTrip(column, 1, 5, [3, 0, 2]);
    expect(encoded.values).toEqual(['b', 'c', 'a']);
    expect(out).toEqual(['a', 'b', 'b']);
    expect(roundTrip(['x', 'x'], 0, 2, [1]).out).toEqual(['x']);
    expect(roundTrip([], 0, 0).out).toEqual([]);
  });

  it('rejects an index outside the values, naming the column and row', () => {
    expect(() => expandDictionary({ values: ['a'], codes: Uint32Array.of(0, 3) }, 'principals')).toThrow(/principals column: row 1 has value index 3 of 1 values/);
    expect(() => expandDictionary({ values: ['a', 'b'], codes: Uint32Array.of(0) }, 'endpoints', [4])).toThrow(/endpoints column: row 4/);
  });
});
