import { describe, expect, it } from 'vitest';
import { adjustPValues, distanceCriticalValue, distancePValue, perTestAlpha } from '../../../../workers/kernels/multitest.js';
import { fixedWidthEdges } from '../../../../workers/kernels/binning.js';
import { binCounts } from '../../../../workers/kernels/histogram.js';
import { nextUp } from '../../../../workers/kernels/float.js';

describe('multiple-testing corrections', () => {
  const p = Float64Array.of(0.01, 0.04, 0.03, NaN, 0.005);

  it('Bonferroni multiplies by the number of tests (NaN is not a test)', () => {
    const out = new Float64Array(5);
    adjustPValues(p, 5, 'bonferroni', out);
    expect([...out].map((v) => (Number.isNaN(v) ? 'NaN' : v.toFixed(6)))).toEqual(['0.040000', '0.160000', '0.120000', 'NaN', '0.020000']);
    expect(perTestAlpha(0.05, 4, 'bonferroni')).toBe(0.0125);
    expect(perTestAlpha(0.05, 4, 'bh')).toBe(0.05);
  });

  it('Benjamini–Hochberg gives the step-up q-values (statsmodels fdr_bh)', () => {
    const out = new Float64Array(5);
    adjustPValues(p, 5, 'bh', out);
    // sorted: 0.005, 0.01, 0.03, 0.04 → 4·p/rank: 0.02, 0.02, 0.04, 0.04, then running minimum from the top.
    expect(out[4]).toBeCloseTo(0.02, 15);
    expect(out[0]).toBeCloseTo(0.02, 15);
    expect(out[2]).toBeCloseTo(0.04, 15);
    expect(out[1]).toBeCloseTo(0.04, 15);
    expect(out[3]).toBeNaN();
    adjustPValues(p, 5, 'none', out);
    expect(out[1]).toBe(0.04);
  });
});

describe('sample-size-aware critical values', () => {
  it('PSI critical value is χ²(B−1, 1−α)·(1/n + 1/m) and inverts the approximate p-value', () => {
    // χ²(9, 0.95) = 16.918977604620448
    expect(distanceCriticalValue('psi', 0.05, 10_000, 1_000, 10)).toBeCloseTo(16.918977604620448 * (1 / 10_000 + 1 / 1_000), 12);
    for (const kind of ['psi', 'jensen-shannon', 'jensen-shannon-base2', 'hellinger'] as const) {
      const critical = distanceCriticalValue(kind, 0.01, 5_000, 800, 12);
      expect(distancePValue(kind, critical, 5_000, 800, 12)).toBeCloseTo(0.01, 10);
    }
    expect(distanceCriticalValue('psi', 0.05, 0, 10, 10)).toBe(Infinity);
    expect(distancePValue('psi', 1, 100, 100, 1)).toBe(1);
  });

  it('shrinks with the sample size: a fixed 0.1 is far too strict for small windows and too lax for large ones', () => {
    expect(distanceCriticalValue('psi', 0.05, 10_000, 100, 10)).toBeGreaterThan(0.1);
    expect(distanceCriticalValue('psi', 0.05, 100_000, 100_000, 10)).toBeLessThan(0.001);
  });
});

describe('fixed-k binning', () => {
  it('makes k equal-width bins over the reference range plus an underflow and an overflow bin', () => {
    const edges = new Float64Array(8);
    const count = fixedWidthEdges(0, 4, 4, edges);
    expect(count).toBe(5);
    expect([...edges.subarray(0, 5)]).toEqual([0, 1, 2, 3, nextUp(4)]);
    const counts = new Float64Array(6);
    binCounts(Float64Array.of(-1, 0, 0.5, 3.9, 4, 4.0001, NaN), 0, 7, edges, counts, 0, count);
    expect([...counts]).toEqual([1, 2, 0, 0, 2, 1]);
  });

  it('gives a constant reference three bins: below, equal, above', () => {
    const edges = new Float64Array(4);
    expect(fixedWidthEdges(2, 2, 10, edges)).toBe(2);
    expect(fixedWidthEdges(NaN, 2, 10, edges)).toBe(0);
    expect(() => fixedWidthEdges(0, 1, 0, edges)).toThrow(RangeError);
  });
});
