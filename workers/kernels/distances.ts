/**
 * Distances between two distributions: Wasserstein-1 over sorted samples, and Jensen–Shannon and
 * Hellinger over binned proportions. Allocation-free.
 */

/**
 * Wasserstein-1 distance of two sorted samples (scipy.stats.wasserstein_distance without weights):
 * ∫ |F_a(t) − F_b(t)| dt, summed between consecutive pooled values. NaN when either sample is empty.
 */
export function wasserstein1(a: Float64Array, aOff: number, n1: number, b: Float64Array, bOff: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return NaN;
  let i = 0;
  let j = 0;
  let sum = 0;
  let prev = a[aOff]! <= b[bOff]! ? a[aOff]! : b[bOff]!;
  while (i < n1 || j < n2) {
    const va = i < n1 ? a[aOff + i]! : Infinity;
    const vb = j < n2 ? b[bOff + j]! : Infinity;
    const v = va <= vb ? va : vb;
    if (v > prev) {
      const diff = i / n1 - j / n2;
      sum += (diff < 0 ? -diff : diff) * (v - prev);
      prev = v;
    }
    while (i < n1 && a[aOff + i]! === v) i++;
    while (j < n2 && b[bOff + j]! === v) j++;
  }
  return sum;
}

/** Log bases the distances accept: natural (scipy's default) or 2 (bounded by 1). */
export type LogBase = 'e' | '2';

/**
 * Jensen–Shannon distance (scipy.spatial.distance.jensenshannon): the square root of the JS
 * divergence of the two count or proportion vectors, each normalised to sum 1; natural log unless
 * base 2 is asked for (then the distance lies in [0, 1]). NaN when either vector sums to 0.
 */
export function jensenShannon(p: Float64Array, pOff: number, q: Float64Array, qOff: number, bins: number, base: LogBase = 'e'): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < bins; k++) {
    sp += p[pOff + k]!;
    sq += q[qOff + k]!;
  }
  if (!(sp > 0 && sq > 0)) return NaN;
  let js = 0;
  for (let k = 0; k < bins; k++) {
    const x = p[pOff + k]! / sp;
    const y = q[qOff + k]! / sq;
    const m = (x + y) / 2;
    if (x > 0) js += x * Math.log(x / m);
    if (y > 0) js += y * Math.log(y / m);
  }
  if (base === '2') js /= Math.LN2;
  return Math.sqrt(Math.max(0, js) / 2);
}

/**
 * Hellinger distance sqrt(1 − Σ sqrt(p_k q_k)) of two count or proportion vectors, each normalised to
 * sum 1 (the Bhattacharyya form Evidently uses; equal to ‖√p − √q‖₂ / √2). In [0, 1]; NaN when either
 * vector sums to 0.
 */
export function hellinger(p: Float64Array, pOff: number, q: Float64Array, qOff: number, bins: number): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < bins; k++) {
    sp += p[pOff + k]!;
    sq += q[qOff + k]!;
  }
  if (!(sp > 0 && sq > 0)) return NaN;
  let bc = 0;
  for (let k = 0; k < bins; k++) bc += Math.sqrt((p[pOff + k]! / sp) * (q[qOff + k]! / sq));
  if (bc > 1) bc = 1;
  return Math.sqrt(1 - bc);
}

/**
 * Evidently's zero floor (get_binned_data, feel_zeroes): in place, each zero proportion becomes
 * min(non-zero)/10^6 when the smallest non-zero proportion is at most 1e-4, 1e-4 otherwise.
 */
export function evidentlyFloor(proportions: Float64Array, off: number, bins: number): void {
  let min = Infinity;
  for (let k = 0; k < bins; k++) {
    const v = proportions[off + k]!;
    if (v !== 0 && v < min) min = v;
  }
  if (min === Infinity) return;
  const fill = min <= 1e-4 ? min / 1e6 : 1e-4;
  for (let k = 0; k < bins; k++) if (proportions[off + k] === 0) proportions[off + k] = fill;
}

/** PSI as Evidently sums it: Σ (r − c) ln(r / c) over already floored proportions. */
export function psiOfProportions(r: Float64Array, rOff: number, c: Float64Array, cOff: number, bins: number): number {
  let sum = 0;
  for (let k = 0; k < bins; k++) {
    const x = r[rOff + k]!;
    const y = c[cOff + k]!;
    sum += (x - y) * Math.log(x / y);
  }
  return sum;
}
