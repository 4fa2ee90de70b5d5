import { describe, expect, it } from 'vitest';
import { nextUp } from '../../../../workers/kernels/float.js';
import { quantileEdges } from '../../../../workers/kernels/quantiles.js';
import { gaussian, mulberry32 } from '../helpers.js';

/** Naive reference: filter, sort a JS array, type-7 quantiles, the same dedupe rule. */
function naiveEdges(values: number[], bins: number): number[] {
  const x = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (x.length === 0) return [];
  const edges: number[] = [];
  let split = false;
  for (let j = 1; j < bins; j++) {
    const h = (x.length - 1) * (j / bins);
    const lo = Math.floor(h);
    const a = x[lo]!;
    const b = x[Math.min(lo + 1, x.length - 1)]!;
    const q = a === b ? a : a + (h - lo) * (b - a);
    const last = edges[edges.length - 1];
    if (last === undefined || q > last) {
      edges.push(q);
      split = false;
    } else if (!split && q === last) {
      edges.push(nextUp(last));
      split = true;
    }
  }
  return edges;
}

function edgesOf(values: number[], bins: number): number[] {
  const out = new Float64Array(Math.max(0, bins - 1));
  const k = quantileEdges(Float64Array.from(values), 0, values.length, bins, out);
  return Array.from(out.subarray(0, k));
}

describe('quantileEdges', () => {
  it('gives the type-7 quartiles of 1..10 (hand-computed)', () => {
    // h = 9p: 2.25 → 3.25, 4.5 → 5.5, 6.75 → 7.75
    expect(edgesOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4)).toEqual([3.25, 5.5, 7.75]);
  });

  it('skips NaN and reads only values[offset .. offset + length)', () => {
    expect(edgesOf([NaN, 3, NaN, 1, 2], 2)).toEqual([2]);
    const out = new Float64Array(4).fill(-1);
    const k = quantileEdges(Float64Array.from([100, 1, 2, 3, 4, 5, -100]), 1, 5, 2, out, 2);
    expect(k).toBe(1);
    expect(Array.from(out)).toEqual([-1, -1, 3, -1]);
  });

  it('matches a naive implementation on seeded random data, ties included', () => {
    const rng = mulberry32(42);
    const normal = gaussian(rng);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng() * 300);
      const bins = 2 + Math.floor(rng() * 40);
      const rounding = trial % 3 === 0 ? 1 : trial % 3 === 1 ? 10 : 1e6; // coarse rounding makes ties
      const values = Array.from({ length: n }, () => (rng() < 0.1 ? NaN : Math.round(normal() * rounding) / rounding));
      // -0 and +0 sort apart in a typed array and together in a JS array; as edges they are the same.
      const plusZero = (edges: number[]): number[] => edges.map((e) => e + 0);
      expect(plusZero(edgesOf(values, bins)), `trial ${trial}`).toEqual(plusZero(naiveEdges(values, bins)));
    }
  });

  it('returns strictly increasing edges, at most bins - 1', () => {
    const rng = mulberry32(7);
    for (let trial = 0; trial < 100; trial++) {
      const values = Array.from({ length: 50 }, () => Math.floor(rng() * 4));
      const bins = 2 + (trial % 30);
      const edges = edgesOf(values, bins);
      expect(edges.length).toBeLessThanOrEqual(bins - 1);
      for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
    }
  });

  it('gives a constant feature the edges [c, nextUp(c)]: below, equal, above', () => {
    expect(edgesOf([5, 5, 5, 5, 5], 10)).toEqual([5, nextUp(5)]);
    expect(nextUp(5)).toBeGreaterThan(5);
    expect(edgesOf([0, 0, 0], 4)).toEqual([0, Number.MIN_VALUE]);
    expect(edgesOf([-2, -2], 3)).toEqual([-2, nextUp(-2)]);
  });

  it('treats a single value like a constant feature', () => {
    expect(edgesOf([7], 4)).toEqual([7, nextUp(7)]);
    expect(edgesOf([7], 2)).toEqual([7]);
  });

  it('gives a point mass its own bin and keeps the rest', () => {
    const values = [...Array<number>(50).fill(0), ...Array.from({ length: 50 }, (_, i) => i + 1)];
    const edges = edgesOf(values, 10);
    // quantiles at 0.1 .. 0.4 are 0; 0.5 .. 0.9 interpolate into the positive values
    expect(edges.slice(0, 2)).toEqual([0, Number.MIN_VALUE]);
    expect(edges.slice(2)).toHaveLength(5);
    expect(edges[2]).toBeCloseTo(0.5, 12);
  });

  it('returns no edge for an all-NaN or empty window', () => {
    expect(edgesOf([NaN, NaN, NaN], 10)).toEqual([]);
    expect(edgesOf([], 10)).toEqual([]);
  });

  it('stays NaN-free and monotone with infinities', () => {
    const edges = edgesOf([-Infinity, -1, 0, 1, Infinity, Infinity], 8);
    expect(edges.some(Number.isNaN)).toBe(false);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
  });

  it('reuses its scratch buffer across calls of different sizes', () => {
    const rng = mulberry32(3);
    const big = Float64Array.from({ length: 5000 }, () => rng());
    const small = Float64Array.from([3, 1, 2]);
    const out = new Float64Array(9);
    quantileEdges(big, 0, big.length, 10, out);
    expect(quantileEdges(small, 0, 3, 2, out)).toBe(1);
    expect(out[0]).toBe(2);
    expect(Array.from(small)).toEqual([3, 1, 2]); // the input is never sorted in place
  });

  it('rejects bad arguments with a RangeError', () => {
    const out = new Float64Array(2);
    expect(() => quantileEdges(new Float64Array(3), 0, 3, 0, out)).toThrow(RangeError);
    expect(() => quantileEdges(new Float64Array(3), 0, 3, 4, out)).toThrow(/room for 3 edges/);
    expect(() => quantileEdges(new Float64Array(3), 2, 2, 2, out)).toThrow(RangeError);
  });
});

describe('nextUp', () => {
  it('steps to the adjacent double', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-Number.MIN_VALUE)).toBe(-0);
    expect(nextUp(Number.MAX_VALUE)).toBe(Infinity);
    expect(nextUp(-Infinity)).toBe(-Number.MAX_VALUE);
    expect(nextUp(Infinity)).toBe(Infinity);
    expect(nextUp(NaN)).toBeNaN();
    expect(nextUp(2 ** 52 - 0.5)).toBe(2 ** 52); // carry from the low word into the high word
  });
});
