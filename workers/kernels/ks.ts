/**
 * Two-sample Kolmogorov–Smirnov test over sorted samples, as scipy.stats.ks_2samp (scipy 1.17,
 * alternative 'two-sided', method 'auto').
 *
 * Statistic: D = max over the pooled values v of |F₁(v) − F₂(v)|, with F the right-continuous ECDF
 * (scipy's searchsorted side='right'), so tied values — within or across samples — are consumed
 * together before the difference is taken.
 *
 * p-value, method 'auto' (scipy/stats/_stats_py.py, ks_2samp): exact when max(n₁, n₂) <= 10,000
 * (MAX_AUTO_N; the product n₁·n₂ plays no part in 'auto'), asymptotic otherwise.
 *   - exact: h = round(D · lcm(n₁, n₂)) (round half to even, as np.round), D is then reported as
 *     h / lcm; n₁ = n₂ uses the alternating-binomial series in Horner form (_compute_prob_outside_square),
 *     otherwise the lattice-path count of paths leaving the band |x/n₁ − y/n₂| < h / lcm, carrying
 *     1 − p through the recursion (Hodges 1958, with Viehmann 2021's stable form, scipy's
 *     _compute_outer_prob_inside_method). A result outside [0, 1] falls back to asymptotic, as scipy.
 *   - asymptotic: kstwo.sf(D, round(n₁n₂ / (n₁ + n₂))) (./kolmogorov.ts).
 */
import { kolmogorovSf } from './kolmogorov.js';

/** scipy's MAX_AUTO_N: 'auto' is exact up to this many values in the larger sample. */
export const KS_MAX_EXACT_N = 10_000;

/** The method scipy's 'auto' resolves to, as a code in `out[2]`: 0 exact, 1 asymptotic. */
export const KS_EXACT = 0;
export const KS_ASYMPTOTIC = 1;

/** scipy's `method`: 'auto' (exact up to KS_MAX_EXACT_N values), 'exact' (falls back when it fails), 'asymp'. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/**
 * D of two sorted samples `a[aOff .. aOff + n1)` and `b[bOff .. bOff + n2)` (ascending, no NaN).
 * Returns NaN when either is empty.
 */
export function ksStatistic(a: Float64Array, aOff: number, n1: number, b: Float64Array, bOff: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return NaN;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  // F₂ only changes at b's values. Between two consecutive distinct values u < u' of b, F₂ is
  // constant and F₁ can only grow, so F₁ − F₂ is largest at the last pooled value before u' (F₁ =
  // #a < u', F₂ = #b < u') and smallest at u itself (F₁ = #a <= u, F₂ = #b <= u). Checking those two
  // points per distinct value of b visits the same (i, j) pairs as the full scan where the extremes
  // can be, so D is the same double, while a's values are only stepped over in a tight loop.
  while (j < n2) {
    const u = b[bOff + j]!;
    while (i < n1 && a[aOff + i]! < u) i++;
    const before = i / n1 - j / n2;
    if (before > max) max = before;
    while (j < n2 && b[bOff + j]! === u) j++;
    while (i < n1 && a[aOff + i]! === u) i++;
    const at = i / n1 - j / n2;
    if (at < min) min = at;
  }
  const minS = -min > 1 ? 1 : -min;
  return minS > max ? minS : max;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Round half to even, as numpy's round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} >= h/n): scipy's _compute_prob_outside_square. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

// Reused column of the lattice recursion and table of 1/k; both grow to the largest size seen.
let column = new Float64Array(1024);
let reciprocals = new Float64Array(0);

function reciprocalsUpTo(k: number): Float64Array {
  if (reciprocals.length <= k) {
    reciprocals = new Float64Array(Math.max(k + 1, 2 * reciprocals.length));
    for (let i = 1; i < reciprocals.length; i++) reciprocals[i] = 1 / i;
  }
  return reciprocals;
}

/** 1 − (share of lattice paths staying strictly inside the band): scipy's _compute_outer_prob_inside_method. */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  if (column.length < lenA) column = new Float64Array(Math.max(lenA, 2 * column.length));
  const A = column;
  // Multiplying by a tabled 1/(i + j) instead of dividing: the inner loop is the cost of the exact
  // p-value; the rounding of the reciprocal moves the result by ~1e-15 relative (the scipy fixtures
  // hold to 1e-9).
  const recip = reciprocalsUpTo(m + n + 1);
  A.fill(1, 0, lenA);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      val = (A[jj + shift]! * i + val * (jj + minj)) * recip[i + jj + minj]!;
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, curlen, Math.min(curlen + (lastlen - curlen), lenA));
  }
  return A[maxj - minj - 1]!;
}

/**
 * The two-sample test on sorted samples; writes `[D, pValue, method]` to `out[outOff ..]` (method:
 * KS_EXACT or KS_ASYMPTOTIC, the one actually used). Empty samples give `[NaN, NaN, NaN]`.
 */
export function ksTwoSample(
  a: Float64Array,
  aOff: number,
  n1: number,
  b: Float64Array,
  bOff: number,
  n2: number,
  out: Float64Array,
  outOff = 0,
  mode: KsMethod = 'auto',
): void {
  let d = ksStatistic(a, aOff, n1, b, bOff, n2);
  if (d !== d) {
    out[outOff] = out[outOff + 1] = out[outOff + 2] = NaN;
    return;
  }
  let p = NaN;
  let method = mode === 'exact' || (mode === 'auto' && Math.max(n1, n2) <= KS_MAX_EXACT_N) ? KS_EXACT : KS_ASYMPTOTIC;
  if (method === KS_EXACT) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) p = 1;
    else p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (!(p >= 0 && p <= 1)) method = KS_ASYMPTOTIC;
  }
  if (method === KS_ASYMPTOTIC) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    p = kolmogorovSf(roundHalfEven((m * n) / (m + n)), d);
  }
  out[outOff] = d;
  out[outOff + 1] = p < 0 ? 0 : p > 1 ? 1 : p;
  out[outOff + 2] = method;
}
