/**
 * Calibration of raw detector scores into empirical tail probabilities, so one threshold means the
 * same for every detector and model.
 *
 * Convention: for a raw score `x` (higher = more unusual) and the `n` raw scores of the reference rows,
 * the tail probability is `p(x) = (1 + #{reference >= x}) / (n + 1)` (the permutation-test p-value:
 * a fresh reference-like row has `P(p <= a) <= a`), and the calibrated score is `1 - p(x)`, in
 * [0, n / (n + 1)]. A threshold of 0.99 therefore flags about 1% of reference-like rows, whichever
 * detector produced the raw score.
 *
 * Storage: the sorted non-NaN reference scores, or, past `maxSize` of them, `maxSize` type-7 quantiles
 * at evenly spaced probabilities (tail resolution 1 / maxSize). Layout of the Float64Array:
 * `[n, m, sorted_0 .. sorted_{m-1}]` with `n` the reference count and `m` the stored count.
 */

/** Stored values per calibration unless asked otherwise. */
export const DEFAULT_CALIBRATION_SIZE = 4096;

/** Builds the calibration table of the non-NaN values of `raw`. NaN values are ignored. */
export function buildCalibration(raw: ArrayLike<number>, maxSize = DEFAULT_CALIBRATION_SIZE): Float64Array {
  if (!Number.isInteger(maxSize) || maxSize < 2) throw new RangeError(`buildCalibration: maxSize must be an integer >= 2, got ${maxSize}`);
  const values: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (v === v) values.push(v);
  }
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const m = Math.min(n, maxSize);
  const out = new Float64Array(2 + m);
  out[0] = n;
  out[1] = m;
  if (m === n) {
    out.set(sorted, 2);
  } else {
    for (let j = 0; j < m; j++) {
      const h = ((n - 1) * j) / (m - 1);
      const lo = Math.floor(h);
      const frac = h - lo;
      const a = sorted[lo]!;
      const b = sorted[Math.min(lo + 1, n - 1)]!;
      out[2 + j] = frac === 0 || a === b ? a : a + frac * (b - a);
    }
  }
  return out;
}

/** Whether `table` has the layout written by buildCalibration (O(1)). */
export function isCalibration(table: Float64Array | undefined): table is Float64Array {
  if (table === undefined || table.length < 2) return false;
  const n = table[0]!;
  const m = table[1]!;
  return Number.isInteger(n) && Number.isInteger(m) && m <= n && table.length === 2 + m;
}

/**
 * The calibrated score `1 - p(x)` of raw score `x` against `table`. NaN for a NaN `x` or an empty
 * reference. Binary search: O(log m), no allocation.
 */
export function calibrate(table: Float64Array, x: number): number {
  const n = table[0]!;
  const m = table[1]!;
  if (x !== x || m === 0) return NaN;
  // First stored index whose value is >= x.
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table[2 + mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const atLeast = m === n ? m - lo : (n * (m - lo)) / m;
  return 1 - (1 + atLeast) / (n + 1);
}
