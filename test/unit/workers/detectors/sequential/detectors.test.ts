/**
 * What the River fixtures do not cover: CPython's generator and sampler, scipy's exact KS
 * probability, CUSUM (no River peer), parameter validation and hostile snapshots.
 */
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, createSequential, parseAlgorithmParams, restoreSequential } from '../../../../../workers/detectors/sequential/algorithms.js';
import { Cusum, parseCusumParams } from '../../../../../workers/detectors/sequential/cusum.js';
import { ksExactEqualSizes, ksStatisticCount } from '../../../../../workers/detectors/sequential/kswin.js';
import { PythonRandom } from '../../../../../workers/detectors/sequential/python-random.js';
import { gaussian, mulberry32 } from '../../helpers.js';

describe('PythonRandom', () => {
  it('gives the 32-bit words CPython gives for the same seed (random.Random(s).getrandbits(32))', () => {
    const words = (seed: number, n: number): number[] => {
      const r = new PythonRandom(seed);
      return Array.from({ length: n }, () => r.nextUint32());
    };
    expect(words(42, 3)).toEqual([2746317213, 478163327, 107420369]);
    expect(words(2 ** 40 + 5, 2)).toEqual([2166296868, 2220160828]);
    expect(words(0, 2)).toEqual([3626764237, 1654615998]);
  });

  it('samples like CPython, by the set method and the pool method', () => {
    const r = new PythonRandom(3);
    const out = new Int32Array(30);
    r.sampleRange(1000, 5, out, new Int32Array(1000), new Uint8Array(1000));
    expect(Array.from(out.subarray(0, 5))).toEqual([243, 606, 557, 133, 378]);
    r.sampleRange(70, 30, out, new Int32Array(70), new Uint8Array(70));
    expect(Array.from(out)).toEqual([60, 8, 1, 69, 33, 29, 24, 45, 30, 34, 53, 35, 61, 25, 40, 9, 14, 55, 54, 65, 63, 47, 0, 42, 4, 10, 37, 2, 19, 67]);
  });

  it('continues identically after a snapshot and rejects a damaged one', () => {
    const a = new PythonRandom(9);
    for (let i = 0; i < 700; i++) a.nextUint32();
    const b = PythonRandom.restore(a.snapshot());
    for (let i = 0; i < 1000; i++) expect(b.nextUint32()).toBe(a.nextUint32());
    const bad = a.snapshot();
    bad[5] = 2 ** 32;
    expect(() => PythonRandom.restore(bad)).toThrow(/state word 5/);
    expect(() => PythonRandom.restore(new Float64Array(3))).toThrow(RangeError);
    expect(() => new PythonRandom(-1)).toThrow(/non-negative safe integer/);
  });
});

describe('exact two-sample KS (scipy ks_2samp, equal sizes)', () => {
  it('gives the probabilities scipy gives', () => {
    // Values printed by scipy 1.17: scipy.stats._stats_py._compute_prob_outside_square(30, h) for h = 5, 9, 12, and (10, 10).
    expect(ksExactEqualSizes(30, 5)).toBeCloseTo(0.8079631540901643, 14);
    expect(ksExactEqualSizes(30, 9)).toBeCloseTo(0.13500350250095441, 14);
    expect(ksExactEqualSizes(30, 12)).toBeCloseTo(0.015643390496754332, 14);
    expect(ksExactEqualSizes(10, 10)).toBeCloseTo(1.0825088224469026e-5, 18);
  });

  it('counts the statistic over ties as scipy does (right-continuous CDFs)', () => {
    expect(ksStatisticCount(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 2, 3, 4), 4)).toBe(0);
    expect(ksStatisticCount(Float64Array.of(1, 1, 1, 1), Float64Array.of(2, 2, 2, 2), 4)).toBe(4);
    expect(ksStatisticCount(Float64Array.of(1, 2, 2, 3), Float64Array.of(2, 2, 2, 2), 4)).toBe(1);
    expect(ksStatisticCount(Float64Array.of(5, 1, 4, 2), Float64Array.of(3, 6, 7, 8), 4)).toBe(3);
  });
});

describe('CUSUM', () => {
  it('fires on a one-sigma step within a few dozen values and not on the stationary part', () => {
    const normal = gaussian(mulberry32(5));
    const d = new Cusum(parseCusumParams({ warmup: 200 }));
    const drifts: number[] = [];
    for (let i = 0; i < 3000; i++) {
      d.update((i >= 2000 ? 1 : 0) + normal());
      if (d.driftDetected) drifts.push(i);
    }
    const after = drifts.filter((i) => i >= 2000);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]! - 2000).toBeLessThan(40);
    // h = 5, k = 0.5: the in-control run length is about 465 values per side, so few alarms before the step.
    expect(drifts.filter((i) => i < 2000).length).toBeLessThanOrEqual(8);
  });

  it('treats a constant warm-up as in control and any later change as a drift', () => {
    const d = new Cusum(parseCusumParams({ warmup: 10, mode: 'up' }));
    for (let i = 0; i < 10; i++) d.update(3);
    d.update(3);
    expect(d.driftDetected).toBe(false);
    d.update(3.001);
    expect(d.driftDetected).toBe(true);
    expect(Number.isFinite(d.statistic)).toBe(true);
  });
});

describe('sequential parameters and snapshots', () => {
  it('rejects unknown algorithms, unknown parameters and bad values by name', () => {
    expect(() => parseAlgorithmParams('nope', {})).toThrow(/unknown algorithm "nope"; expected one of adwin/);
    expect(() => parseAlgorithmParams('adwin', { deltaa: 1 })).toThrow(/unknown parameter "deltaa"/);
    expect(() => parseAlgorithmParams('adwin', { delta: 0 })).toThrow(/parameter "delta" must be a number in \(0, 1\), got 0/);
    expect(() => parseAlgorithmParams('adwin', { clock: 1.5 })).toThrow(/"clock" must be an integer/);
    expect(() => parseAlgorithmParams('page-hinkley', { mode: 'sideways' })).toThrow(/"mode" must be one of up, down, both, got "sideways"/);
    expect(() => parseAlgorithmParams('kswin', { statSize: 100, windowSize: 100 })).toThrow(/"statSize" \(100\) must be smaller than "windowSize"/);
    expect(() => parseAlgorithmParams('ddm', { warningThreshold: 4 })).toThrow(/"warningThreshold" \(4\) must not exceed "driftThreshold"/);
    expect(() => parseAlgorithmParams('cusum', { h: Number.NaN })).toThrow(/"h" must be a number/);
    expect(() => parseAlgorithmParams('adwin', { delta: '0.1' })).toThrow(/got "0.1"/);
  });

  it.each(ALGORITHMS)('%s: defaults are frozen and snapshots round-trip exactly through copies', (algorithm) => {
    const p = parseAlgorithmParams(algorithm, undefined);
    expect(Object.isFrozen(p)).toBe(true);
    const d = createSequential(algorithm, p);
    const rng = mulberry32(3);
    for (let i = 0; i < 5000; i++) d.update(algorithm === 'ddm' ? (rng() < (i > 3000 ? 0.4 : 0.1) ? 1 : 0) : rng() + (i > 3000 ? 1 : 0));
    const snap = d.snapshot();
    const copy = Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, Float64Array.from(v)]));
    const r = restoreSequential(algorithm, p, copy);
    expect(r.snapshot()).toEqual(snap);
    expect(r.updates).toBe(5000);
    for (let i = 0; i < 2000; i++) {
      const x = algorithm === 'ddm' ? (rng() < 0.2 ? 1 : 0) : rng() * 3;
      d.update(x);
      r.update(x);
      expect(r.driftDetected).toBe(d.driftDetected);
    }
    expect(r.snapshot()).toEqual(d.snapshot());
  });

  it.each(ALGORITHMS)('%s: a damaged snapshot is a RangeError, not a broken detector', (algorithm) => {
    const p = parseAlgorithmParams(algorithm, undefined);
    const d = createSequential(algorithm, p);
    for (let i = 0; i < 300; i++) d.update(i % 2);
    const snap = d.snapshot();
    expect(() => restoreSequential(algorithm, p, {})).toThrow(RangeError);
    const scalars = snap['scalars']!;
    expect(() => restoreSequential(algorithm, p, { ...snap, scalars: scalars.subarray(0, scalars.length - 1) })).toThrow(RangeError);
    const bad = Float64Array.from(scalars);
    bad[bad.length - 1] = -1; // `updates` is the last scalar everywhere
    expect(() => restoreSequential(algorithm, p, { ...snap, scalars: bad })).toThrow(/updates/);
  });
});
