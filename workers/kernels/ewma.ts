/**
 * EWMA control chart statistic (Roberts, 1959; Montgomery, "Introduction to Statistical Quality
 * Control", §9.2): z_t = λ·x_t + (1 − λ)·z_{t−1}, z_0 = μ0, with the exact (time-varying) standard
 * deviation σ·√(λ / (2 − λ) · (1 − (1 − λ)^(2t))). Written out as the standardised distance
 * (z_t − μ0) / sd_t, so an upper control limit of L sigmas is `out[t] > L`.
 */

/**
 * Standardised upper EWMA statistic of `values[0 .. n)` (NaN values are skipped: the chart holds its
 * state and the row gets NaN) against centre `center` and per-observation sd `sigma`. Writes `out[i]`
 * for each row; `sigma <= 0` gives +Infinity where the EWMA is above the centre and 0 otherwise.
 */
export function ewmaStandardized(values: ArrayLike<number>, n: number, center: number, sigma: number, lambda: number, out: Float64Array): void {
  let z = center;
  let decay = 1; // (1 - λ)^(2t)
  const k = (1 - lambda) * (1 - lambda);
  const base = lambda / (2 - lambda);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x !== x) {
      out[i] = NaN;
      continue;
    }
    z = lambda * x + (1 - lambda) * z;
    decay *= k;
    const diff = z - center;
    const sd = sigma * Math.sqrt(base * (1 - decay));
    out[i] = sd > 0 ? diff / sd : diff > 0 ? Infinity : 0;
  }
}
