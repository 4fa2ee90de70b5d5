/**
 * Streaming moments (Welford), NaN-skipping, and their exact-order merge (Chan et al.), so per-batch
 * moments combine into window moments without a second pass. A moments triple is stored as
 * `[count, mean, m2]` where `m2` is the sum of squared deviations from the mean.
 */

/** Length of one moments triple in a Float64Array. */
export const MOMENTS_SIZE = 3;

/** Writes `[count, mean, m2]` of the non-NaN values of `values[offset .. offset + length)` to `out[outOffset ..]`. */
export function moments(values: ArrayLike<number>, offset: number, length: number, out: Float64Array, outOffset = 0): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > values.length) {
    throw new RangeError(`moments: offset ${offset} and length ${length} must be non-negative integers within the ${values.length} values`);
  }
  if (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + MOMENTS_SIZE > out.length) {
    throw new RangeError(`moments: out needs ${MOMENTS_SIZE} slots from offset ${outOffset}, has ${out.length}`);
  }
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  out[outOffset] = n;
  out[outOffset + 1] = n === 0 ? NaN : mean;
  out[outOffset + 2] = m2;
}

/** Merges moments triples `a[aOffset ..]` and `b[bOffset ..]` into `out[outOffset ..]` (out may alias a or b). */
export function mergeMoments(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, out: Float64Array, outOffset = 0): void {
  const na = a[aOffset]!;
  const nb = b[bOffset]!;
  const ma = a[aOffset + 1]!;
  const mb = b[bOffset + 1]!;
  const qa = a[aOffset + 2]!;
  const qb = b[bOffset + 2]!;
  if (nb === 0) {
    out[outOffset] = na;
    out[outOffset + 1] = ma;
    out[outOffset + 2] = qa;
    return;
  }
  if (na === 0) {
    out[outOffset] = nb;
    out[outOffset + 1] = mb;
    out[outOffset + 2] = qb;
    return;
  }
  const n = na + nb;
  const d = mb - ma;
  out[outOffset] = n;
  out[outOffset + 1] = ma + (d * nb) / n;
  out[outOffset + 2] = qa + qb + (d * d * na * nb) / n;
}

/** Mean of the non-NaN values of `values[offset .. offset + length)`; NaN when there are none. */
export function mean(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let n = 0;
  let m = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    m += (v - m) / n;
  }
  return n === 0 ? NaN : m;
}

/**
 * Variance of the non-NaN values of `values[offset .. offset + length)` with `ddof` delta degrees of
 * freedom (1: sample variance, 0: population variance); NaN when there are not more than `ddof` values.
 */
export function variance(values: ArrayLike<number>, offset = 0, length = values.length - offset, ddof = 1): number {
  let n = 0;
  let m = 0;
  let m2 = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    const d = v - m;
    m += d / n;
    m2 += d * (v - m);
  }
  return n > ddof ? m2 / (n - ddof) : NaN;
}
