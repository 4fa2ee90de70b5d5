/**
 * Cross-check against scikit-learn on committed fixtures (bench/peers/anomaly_fixtures.py):
 *   - Ledoit–Wolf location, shrinkage, covariance and squared Mahalanobis distances: equal to 1e-9
 *     relative;
 *   - isolation forest: ranking quality. Our forest and scikit-learn's draw from different random
 *     streams, so their scores cannot agree value by value; what must agree is how well they rank the
 *     seeded outliers: our AUROC (seed 1 and 2) must lie within 0.05 below the lowest of scikit-learn's
 *     10 seeds, or above.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ledoitWolf, mahalanobis2 } from '../../../../../workers/kernels/covariance.js';
import { auroc } from '../../../../../workers/kernels/auroc.js';
import { growForest, isolationScore } from '../../../../../workers/kernels/iforest.js';
import { medianScale } from '../../../../../workers/kernels/robust.js';

interface Fixture {
  name: string;
  reference: number[][];
  test: number[][];
  labels: number[];
  ledoitWolf: { location: number[]; shrinkage: number; covariance: number[]; mahalanobis: number[] };
  isolationForest: { aurocMean: number; aurocMin: number; aurocMax: number };
}

const NAMES = ['correlated-joint', 'correlated-marginal', 'correlated-correlation'];
const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../../../../fixtures/peers/anomaly/${name}.json`, import.meta.url), 'utf8')) as Fixture;
const columnMajor = (columns: number[][]): Float64Array => Float64Array.from(columns.flat());

function close(actual: number, expected: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe.each(NAMES)('scikit-learn fixture %s', (name) => {
  const fx = load(name);
  const p = fx.reference.length;
  const n = fx.reference[0]!.length;
  const m = fx.test[0]!.length;
  const ref = columnMajor(fx.reference);
  const test = columnMajor(fx.test);

  it('reproduces LedoitWolf: location, shrinkage, covariance and squared Mahalanobis distances', () => {
    const lw = ledoitWolf(ref, n, p);
    fx.ledoitWolf.location.forEach((v, f) => close(lw.mean[f]!, v, `location[${f}]`));
    close(lw.shrinkage, fx.ledoitWolf.shrinkage, 'shrinkage');
    fx.ledoitWolf.covariance.forEach((v, k) => close(lw.covariance[k]!, v, `covariance[${k}]`));
    const scratch = new Float64Array(p);
    fx.ledoitWolf.mahalanobis.forEach((v, i) => close(mahalanobis2(test, m, p, i, p, lw.mean, lw.precision, scratch), v, `mahalanobis[${i}]`));
  });

  it('ranks the seeded outliers about as well as scikit-learn IsolationForest', () => {
    const impute = new Float64Array(p);
    const pair = new Float64Array(2);
    for (let f = 0; f < p; f++) {
      medianScale(ref, f * n, n, pair);
      impute[f] = pair[0]!;
    }
    for (const seed of [1, 2]) {
      const forest = growForest(ref, n, p, impute, 100, 256, seed);
      const scores = Array.from({ length: m }, (_, i) => isolationScore(forest, test, m, p, i, impute));
      const ours = auroc(scores, fx.labels);
      expect(ours, `${name} seed ${seed}: ours ${ours}, scikit-learn ${fx.isolationForest.aurocMin}..${fx.isolationForest.aurocMax}`).toBeGreaterThanOrEqual(fx.isolationForest.aurocMin - 0.05);
    }
  });
});
