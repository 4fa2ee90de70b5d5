/** PCA reconstruction drift: catches a change of correlation that leaves every marginal unchanged. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { pcaDriftDetector } from '../../../../../workers/detectors/drift/pca-drift.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { gaussian, makeColumns, mulberry32 } from '../../helpers.js';

/** Three features: b = ρ·a + sqrt(1 - ρ²)·noise (so a and b stay N(0, 1) whatever ρ), c independent. */
function correlated(seed: number, count: number, rho: number): NumericColumns {
  const normal = gaussian(mulberry32(seed));
  const rows = Array.from({ length: count }, () => {
    const a = normal();
    return [a, rho * a + Math.sqrt(1 - rho * rho) * normal(), 5 + 2 * normal()];
  });
  return makeColumns(count, 3, (f, i) => rows[i]![f]!);
}

const refColumns = correlated(1, 5000, 0.9);
const profile = buildReferenceProfile({ columns: refColumns, featureNames: ['a', 'b', 'c'], id: 'ref' });
const params = pcaDriftDetector.parseParams(undefined);
const data = pcaDriftDetector.prepareReference!(refColumns, profile, params);
const reference = { ...profile, detectorData: { 'pca-drift': data } };
const scoreOf = (w: NumericColumns) => pcaDriftDetector.score(pcaDriftDetector.summarize(w, reference, params), reference, params)[0]!;

describe('pca-drift', () => {
  it('keeps the fewest components explaining more than 65% of the variance (here 2 of 3 standardised axes: 1.9/3 is not enough)', () => {
    const limits = data['limits']!;
    expect(limits[5]).toBe(2);
    expect(data['components']!.length).toBe(6);
    // The first axis is the a–b diagonal (variance 1.9), the second c alone (variance 1).
    const [x, y, z, x2, y2, z2] = Array.from(data['components']!);
    expect(Math.abs(x!)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(y!)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(z!)).toBeLessThan(0.05);
    expect(Math.abs(z2!)).toBeGreaterThan(0.99);
    expect(Math.abs(x2!) + Math.abs(y2!)).toBeLessThan(0.1);
    // With ρ = 0.99 the diagonal alone explains 1.99/3 > 65%.
    const strong = correlated(8, 3000, 0.99);
    const p2 = buildReferenceProfile({ columns: strong, featureNames: ['a', 'b', 'c'], id: 'r2' });
    expect(pcaDriftDetector.prepareReference!(strong, p2, params)['limits']![5]).toBe(1);
    expect(limits[0]).toBeLessThan(limits[2]!);
    expect(limits[1]).toBeGreaterThan(limits[2]!);
  });

  it('stays inside the limits for windows like the reference and leaves them when the correlation flips', () => {
    for (const seed of [2, 3, 4]) expect(scoreOf(correlated(seed, 1000, 0.9)).evidence['drift']).toBe('false');
    const flipped = scoreOf(correlated(5, 1000, -0.9));
    expect(flipped.evidence['drift']).toBe('true');
    expect(flipped.score).toBeGreaterThan(Number(flipped.evidence['upperLimit']));
  });

  it('imputes absent values with the reference mean and merges by addition', () => {
    const w = correlated(6, 200, 0.9);
    w.features[0] = NaN;
    const whole = pcaDriftDetector.summarize(w, reference, params);
    expect(Number.isFinite(whole.sums[0]!)).toBe(true);
    expect(whole.sums[1]).toBe(200);
    expect(pcaDriftDetector.score(pcaDriftDetector.summarize(correlated(7, 10, 0.9), reference, params), reference, params)).toEqual([]);
  });

  it('rejects bad parameters and damaged bytes', () => {
    expect(() => pcaDriftDetector.parseParams({ varianceExplained: 1 })).toThrow(/"varianceExplained" must be a number in \(0, 1\)/);
    const bytes = pcaDriftDetector.encode({ sums: Float64Array.of(1, 2.5) });
    expect(() => pcaDriftDetector.decode(bytes)).toThrow(/invalid summary bytes \(sums 1, 2.5\)/);
  });
});
