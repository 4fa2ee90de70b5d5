/**
 * Robust location and scale: the median and the median absolute deviation (MAD).
 *
 * Convention: median = type-7 quantile at 0.5 (the mean of the two middle values for an even count);
 * scale = 1.4826 × MAD, which estimates the standard deviation of normal data. Where more than half
 * the values are equal the MAD is 0; the scale then falls back to 1.2533 × the mean absolute deviation
 * from the median (also consistent for the normal), and is 0 only for a constant feature.
 */

/** Consistency constant of the MAD for the normal distribution, 1 / Φ⁻¹(3/4). */
export const MAD_NORMAL = 1.482602218505602;
/** Consistency constant of the mean absolute deviation for the normal distribution, √(π/2). */
export const MEAN_AD_NORMAL = 1.2533141373155003;

let scratch = new Float64Array(1024);

function medianOfSorted(sorted: Float64Array, n: number): number {
  const h = (n - 1) / 2;
  const lo = Math.floor(h);
  return h === lo ? sorted[lo]! : (sorted[lo]! + sorted[lo + 1]!) / 2;
}

/**
 * Median and robust scale of the non-NaN values in `values[offset .. offset + length)`, written to
 * `out[at]` and `out[at + 1]`; returns the number of values used (NaN, NaN with none).
 */
export function medianScale(values: ArrayLike<number>, offset: number, length: number, out: Float64Array, at = 0): number {
  if (scratch.length < length) scratch = new Float64Array(Math.max(length, 2 * scratch.length));
  let n = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = values[i]!;
    if (v === v) scratch[n++] = v;
  }
  if (n === 0) {
    out[at] = NaN;
    out[at + 1] = NaN;
    return 0;
  }
  const sorted = scratch.subarray(0, n).sort();
  const median = medianOfSorted(sorted, n);
  let meanAd = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(sorted[i]! - median);
    sorted[i] = d;
    meanAd += d;
  }
  meanAd /= n;
  sorted.sort();
  const mad = medianOfSorted(sorted, n);
  out[at] = median;
  out[at + 1] = mad > 0 ? MAD_NORMAL * mad : MEAN_AD_NORMAL * meanAd;
  return n;
}
