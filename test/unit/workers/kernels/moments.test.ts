import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { MOMENTS_SIZE, mean, mergeMoments, moments, variance } from '../../../../workers/kernels/moments.js';
import { gaussian, mulberry32 } from '../helpers.js';

describe('moments', () => {
  it('gives the mean and variances of a hand-made sample', () => {
    const x = Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean(x)).toBe(5);
    expect(variance(x, 0, x.length, 0)).toBe(4);
    expect(variance(x)).toBeCloseTo(32 / 7, 14);
    const out = new Float64Array(MOMENTS_SIZE);
    moments(x, 0, x.length, out);
    expect(Array.from(out)).toEqual([8, 5, 32]);
  });

  it('skips NaN and handles empty and single-value windows', () => {
    expect(mean(Float64Array.from([NaN, 1, 3, NaN]))).toBe(2);
    expect(mean(new Float64Array(0))).toBeNaN();
    expect(mean(Float64Array.from([NaN]))).toBeNaN();
    expect(variance(Float64Array.from([3]))).toBeNaN();
    expect(variance(Float64Array.from([3]), 0, 1, 0)).toBe(0);
    const out = new Float64Array(MOMENTS_SIZE);
    moments(Float64Array.from([NaN, NaN]), 0, 2, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeNaN();
  });

  it('matches simple-statistics on seeded data, and merged batch moments match the whole', () => {
    const normal = gaussian(mulberry32(5));
    const x = Float64Array.from({ length: 3001 }, () => 1e6 + 3 * normal()); // a large offset tests stability
    expect(mean(x)).toBeCloseTo(ss.mean(Array.from(x)), 8);
    expect(variance(x)).toBeCloseTo(ss.sampleVariance(Array.from(x)), 8);
    const whole = new Float64Array(MOMENTS_SIZE);
    moments(x, 0, x.length, whole);
    const parts = new Float64Array(3 * MOMENTS_SIZE);
    moments(x, 0, 1000, parts, 0);
    moments(x, 1000, 1, parts, 3);
    moments(x, 1001, 2000, parts, 6);
    mergeMoments(parts, 0, parts, 3, parts, 0);
    mergeMoments(parts, 0, parts, 6, parts, 0);
    expect(parts[0]).toBe(whole[0]);
    expect(parts[1]).toBeCloseTo(whole[1]!, 8);
    expect(parts[2]! / whole[2]!).toBeCloseTo(1, 10);
  });

  it('treats an empty side as the identity of merge', () => {
    const a = Float64Array.from([3, 2, 5]);
    const empty = Float64Array.from([0, NaN, 0]);
    const out = new Float64Array(3);
    mergeMoments(a, 0, empty, 0, out);
    expect(Array.from(out)).toEqual([3, 2, 5]);
    mergeMoments(empty, 0, a, 0, out);
    expect(Array.from(out)).toEqual([3, 2, 5]);
  });
});
