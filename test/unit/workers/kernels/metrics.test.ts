/** workers/kernels/metrics.ts against scikit-learn (bench/peers/perf_fixtures.py) at 1e-9, and its edge cases. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { accuracy, confusionCounts, f1Binary, f1Macro, mae, rmse, rocAuc } from '../../../../workers/kernels/metrics.js';

interface Case {
  name: string;
  classes: number;
  truth: number[];
  predicted: number[];
  accuracy: number;
  f1Macro: number;
  f1Binary?: number;
  scores?: number[];
  rocAuc?: number;
  regressionTruth: number[];
  regressionPredicted: number[];
  mae: number;
  rmse: number;
}

const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/peers/streams/perf/sklearn-metrics.json'), 'utf8')) as { sklearn: string; cases: Case[] };

const close = (got: number, want: number): void => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(1e-9);

describe(`metrics match scikit-learn ${fixture.sklearn}`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const truth = Int32Array.from(c.truth);
    const predicted = Int32Array.from(c.predicted);
    close(accuracy(truth, predicted), c.accuracy);
    close(f1Macro(truth, predicted, c.classes), c.f1Macro);
    if (c.f1Binary !== undefined) close(f1Binary(truth, predicted), c.f1Binary);
    if (c.rocAuc !== undefined) close(rocAuc(truth, Float64Array.from(c.scores!)), c.rocAuc);
    close(mae(Float64Array.from(c.regressionTruth), Float64Array.from(c.regressionPredicted)), c.mae);
    close(rmse(Float64Array.from(c.regressionTruth), Float64Array.from(c.regressionPredicted)), c.rmse);
  });

  it('covers ties, absent labels and classes missing from a small sample', () => {
    const names = fixture.cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['binary-ties', 'binary-heavy-ties', 'seven-classes-small']));
    expect(fixture.cases.some((c) => c.truth.includes(-1))).toBe(true);
  });
});

describe('metric edge cases', () => {
  it('hand-computed values', () => {
    expect(accuracy(Int32Array.of(0, 1, 1, -1), Int32Array.of(0, 0, 1, 1))).toBeCloseTo(2 / 3, 15);
    // tp = 1, fp = 1, fn = 1 → F1 = 2/4
    expect(f1Binary(Int32Array.of(1, 1, 0, 0), Int32Array.of(1, 0, 1, 0))).toBe(0.5);
    // No positive anywhere: sklearn's zero_division gives 0.
    expect(f1Binary(Int32Array.of(0, 0), Int32Array.of(0, 0))).toBe(0);
    expect(rocAuc(Int32Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.35, 0.8))).toBe(0.75);
    // All scores tied: one ROC point, AUC one half.
    expect(rocAuc(Int32Array.of(0, 1, 0, 1), Float64Array.of(0.5, 0.5, 0.5, 0.5))).toBe(0.5);
    expect(mae(Float64Array.of(1, 2, NaN), Float64Array.of(2, 4, 0))).toBe(1.5);
    expect(rmse(Float64Array.of(0, 0), Float64Array.of(3, 4))).toBeCloseTo(Math.sqrt(12.5), 15);
  });

  it('is NaN with nothing to count, and ROC AUC is NaN with one class', () => {
    for (const f of [accuracy, f1Binary, mae, rmse]) expect(f(new Float64Array(0), new Float64Array(0))).toBeNaN();
    expect(accuracy(Int32Array.of(-1, -1), Int32Array.of(0, 1))).toBeNaN();
    expect(f1Macro(Int32Array.of(-1), Int32Array.of(0), 2)).toBeNaN();
    expect(rocAuc(Int32Array.of(1, 1, 1), Float64Array.of(0.1, 0.2, 0.3))).toBeNaN();
    expect(rocAuc(Int32Array.of(1, 0, 1), Float64Array.of(NaN, 0.2, 0.3))).toBe(1);
  });

  it('rejects mismatched lengths and out-of-range class codes by row', () => {
    expect(() => accuracy(Int32Array.of(1), Int32Array.of(1, 0))).toThrow(/truth has 1 values, prediction 2/);
    expect(() => f1Macro(Int32Array.of(0, 5), Int32Array.of(0, 1), 3)).toThrow(/row 1 has class codes 5\/1, expected integers below 3/);
    expect(() => confusionCounts(Int32Array.of(0), Int32Array.of(0), 3, new Float64Array(2))).toThrow(/out needs 9 values/);
  });
});
