/**
 * Isotonic probability calibration and confidence-based performance estimation (CBPE, in the manner of
 * NannyML): an isotonic regression of labels on scores, fitted on labelled reference data as
 * scikit-learn's IsotonicRegression(out_of_bounds="clip") fits it (ties in x merged by weighted mean,
 * pool-adjacent-violators, linear interpolation between the fitted points, x clipped to the fitted
 * range), and the expected accuracy of predictions given their calibrated probability of class 1:
 * mean over rows of p where the prediction is 1 and 1 - p where it is 0.
 */

/** The fitted calibration map: strictly increasing x thresholds and their non-decreasing y values. */
export interface IsotonicFit {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Fits an increasing isotonic regression of `labels` (0/1 or any number) on `scores`, skipping rows where either is NaN. */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): IsotonicFit {
  if (scores.length !== labels.length) throw new RangeError(`fitIsotonic: ${scores.length} scores for ${labels.length} labels`);
  const rows: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] === scores[i] && labels[i] === labels[i]) rows.push(i);
  // scikit-learn sorts by x then y (lexsort) before merging ties.
  rows.sort((a, b) => scores[a]! - scores[b]! || labels[a]! - labels[b]!);
  // Ties in x merged into one point: weight = count, y = mean (scikit-learn's _make_unique, eps = float64 resolution).
  const eps = 1e-15;
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (let k = 0; k < rows.length; ) {
    const x0 = scores[rows[k]!]!;
    let w = 0;
    let sum = 0;
    let j = k;
    while (j < rows.length && scores[rows[j]!]! < x0 + eps) {
      w += 1;
      sum += labels[rows[j]!]!;
      j++;
    }
    ux.push(x0);
    uy.push(sum / w);
    uw.push(w);
    k = j;
  }
  // Pool adjacent violators over blocks [start, end) with weighted means.
  const n = ux.length;
  const value = Float64Array.from(uy);
  const weight = Float64Array.from(uw);
  const end = new Int32Array(n); // end[start] = one past the block's last point
  for (let i = 0; i < n; i++) end[i] = i + 1;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    starts.push(i);
    while (starts.length > 1) {
      const b = starts[starts.length - 1]!;
      const a = starts[starts.length - 2]!;
      if (value[a]! <= value[b]!) break;
      const w = weight[a]! + weight[b]!;
      value[a] = (weight[a]! * value[a]! + weight[b]! * value[b]!) / w;
      weight[a] = w;
      end[a] = end[b]!;
      starts.pop();
    }
  }
  const y = new Float64Array(n);
  for (const s of starts) for (let i = s; i < end[s]!; i++) y[i] = value[s]!;
  return { x: Float64Array.from(ux), y };
}

/** The calibrated value at `score`: linear between fitted points, clipped to the fitted range; NaN for NaN or an empty fit. */
export function calibrate(fit: IsotonicFit, score: number): number {
  const { x, y } = fit;
  const n = x.length;
  if (n === 0 || score !== score) return NaN;
  if (score <= x[0]!) return y[0]!;
  if (score >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const t = (score - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/**
 * Sums for CBPE's expected accuracy over rows with a prediction (0/1) and a probability: returns the
 * expected number of correct predictions and writes the number of rows to `out[0]`. Probabilities are
 * calibrated by `fit` when given.
 */
export function expectedCorrect(predicted: ArrayLike<number>, probability: ArrayLike<number>, fit: IsotonicFit | null, out: Float64Array): number {
  if (predicted.length !== probability.length) throw new RangeError(`expectedCorrect: ${predicted.length} predictions for ${probability.length} probabilities`);
  let rows = 0;
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) {
    const yp = predicted[i]!;
    const raw = probability[i]!;
    if (!(yp === 0 || yp === 1) || raw !== raw) continue;
    const p = fit === null ? raw : calibrate(fit, raw);
    rows++;
    correct += yp === 1 ? p : 1 - p;
  }
  out[0] = rows;
  return correct;
}
