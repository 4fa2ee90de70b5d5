/**
 * Performance metrics over typed arrays, with scikit-learn's conventions (checked against sklearn by
 * test/unit/workers/kernels/metrics.test.ts at 1e-9):
 *   - class labels are integer codes; a row whose truth or prediction is negative (absent) is skipped;
 *   - F1 of a class with no true and no predicted positives is 0 (sklearn's zero_division default);
 *   - macro F1 averages over the classes present in the truth or the predictions of the counted rows;
 *   - ROC AUC handles tied scores as sklearn does (tied thresholds are one ROC point; equivalently
 *     the Mann–Whitney statistic with ties counted one half); NaN when a class is missing;
 *   - regression metrics skip rows where either value is NaN.
 * Every metric is NaN over zero counted rows. Only `rocAuc` allocates (one index array for sorting).
 */

function checkLengths(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`${name}: truth has ${a.length} values, prediction ${b.length}`);
}

/** Share of counted rows where the predicted class code equals the true one. */
export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths('accuracy', truth, predicted);
  let n = 0;
  let hit = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && p >= 0)) continue;
    n++;
    if (t === p) hit++;
  }
  return n === 0 ? NaN : hit / n;
}

/**
 * Per-class counts for F1: writes true positives, false positives and false negatives of class c to
 * `out[3c], out[3c + 1], out[3c + 2]` (out holds 3 × classCount values) and returns the counted rows.
 * Codes >= classCount are a RangeError.
 */
export function confusionCounts(truth: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number, out: Float64Array): number {
  checkLengths('confusionCounts', truth, predicted);
  if (out.length < 3 * classCount) throw new RangeError(`confusionCounts: out needs ${3 * classCount} values, has ${out.length}`);
  out.fill(0, 0, 3 * classCount);
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && p >= 0)) continue;
    if (t >= classCount || p >= classCount || !Number.isInteger(t) || !Number.isInteger(p)) {
      throw new RangeError(`confusionCounts: row ${i} has class codes ${t}/${p}, expected integers below ${classCount}`);
    }
    n++;
    if (t === p) out[3 * t]!++;
    else {
      out[3 * p + 1]!++;
      out[3 * t + 2]!++;
    }
  }
  return n;
}

function f1Of(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? 0 : (2 * tp) / d;
}

/** Binary F1 of class `positive` (sklearn `f1_score(average='binary', pos_label=positive)`). */
export function f1Binary(truth: ArrayLike<number>, predicted: ArrayLike<number>, positive = 1): number {
  checkLengths('f1Binary', truth, predicted);
  let n = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && p >= 0)) continue;
    n++;
    if (p === positive) {
      if (t === positive) tp++;
      else fp++;
    } else if (t === positive) fn++;
  }
  return n === 0 ? NaN : f1Of(tp, fp, fn);
}

/** Macro F1 over the classes seen in truth or predictions (sklearn `f1_score(average='macro')`). */
export function f1Macro(truth: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number, scratch = new Float64Array(3 * classCount)): number {
  const n = confusionCounts(truth, predicted, classCount, scratch);
  if (n === 0) return NaN;
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < classCount; c++) {
    const tp = scratch[3 * c]!;
    const fp = scratch[3 * c + 1]!;
    const fn = scratch[3 * c + 2]!;
    if (tp + fp + fn === 0) continue; // class absent from both: sklearn does not list it
    classes++;
    sum += f1Of(tp, fp, fn);
  }
  return sum / classes;
}

/**
 * ROC AUC of scores for binary truth (1 = positive, 0 = negative; other values and NaN scores are
 * skipped). NaN when either class has no row.
 */
export function rocAuc(truth: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkLengths('rocAuc', truth, scores);
  let m = 0;
  for (let i = 0; i < truth.length; i++) if ((truth[i] === 0 || truth[i] === 1) && scores[i] === scores[i]) m++;
  const order = new Int32Array(m);
  m = 0;
  for (let i = 0; i < truth.length; i++) if ((truth[i] === 0 || truth[i] === 1) && scores[i] === scores[i]) order[m++] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  // Sum of the mid-ranks of the positives.
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < m; ) {
    let j = i;
    let tiedPositives = 0;
    const s = scores[order[i]!]!;
    while (j < m && scores[order[j]!] === s) {
      if (truth[order[j]!] === 1) tiedPositives++;
      j++;
    }
    rankSum += tiedPositives * ((i + 1 + j) / 2);
    positives += tiedPositives;
    i = j;
  }
  const negatives = m - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean absolute error over rows where both values are present. */
export function mae(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths('mae', truth, predicted);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = truth[i]! - predicted[i]!;
    if (d !== d) continue;
    n++;
    sum += Math.abs(d);
  }
  return n === 0 ? NaN : sum / n;
}

/** Root mean squared error over rows where both values are present. */
export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths('rmse', truth, predicted);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = truth[i]! - predicted[i]!;
    if (d !== d) continue;
    n++;
    sum += d * d;
  }
  return n === 0 ? NaN : Math.sqrt(sum / n);
}
