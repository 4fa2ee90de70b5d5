/** Pinned values of the kernels behind the anomaly detectors. */
import { describe, expect, it } from 'vitest';
import { mulberry32 as demoMulberry32 } from '../../../../src/demo/random.js';
import { auroc } from '../../../../workers/kernels/auroc.js';
import { buildCalibration, calibrate, isCalibration } from '../../../../workers/kernels/calibration.js';
import { ledoitWolf, mahalanobis2 } from '../../../../workers/kernels/covariance.js';
import { ewmaStandardized } from '../../../../workers/kernels/ewma.js';
import { averagePathLength, growForest, isolationScore } from '../../../../workers/kernels/iforest.js';
import { mulberry32 } from '../../../../workers/kernels/random.js';
import { MAD_NORMAL, MEAN_AD_NORMAL, medianScale } from '../../../../workers/kernels/robust.js';

describe('calibration', () => {
  it('maps a raw score to 1 - (1 + #{reference >= x}) / (n + 1)', () => {
    const table = buildCalibration([5, 1, NaN, 3, 2, 4]);
    expect(Array.from(table)).toEqual([5, 5, 1, 2, 3, 4, 5]);
    expect(isCalibration(table)).toBe(true);
    expect(calibrate(table, 0)).toBeCloseTo(1 - 6 / 6, 12); // every reference value >= 0
    expect(calibrate(table, 3)).toBeCloseTo(1 - 4 / 6, 12); // 3, 4, 5
    expect(calibrate(table, 3.5)).toBeCloseTo(1 - 3 / 6, 12);
    expect(calibrate(table, 99)).toBeCloseTo(5 / 6, 12);
    expect(calibrate(table, Infinity)).toBeCloseTo(5 / 6, 12);
    expect(calibrate(table, NaN)).toBeNaN();
    expect(calibrate(buildCalibration([]), 1)).toBeNaN();
  });

  it('keeps type-7 quantiles past maxSize and scales the counts back to n', () => {
    const raw = Array.from({ length: 1001 }, (_, i) => i);
    const table = buildCalibration(raw, 11);
    expect(Array.from(table)).toEqual([1001, 11, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    // 5 of 11 stored values are >= 550 → 1001 · 5/11 reference values.
    expect(calibrate(table, 550)).toBeCloseTo(1 - (1 + (1001 * 5) / 11) / 1002, 12);
  });

  it('gives reference-like data a flag rate close to 1 - threshold (seeded, 20,000 fresh draws)', () => {
    const rng = mulberry32(5);
    const table = buildCalibration(Array.from({ length: 5000 }, () => rng()));
    let flagged = 0;
    for (let i = 0; i < 20_000; i++) if (calibrate(table, rng()) >= 0.99) flagged++;
    expect(flagged / 20_000).toBeGreaterThan(0.007);
    expect(flagged / 20_000).toBeLessThan(0.013);
  });
});

describe('median and robust scale', () => {
  it('pins the median and 1.4826 × MAD', () => {
    const out = new Float64Array(2);
    expect(medianScale([1, 2, 3, 4, 100, NaN], 0, 6, out)).toBe(5);
    expect(out[0]).toBe(3);
    expect(out[1]).toBeCloseTo(MAD_NORMAL * 1, 12); // deviations 2,1,0,1,97 → MAD 1
    medianScale([1, 2, 3, 4], 0, 4, out);
    expect(out[0]).toBe(2.5);
    expect(out[1]).toBeCloseTo(MAD_NORMAL * 1, 12); // deviations 1.5,0.5,0.5,1.5
  });

  it('falls back to the mean absolute deviation when the MAD is 0, and is 0 only for a constant', () => {
    const out = new Float64Array(2);
    medianScale([7, 7, 7, 7, 11], 0, 5, out);
    expect(out[0]).toBe(7);
    expect(out[1]).toBeCloseTo(MEAN_AD_NORMAL * (4 / 5), 12);
    medianScale([7, 7, 7], 0, 3, out);
    expect(Array.from(out)).toEqual([7, 0]);
    expect(medianScale([NaN, NaN], 0, 2, out)).toBe(0);
    expect(out[0]).toBeNaN();
  });
});

describe('Ledoit-Wolf covariance and Mahalanobis distance', () => {
  it('pins the estimate on a 4 × 2 example', () => {
    // Rows (1,2), (2,1), (3,5), (4,4): column-major.
    const lw = ledoitWolf(Float64Array.of(1, 2, 3, 4, 2, 1, 5, 4), 4, 2);
    expect(Array.from(lw.mean)).toEqual([2.5, 3]);
    // S = [[1.25, 1.25], [1.25, 2.5]]; μ = 1.875; β̄ = (Σ x²x² / n − Σ S²) / (p n) = (25.140625 − 12.5) / 8 ... capped by δ.
    const s = [1.25, 1.25, 1.25, 2.5];
    const mu = 1.875;
    const sumS2 = s.reduce((a, x) => a + x * x, 0);
    const x = [-1.5, -0.5, 0.5, 1.5, -1, -2, 2, 1];
    let sumX2X2 = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let i = 0; i < 4; i++) sumX2X2 += x[a * 4 + i]! ** 2 * x[b * 4 + i]! ** 2;
    const delta = (sumS2 - 2 * mu * 3.75 + 2 * mu * mu) / 2;
    const beta = Math.min((sumX2X2 / 4 - sumS2) / 8, delta);
    expect(lw.shrinkage).toBeCloseTo(beta / delta, 12);
    const c = lw.shrinkage;
    expect(Array.from(lw.covariance).map((v) => Number(v.toFixed(12)))).toEqual([(1 - c) * 1.25 + c * mu, (1 - c) * 1.25, (1 - c) * 1.25, (1 - c) * 2.5 + c * mu].map((v) => Number(v.toFixed(12))));
    // Precision is the inverse: Σ · P = I.
    const [a, b, , d] = Array.from(lw.covariance);
    const [pa, pb, , pd] = Array.from(lw.precision);
    expect(a! * pa! + b! * pb!).toBeCloseTo(1, 10);
    expect(b! * pb! + d! * pd!).toBeCloseTo(1, 10);
    // The distance of the mean is 0; of a point along an axis, d' P d; absent values add nothing.
    const scratch = new Float64Array(2);
    expect(mahalanobis2(Float64Array.of(2.5, 3), 1, 2, 0, 2, lw.mean, lw.precision, scratch)).toBe(0);
    expect(mahalanobis2(Float64Array.of(3.5, 3), 1, 2, 0, 2, lw.mean, lw.precision, scratch)).toBeCloseTo(pa!, 12);
    expect(mahalanobis2(Float64Array.of(3.5, NaN), 1, 2, 0, 2, lw.mean, lw.precision, scratch)).toBeCloseTo(pa!, 12);
    expect(mahalanobis2(Float64Array.of(NaN, NaN), 1, 2, 0, 2, lw.mean, lw.precision, scratch)).toBeNaN();
    expect(mahalanobis2(Float64Array.of(Infinity, 0), 1, 2, 0, 2, lw.mean, lw.precision, scratch)).toBe(Infinity);
  });

  it('rejects a matrix too small for its shape', () => {
    expect(() => ledoitWolf(new Float64Array(3), 2, 2)).toThrow(RangeError);
  });
});

describe('isolation forest', () => {
  it('pins c(n), the average path length', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649015329) - (2 * 255) / 256, 12);
  });

  it('is deterministic for a seed, different for another, and isolates an outlier sooner than the centre', () => {
    const rng = mulberry32(3);
    const n = 500;
    const features = new Float64Array(2 * n);
    for (let i = 0; i < 2 * n; i++) features[i] = rng();
    const impute = Float64Array.of(0.5, 0.5);
    const a = growForest(features, n, 2, impute, 50, 128, 7);
    const b = growForest(features, n, 2, impute, 50, 128, 7);
    const c = growForest(features, n, 2, impute, 50, 128, 8);
    expect(Array.from(a.threshold)).toEqual(Array.from(b.threshold));
    expect(Array.from(a.threshold)).not.toEqual(Array.from(c.threshold));
    expect(a.roots.length).toBe(50);
    expect(a.sampleSize[0]).toBe(128);
    const outlier = isolationScore(a, Float64Array.of(5, 5), 1, 2, 0, impute);
    const centre = isolationScore(a, Float64Array.of(0.5, 0.5), 1, 2, 0, impute);
    expect(outlier).toBeGreaterThan(0.6);
    expect(centre).toBeLessThan(0.5);
    // An absent value is the imputed one.
    expect(isolationScore(a, Float64Array.of(NaN, NaN), 1, 2, 0, impute)).toBe(centre);
  });

  it('handles fewer rows than the sample size, constant data and no rows', () => {
    const constant = growForest(new Float64Array(10).fill(1), 10, 1, Float64Array.of(1), 5, 256, 1);
    expect(constant.sampleSize[0]).toBe(10);
    expect(Array.from(constant.feature)).toEqual([-1, -1, -1, -1, -1]); // nothing to split: five leaves
    expect(isolationScore(constant, Float64Array.of(1), 1, 1, 0, Float64Array.of(1))).toBeCloseTo(0.5, 12);
    const none = growForest(new Float64Array(0), 0, 1, Float64Array.of(0), 3, 256, 1);
    expect(isolationScore(none, Float64Array.of(1), 1, 1, 0, Float64Array.of(0))).toBeNaN();
  });
});

describe('EWMA chart', () => {
  it('pins the standardised statistic with exact time-varying limits', () => {
    const out = new Float64Array(3);
    ewmaStandardized([1, 1, NaN], 3, 0, 1, 0.5, out);
    // z1 = 0.5, sd1 = √(0.5/1.5 · (1 − 0.25)) = 0.5 → 1; z2 = 0.75, sd2 = √(1/3 · (1 − 1/16)) → 0.75 / 0.5590…
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(0.75 / Math.sqrt((1 / 3) * (15 / 16)), 12);
    expect(out[2]).toBeNaN();
    ewmaStandardized([2, 0], 2, 0, 0, 0.5, out);
    expect(out[0]).toBe(Infinity);
  });
});

describe('AUROC', () => {
  it('pins the Mann-Whitney value with ties as one half and NaN scores left out', () => {
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auroc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(auroc([0.9, NaN, 0.1], [1, 0, 0])).toBe(1);
    expect(auroc([0.9, 0.2], [1, 1])).toBeNaN();
    expect(() => auroc([1], [1, 0])).toThrow(RangeError);
  });
});

describe('worker PRNG', () => {
  it('draws the same sequence as the demo generator', () => {
    const a = mulberry32(42);
    const b = demoMulberry32(42);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });
});
