import { describe, expect, it } from 'vitest';
import { binCounts } from '../../../../workers/kernels/histogram.js';
import { quantileEdges } from '../../../../workers/kernels/quantiles.js';
import { mulberry32 } from '../helpers.js';

/** Naive reference: linear scan for the first edge greater than the value. */
function naiveCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let b = 0;
    while (b < edges.length && v >= edges[b]!) b++;
    counts[b]!++;
  }
  return counts;
}

describe('binCounts', () => {
  it('counts per left-closed bin, below-first in bin 0, above-last in the last bin (hand-computed)', () => {
    const edges = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([0, 1, 1.5, 2, 2.5, 3, 4, NaN, -Infinity, Infinity]);
    const counts = new Float64Array(4);
    expect(binCounts(values, 0, values.length, edges, counts)).toBe(9);
    expect(Array.from(counts)).toEqual([2, 2, 2, 3]);
  });

  it('overwrites only its own bins and honours every offset', () => {
    const edges = Float64Array.from([99, 10, 20, 99]);
    const counts = new Float64Array(6).fill(7);
    const values = Float64Array.from([-1, 5, 15, 25, 25, -1]);
    expect(binCounts(values, 1, 4, edges, counts, 1, 2, 2)).toBe(4);
    expect(Array.from(counts)).toEqual([7, 7, 1, 1, 2, 7]);
  });

  it('puts every value in one bin when there is no edge', () => {
    const counts = new Float64Array(1);
    expect(binCounts(Float64Array.from([1, NaN, 3]), 0, 3, new Float64Array(0), counts)).toBe(2);
    expect(Array.from(counts)).toEqual([2]);
  });

  it('returns 0 and zero counts for an empty or all-NaN window', () => {
    const counts = new Float64Array(3).fill(5);
    expect(binCounts(new Float64Array(0), 0, 0, Float64Array.from([1, 2]), counts)).toBe(0);
    expect(Array.from(counts)).toEqual([0, 0, 0]);
    expect(binCounts(Float64Array.from([NaN, NaN]), 0, 2, Float64Array.from([1, 2]), counts)).toBe(0);
    expect(Array.from(counts)).toEqual([0, 0, 0]);
  });

  it('gives the atom of a constant feature its own bin', () => {
    const edges = new Float64Array(9);
    const k = quantileEdges(Float64Array.from([4, 4, 4, 4]), 0, 4, 10, edges);
    const counts = new Float64Array(k + 1);
    binCounts(Float64Array.from([3, 4, 4, 4.000001]), 0, 4, edges, counts, 0, k);
    expect(Array.from(counts)).toEqual([1, 2, 1]);
  });

  it('matches a naive linear scan on seeded random data', () => {
    const rng = mulberry32(2024);
    for (let trial = 0; trial < 100; trial++) {
      const n = Math.floor(rng() * 500);
      const values = Float64Array.from({ length: n }, () => (rng() < 0.05 ? NaN : Math.round((rng() - 0.5) * 100) / 10));
      const reference = Float64Array.from({ length: 200 }, () => Math.round((rng() - 0.5) * 80) / 10);
      const bins = 2 + Math.floor(rng() * 40);
      const edges = new Float64Array(bins - 1);
      const k = quantileEdges(reference, 0, reference.length, bins, edges);
      const counts = new Float64Array(k + 1);
      const counted = binCounts(values, 0, n, edges, counts, 0, k);
      const expected = naiveCounts(values, edges.subarray(0, k));
      expect(Array.from(counts), `trial ${trial}`).toEqual(expected);
      expect(counted).toBe(expected.reduce((a, b) => a + b, 0));
    }
  });

  it('rejects ranges outside the arrays with a RangeError', () => {
    expect(() => binCounts(new Float64Array(2), 1, 2, new Float64Array(1), new Float64Array(2))).toThrow(RangeError);
    expect(() => binCounts(new Float64Array(2), 0, 2, new Float64Array(3), new Float64Array(3))).toThrow(/needs 4 bins/);
    expect(() => binCounts(new Float64Array(2), 0, 2, new Float64Array(3), new Float64Array(4), 2, 2)).toThrow(RangeError);
  });
});
