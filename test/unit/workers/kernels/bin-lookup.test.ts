/** lookupBinCounts counts exactly as binCounts, whatever the edges and the values. */
import { describe, expect, it } from 'vitest';
import { fixedWidthEdges } from '../../../../workers/kernels/binning.js';
import { nextUp } from '../../../../workers/kernels/float.js';
import { binCounts, binLookupCells, binLookupStride, buildBinLookup, lookupBinCounts } from '../../../../workers/kernels/histogram.js';
import { quantileEdges } from '../../../../workers/kernels/quantiles.js';
import { gaussian, mulberry32 } from '../helpers.js';

/** The next double below x (x finite). */
const nextDown = (x: number): number => -nextUp(-x);

/** A one-feature table of `maxEdges`-edge blocks over `edges`. */
function tableOf(edges: Float64Array, maxEdges = edges.length): { table: Float64Array; cells: Int32Array } {
  const table = new Float64Array(binLookupStride(maxEdges));
  buildBinLookup(edges, 0, edges.length, maxEdges, table, 0);
  return { table, cells: binLookupCells(table) };
}

/** Both kernels over `values`; the counts and the totals must agree. */
function expectSameCounts(values: Float64Array, edges: Float64Array, label: string, maxEdges = edges.length): void {
  const { table, cells } = tableOf(edges, maxEdges);
  const want = new Float64Array(edges.length + 1);
  const got = new Float64Array(edges.length + 1).fill(-1);
  const wantN = binCounts(values, 0, values.length, edges, want);
  const gotN = lookupBinCounts(values, 0, values.length, table, cells, maxEdges, 0, got);
  expect([...got], label).toEqual([...want]);
  expect(gotN, label).toBe(wantN);
}

/** Values on every edge, one ulp either side of it, and the awkward ones: NaN, ±Infinity, ±0. */
function awkward(edges: Float64Array): Float64Array {
  const out = [NaN, Infinity, -Infinity, 0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE];
  for (const e of edges) out.push(e, nextUp(e), nextDown(e));
  return Float64Array.from(out);
}

describe('lookupBinCounts', () => {
  it('counts as binCounts on random data over uneven, clustered and quantile edges', () => {
    const rng = mulberry32(31);
    const gauss = gaussian(rng);
    for (let trial = 0; trial < 60; trial++) {
      const k = 2 + Math.floor(rng() * 70);
      const spread = trial % 3 === 0 ? 1e-9 : trial % 3 === 1 ? 1 : 1e6;
      let edges: Float64Array;
      if (trial % 4 === 0) {
        // Quantile edges of a skewed reference: crowded near the bulk, sparse in the tail.
        const reference = Float64Array.from({ length: 2000 }, () => Math.exp(2 * gauss()) * spread);
        const raw = new Float64Array(k);
        edges = raw.slice(0, quantileEdges(reference, 0, reference.length, k + 1, raw));
      } else {
        edges = Float64Array.from([...new Set(Array.from({ length: k }, () => gauss() * spread * (1 + 10 * rng())))].sort((a, b) => a - b));
      }
      const values = Float64Array.from({ length: 500 + Math.floor(rng() * 3000) }, () => {
        const u = rng();
        if (u < 0.05) return edges[Math.floor(rng() * edges.length)]!;
        if (u < 0.08) return nextUp(edges[Math.floor(rng() * edges.length)]!);
        if (u < 0.11) return nextDown(edges[Math.floor(rng() * edges.length)]!);
        if (u < 0.13) return NaN;
        if (u < 0.14) return rng() < 0.5 ? Infinity : -Infinity;
        return gauss() * spread * 8;
      });
      expectSameCounts(values, edges, `trial ${trial}, ${edges.length} edges`, edges.length + Math.floor(rng() * 5));
      expectSameCounts(awkward(edges), edges, `trial ${trial}, awkward values`);
    }
  });

  it('counts as binCounts over fixed-k edges, tiny, huge and offset ranges included', () => {
    const rng = mulberry32(77);
    for (const [min, max, k] of [[-3.2, 3.1, 32], [0, 1, 7], [1e9, 1e9 + 3, 5], [-1e-12, 1e-12, 10], [5, 5, 10], [0.1, 0.7, 3], [-1e300, 1e300, 16]] as const) {
      const raw = new Float64Array(k + 1);
      const edges = raw.slice(0, fixedWidthEdges(min, max, k, raw));
      const values = Float64Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? NaN : min - (max - min) * 0.2 + rng() * (max - min) * 1.4));
      expectSameCounts(values, edges, `${min}..${max} k=${k}`);
      expectSameCounts(awkward(edges), edges, `${min}..${max} k=${k}, awkward values`);
    }
  });

  it('separates edges one ulp apart that share a cell (a point mass next to a far edge)', () => {
    const edges = Float64Array.of(0, Number.MIN_VALUE, 2 * Number.MIN_VALUE, 1, nextUp(1), 1e6);
    const values = Float64Array.from([...awkward(edges), 0, 0, 1, 1, 1, 5e5, -3]);
    expectSameCounts(values, edges, 'clustered');
    const { table, cells } = tableOf(edges);
    const counts = new Float64Array(7);
    lookupBinCounts(Float64Array.of(0, Number.MIN_VALUE, 1, nextUp(1), 2, 1e6, -1), 0, 7, table, cells, 6, 0, counts);
    // bins: (-∞, 0), [0, MIN), [MIN, 2·MIN), [2·MIN, 1), [1, nextUp(1)), [nextUp(1), 1e6), [1e6, ∞)
    expect([...counts]).toEqual([1, 1, 1, 0, 1, 2, 1]);
  });

  it('counts as binCounts with the most bins a profile may have, where cells hold several edges', () => {
    const rng = mulberry32(5);
    const gauss = gaussian(rng);
    const reference = Float64Array.from({ length: 20_000 }, () => (rng() < 0.2 ? 0 : gauss() ** 3));
    const raw = new Float64Array(1023);
    const edges = raw.slice(0, quantileEdges(reference, 0, reference.length, 1024, raw));
    expect(edges.length).toBeGreaterThan(500);
    const values = Float64Array.from({ length: 20_000 }, () => (rng() < 0.1 ? 0 : rng() < 0.01 ? NaN : gauss() ** 3));
    expectSameCounts(values, edges, '1024 bins', 1023);
    expectSameCounts(awkward(edges), edges, '1024 bins, awkward values', 1023);
  });

  it('counts as binCounts past the most edges a block gets cells for (then by the search)', () => {
    const rng = mulberry32(9);
    const edges = Float64Array.from({ length: 5000 }, (_, i) => i / 100 + (i % 7 === 0 ? 1e-9 : 0));
    const values = Float64Array.from({ length: 30_000 }, () => (rng() < 0.01 ? NaN : rng() * 60 - 5));
    expectSameCounts(values, edges, '5000 edges');
    expectSameCounts(awkward(edges), edges, '5000 edges, awkward values');
  });

  it('counts every value of a cell that holds no edge in the bin the search gives (the flagged cells alone compare)', () => {
    // 2 edges in 128 cells: nearly every cell is free of edges, and values fill all of them densely.
    const edges = Float64Array.of(-1, 1);
    const values = Float64Array.from({ length: 60_001 }, (_, i) => -6 + i * 2e-4);
    expectSameCounts(values, edges, 'dense sweep');
  });

  it('falls back to the binary search for no edge, one edge and infinite edges', () => {
    for (const edges of [new Float64Array(0), Float64Array.of(2), Float64Array.of(-Infinity, 0, 1), Float64Array.of(0, 1, Infinity), Float64Array.of(-Number.MAX_VALUE, Number.MAX_VALUE)]) {
      const values = Float64Array.from([...awkward(edges), 0.5, 3, -7, NaN]);
      expectSameCounts(values, edges, `edges ${[...edges].join(',')}`, edges.length + 1);
    }
    const { table, cells } = tableOf(Float64Array.of(2), 1);
    const counts = new Float64Array(2);
    expect(lookupBinCounts(Float64Array.of(1, NaN, 2, 3), 0, 4, table, cells, 1, 0, counts)).toBe(3);
    expect([...counts]).toEqual([1, 2]);
  });

  it('keeps features apart in one table and honours the value and count offsets', () => {
    const maxEdges = 4;
    const table = new Float64Array(3 * binLookupStride(maxEdges));
    const edges = Float64Array.of(99, 1, 2, 3, 99, 10, 20, 30, 40);
    buildBinLookup(edges, 1, 3, maxEdges, table, 0);
    buildBinLookup(edges, 5, 4, maxEdges, table, 2);
    const cells = binLookupCells(table);
    const values = Float64Array.of(-5, 0, 1.5, 2, 3, NaN, 25, 45, -5);
    const counts = new Float64Array(9).fill(7);
    expect(lookupBinCounts(values, 1, 5, table, cells, maxEdges, 0, counts, 1)).toBe(4);
    expect([...counts]).toEqual([7, 1, 1, 1, 1, 7, 7, 7, 7]);
    const wide = new Float64Array(5).fill(7);
    expect(lookupBinCounts(values, 5, 3, table, cells, maxEdges, 2, wide)).toBe(2);
    expect([...wide]).toEqual([0, 0, 1, 0, 1]);
  });

  it('returns 0 and zero counts for an empty or all-NaN window', () => {
    const { table, cells } = tableOf(Float64Array.of(1, 2, 3));
    const counts = new Float64Array(4).fill(5);
    expect(lookupBinCounts(new Float64Array(0), 0, 0, table, cells, 3, 0, counts)).toBe(0);
    expect([...counts]).toEqual([0, 0, 0, 0]);
    expect(lookupBinCounts(Float64Array.of(NaN, NaN, NaN, NaN, NaN), 0, 5, table, cells, 3, 0, counts)).toBe(0);
    expect([...counts]).toEqual([0, 0, 0, 0]);
  });

  it('rejects what does not fit with a RangeError naming it', () => {
    const { table, cells } = tableOf(Float64Array.of(1, 2, 3));
    const values = new Float64Array(4);
    expect(() => lookupBinCounts(values, 0, 4, table, cells, 3, 1, new Float64Array(4))).toThrow(/feature 1 has no block/);
    expect(() => lookupBinCounts(values, 2, 4, table, cells, 3, 0, new Float64Array(4))).toThrow(/offset 2 and length 4/);
    expect(() => lookupBinCounts(values, 0, 4, table, cells, 3, 0, new Float64Array(3))).toThrow(/needs 4 bins/);
    expect(() => lookupBinCounts(values, 0, 4, table, new Int32Array(8), 3, 0, new Float64Array(4))).toThrow(/cells must be binLookupCells\(table\), \d+ int32, got 8/);
    expect(() => buildBinLookup(Float64Array.of(1, 2, 3), 0, 3, 2, new Float64Array(binLookupStride(2)), 0)).toThrow(/3 edges from offset 0/);
    expect(() => buildBinLookup(Float64Array.of(1, 2), 0, 2, 2, table, 5)).toThrow(/feature 5 has no block/);
    expect(() => binLookupStride(-1)).toThrow(/maxEdges/);
    expect(() => binLookupStride(2 ** 24)).toThrow(/maxEdges must be an integer in \[0, 16777216\)/);
  });
});
