/**
 * Shrinkage covariance (Ledoit–Wolf) and squared Mahalanobis distances over column-major features.
 *
 * Ledoit–Wolf (2004) shrinks the empirical covariance S (divisor n, centred at the mean) towards
 * μ·I with μ = trace(S) / p, by the intensity that minimises the expected Frobenius loss, estimated
 * from the data; the same estimator as scikit-learn's `LedoitWolf` (the cross-check fixtures in
 * test/fixtures/peers/anomaly compare the two). Absent values (NaN) are imputed by the feature's mean,
 * i.e. they add nothing to the cross-products; a feature with no value at all gets mean 0 and
 * variance 0 before shrinkage.
 */
import { Matrix, pseudoInverse } from 'ml-matrix';

export interface ShrunkCovariance {
  /** Column means over the non-NaN values (0 where none). */
  readonly mean: Float64Array;
  /** p × p row-major shrunk covariance. */
  readonly covariance: Float64Array;
  /** p × p row-major (pseudo-)inverse of the shrunk covariance. */
  readonly precision: Float64Array;
  /** The shrinkage intensity in [0, 1]. */
  readonly shrinkage: number;
}

/**
 * Ledoit–Wolf covariance of the first `p` feature columns of a column-major matrix of `count` rows.
 * O(n·p²) time, O(n·p) extra memory (the centred copy).
 */
export function ledoitWolf(features: Float64Array, count: number, p: number): ShrunkCovariance {
  if (!Number.isInteger(p) || p < 0 || !Number.isInteger(count) || count < 0 || features.length < count * p) {
    throw new RangeError(`ledoitWolf: ${features.length} values cannot hold ${count} rows × ${p} features`);
  }
  const mean = new Float64Array(p);
  const x = new Float64Array(count * p);
  for (let f = 0; f < p; f++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const v = features[f * count + i]!;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    const m = n > 0 ? sum / n : 0;
    mean[f] = m;
    for (let i = 0; i < count; i++) {
      const v = features[f * count + i]!;
      x[f * count + i] = Number.isFinite(v) ? v - m : 0;
    }
  }
  const s = new Float64Array(p * p);
  let shrinkage = 0;
  if (count > 0) {
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        let dot = 0;
        for (let i = 0; i < count; i++) dot += x[a * count + i]! * x[b * count + i]!;
        s[a * p + b] = dot / count;
        s[b * p + a] = dot / count;
      }
    }
    let trace = 0;
    for (let a = 0; a < p; a++) trace += s[a * p + a]!;
    const mu = p > 0 ? trace / p : 0;
    // β̄ and δ as in Ledoit & Wolf (2004), lemma 3.2/3.3, with the n-divisor covariance.
    let sumX2X2 = 0;
    let sumS2 = 0;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        let dot = 0;
        for (let i = 0; i < count; i++) {
          const xa = x[a * count + i]!;
          const xb = x[b * count + i]!;
          dot += xa * xa * xb * xb;
        }
        sumX2X2 += dot;
        sumS2 += s[a * p + b]! * s[a * p + b]!;
      }
    }
    let beta = (sumX2X2 / count - sumS2) / (p * count);
    const delta = (sumS2 - 2 * mu * trace + p * mu * mu) / p;
    beta = Math.min(beta, delta);
    shrinkage = beta === 0 || delta === 0 ? 0 : beta / delta;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) s[a * p + b] = (1 - shrinkage) * s[a * p + b]! + (a === b ? shrinkage * mu : 0);
    }
  }
  const precision = p === 0 ? new Float64Array(0) : Float64Array.from(pseudoInverse(Matrix.from1DArray(p, p, s)).to1DArray());
  return { mean, covariance: s, precision, shrinkage };
}

/**
 * Squared Mahalanobis distance of row `row` of the column-major `features` (`count` rows; the first `p`
 * columns, absent where `f >= featureCount`) from `mean` under `precision`. Absent values are imputed
 * by the mean (they add nothing). `scratch` needs `p` values. Returns NaN when every value is absent.
 */
export function mahalanobis2(
  features: Float64Array,
  count: number,
  featureCount: number,
  row: number,
  p: number,
  mean: Float64Array,
  precision: Float64Array,
  scratch: Float64Array,
): number {
  let present = 0;
  for (let f = 0; f < p; f++) {
    const v = f < featureCount ? features[f * count + row]! : NaN;
    if (v === v) {
      // An infinite value is infinitely far: the distance says so instead of becoming NaN.
      if (!Number.isFinite(v)) return Infinity;
      scratch[f] = v - mean[f]!;
      present++;
    } else {
      scratch[f] = 0;
    }
  }
  if (present === 0) return NaN;
  let d2 = 0;
  for (let a = 0; a < p; a++) {
    const da = scratch[a]!;
    if (da === 0) continue;
    let row2 = 0;
    for (let b = 0; b < p; b++) row2 += precision[a * p + b]! * scratch[b]!;
    d2 += da * row2;
  }
  return d2 < 0 ? 0 : d2;
}
