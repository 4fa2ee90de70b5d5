import { describe, expect, it } from 'vitest';
import { binCounts } from '../../../../workers/kernels/histogram.js';
import { PSI_CONVENTION, PSI_EPSILON, psi } from '../../../../workers/kernels/psi.js';
import { quantileEdges } from '../../../../workers/kernels/quantiles.js';
import { gaussian, mulberry32 } from '../helpers.js';

/** Naive reference: the textbook formula over plain arrays. */
function naivePsi(ref: number[], counts: number[], epsilon: number): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return ref.reduce((sum, r0, b) => {
    const r = Math.max(r0, epsilon);
    const c = Math.max(counts[b]! / n, epsilon);
    return sum + (c - r) * Math.log(c / r);
  }, 0);
}

/** PSI of `current` against reference-quantile bins of `reference`, through the kernels. */
function psiOf(reference: Float64Array, current: Float64Array, bins: number): number {
  const edges = new Float64Array(bins - 1);
  const k = quantileEdges(reference, 0, reference.length, bins, edges);
  const ref = new Float64Array(k + 1);
  const n = binCounts(reference, 0, reference.length, edges, ref, 0, k);
  for (let b = 0; b <= k; b++) ref[b]! /= n;
  const cur = new Float64Array(k + 1);
  const m = binCounts(current, 0, current.length, edges, cur, 0, k);
  return psi(ref, cur, m, PSI_EPSILON);
}

describe('psi', () => {
  it('names its convention', () => {
    expect(PSI_CONVENTION).toBe('reference-quantile bins, epsilon 1e-4 floor applied to both proportions');
    expect(PSI_EPSILON).toBe(1e-4);
  });

  it('gives known values on hand-made examples', () => {
    // (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5)
    expect(psi(Float64Array.from([0.5, 0.5]), Float64Array.from([80, 20]), 100, 1e-4)).toBeCloseTo(0.4158883083359672, 14);
    // (0.25 − 0.5)·ln(0.5) + 0 + (0.5 − 0.25)·ln(2) = ln 2 / 2
    expect(psi(Float64Array.from([0.5, 0.25, 0.25]), Float64Array.from([1, 1, 2]), 4, 1e-4)).toBeCloseTo(Math.LN2 / 2, 14);
    // an empty reference bin is floored at epsilon: (0.9 − 1)·ln(0.9) + (0.1 − 1e-4)·ln(0.1 / 1e-4)
    expect(psi(Float64Array.from([1, 0]), Float64Array.from([9, 1]), 10, 1e-4)).toBeCloseTo(-0.1 * Math.log(0.9) + 0.0999 * Math.log(1000), 14);
  });

  it('is 0 for identical proportions and NaN for an empty window', () => {
    expect(psi(Float64Array.from([0.2, 0.3, 0.5]), Float64Array.from([2, 3, 5]), 10, 1e-4)).toBe(0);
    expect(psi(Float64Array.from([0.2, 0.8]), Float64Array.from([0, 0]), 0, 1e-4)).toBeNaN();
  });

  it('matches the textbook formula on seeded random proportions, with offsets', () => {
    const rng = mulberry32(99);
    for (let trial = 0; trial < 100; trial++) {
      const bins = 2 + Math.floor(rng() * 30);
      const raw = Array.from({ length: bins }, () => (rng() < 0.2 ? 0 : rng()));
      const total = raw.reduce((a, b) => a + b, 0) || 1;
      const ref = raw.map((v) => v / total);
      const counts = Array.from({ length: bins }, () => (rng() < 0.2 ? 0 : Math.floor(rng() * 100)));
      counts[0]! += 1;
      const n = counts.reduce((a, b) => a + b, 0);
      const refBuf = Float64Array.from([9, ...ref]);
      const curBuf = Float64Array.from([9, 9, ...counts]);
      expect(psi(refBuf, curBuf, n, 1e-4, 1, 2, bins)).toBeCloseTo(naivePsi(ref, counts, 1e-4), 10);
    }
  });

  it('is about 0 for two samples of one distribution and clearly > 0.25 after a 1σ mean shift (1,000 samples, 10 bins)', () => {
    const draw = (seed: number, mean: number): Float64Array => {
      const normal = gaussian(mulberry32(seed));
      return Float64Array.from({ length: 1000 }, () => mean + normal());
    };
    const reference = draw(1, 0);
    expect(psiOf(reference, reference, 10)).toBe(0);
    const same = psiOf(reference, draw(2, 0), 10);
    expect(same).toBeGreaterThanOrEqual(0);
    expect(same).toBeLessThan(0.05);
    const shifted = psiOf(reference, draw(3, 1), 10);
    expect(shifted).toBeGreaterThan(0.5);
  });

  it('rejects a bad epsilon or bin range', () => {
    expect(() => psi(new Float64Array(2), new Float64Array(2), 1, 0)).toThrow(RangeError);
    expect(() => psi(new Float64Array(2), new Float64Array(1), 1, 1e-4)).toThrow(RangeError);
  });
});

describe('psi against reference counts', () => {
  it('equals psi over the reference proportions, floors included', () => {
    const rng = mulberry32(11);
    for (let trial = 0; trial < 100; trial++) {
      const bins = 2 + Math.floor(rng() * 40);
      const counts = (scale: number): Float64Array => Float64Array.from({ length: bins }, () => (rng() < 0.1 ? 0 : Math.floor(rng() * scale)));
      const ref = counts(trial % 5 === 0 ? 100_000 : 400);
      const cur = counts(60);
      const refN = ref.reduce((a, b) => a + b, 0);
      const n = cur.reduce((a, b) => a + b, 0);
      if (refN === 0 || n === 0) continue;
      const epsilon = trial % 3 === 0 ? 0.01 : PSI_EPSILON;
      expect(psi(ref, cur, n, epsilon, 0, 0, bins, refN), `trial ${trial}`).toBe(psi(ref.map((c) => c / refN), cur, n, epsilon));
    }
  });

  it('is 0 for the same shares, NaN for an empty side, and honours the offsets', () => {
    const ref = Float64Array.of(10, 0, 30, 60);
    expect(psi(ref, Float64Array.of(1, 0, 3, 6), 10, PSI_EPSILON, 0, 0, 4, 100)).toBe(0);
    expect(psi(ref, new Float64Array(4), 0, PSI_EPSILON, 0, 0, 4, 100)).toBeNaN();
    expect(psi(ref, Float64Array.of(1, 0, 3, 6), 10, PSI_EPSILON, 0, 0, 4, 0)).toBeNaN();
    const cur = Float64Array.of(7, 7, 30, 70);
    expect(psi(Float64Array.of(99, 20, 80, 99), cur, 100, PSI_EPSILON, 1, 2, 2, 100)).toBe(psi(Float64Array.of(0.2, 0.8), Float64Array.of(30, 70), 100));
    expect(() => psi(ref, cur, 100, PSI_EPSILON, 3, 0, 2, 100)).toThrow(/2 bins from offsets 3\/0/);
  });
});
