/**
 * Seeded data for the anomaly detector tests: six features driven by one latent factor (correlated
 * like real inputs), a reference sample, fresh inliers from the same law, and three kinds of outlier.
 */
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { gaussian, mulberry32 } from '../../helpers.js';

export const FEATURES = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'];
const LOADINGS = [0.9, 0.8, 0.85, 0.7, 0.0, 0.0];

export type OutlierKind = 'none' | 'marginal' | 'correlation' | 'joint';

/** One row of the law: x_f = 10·f + loading·z + √(1 − loading²)·ε, altered by the outlier kind. */
function row(normal: () => number, kind: OutlierKind): number[] {
  const z = normal();
  const x = LOADINGS.map((l, f) => 10 * f + l * z + Math.sqrt(1 - l * l) * normal());
  if (kind === 'marginal') x[4] = 40 + (normal() > 0 ? 7 : -7); // one feature 7 sd out
  if (kind === 'correlation') {
    // Each value within ±2 sd on its own, but f0 and f1 on opposite sides of a strong correlation.
    x[0] = 1.6;
    x[1] = 10 - 1.6;
  }
  if (kind === 'joint') for (let f = 0; f < x.length; f++) x[f] = x[f]! + 3.5; // every feature 3.5 sd up
  return x;
}

export function seededColumns(seed: number, kinds: readonly OutlierKind[]): NumericColumns {
  const normal = gaussian(mulberry32(seed));
  const count = kinds.length;
  const p = FEATURES.length;
  const features = new Float64Array(count * p);
  kinds.forEach((kind, i) => row(normal, kind).forEach((v, f) => (features[f * count + i] = v)));
  return {
    count,
    featureCount: p,
    features,
    scores: new Float64Array(count),
    latencies: Float64Array.from({ length: count }, () => 20 * Math.exp(0.2 * normal())),
    statuses: new Uint8Array(count),
    timestamps: Float64Array.from({ length: count }, (_, i) => 1_790_000_000_000 + i),
  };
}

/** `inliers` rows of the law followed by `outliers` rows of one kind. */
export function mixed(seed: number, inliers: number, outliers: number, kind: OutlierKind): NumericColumns {
  return seededColumns(seed, [...Array.from({ length: inliers }, () => 'none' as const), ...Array.from({ length: outliers }, () => kind)]);
}
