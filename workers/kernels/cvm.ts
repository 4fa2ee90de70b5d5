/**
 * Two-sample Cramér–von Mises test over sorted samples, as scipy.stats.cramervonmises_2samp (scipy
 * 1.17, method 'auto').
 *
 * Statistic (Anderson 1962, eq. 9): with midranks r in the pooled sample,
 * U = n_x Σ (r(x_i) − i)² + n_y Σ (r(y_j) − j)² and T = U / (n_x n_y N) − (4 n_x n_y − 1) / (6N),
 * N = n_x + n_y.
 * p-value, 'auto': exact when max(n_x, n_y) <= 20 (enumeration of the statistic's distribution over
 * all C(N, n_x) rank arrangements, Xiao, Gordon & Yakovlev 2006), otherwise Anderson's normalised
 * statistic against the limiting one-sample distribution, whose series (Csörgő & Faraway 1996,
 * eq. 1.2) is summed, like scipy, until a term falls below 1e-7.
 */
import { besselK, logGamma } from './special.js';

/** 'auto' is exact up to this many values in the larger sample. */
export const CVM_MAX_EXACT_N = 20;

/** U of the sorted samples (midranks for ties). */
function cvmU(x: Float64Array, xOff: number, nx: number, y: Float64Array, yOff: number, ny: number): number {
  let i = 0;
  let j = 0;
  let sx = 0;
  let sy = 0;
  let pos = 0; // pooled values consumed so far
  while (i < nx || j < ny) {
    const vx = i < nx ? x[xOff + i]! : Infinity;
    const vy = j < ny ? y[yOff + j]! : Infinity;
    const v = i >= nx ? vy : j >= ny ? vx : vx <= vy ? vx : vy;
    let ti = i;
    let tj = j;
    while (ti < nx && x[xOff + ti]! === v) ti++;
    while (tj < ny && y[yOff + tj]! === v) tj++;
    const t = ti - i + (tj - j);
    const midrank = pos + (t + 1) / 2;
    for (let k = i; k < ti; k++) sx += (midrank - (k + 1)) ** 2;
    for (let k = j; k < tj; k++) sy += (midrank - (k + 1)) ** 2;
    pos += t;
    i = ti;
    j = tj;
  }
  return nx * sx + ny * sy;
}

/** Limiting CDF of the one-sample statistic (scipy's _cdf_cvm_inf), terms added until one is below 1e-7. */
export function cvmLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; k < 1000; k++) {
    const u = Math.exp(logGamma(k + 0.5) - logGamma(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += z;
    if (!(Math.abs(z) >= 1e-7)) break;
  }
  return total;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Exact p-value of U for sample sizes m, n (scipy's _pval_cvm_2samp_exact): Pr(U' >= U). */
function exactPValue(s: number, m: number, n: number): number {
  const lcm = (m / gcd(m, n)) * n;
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm * lcm * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn * mn));
  // gs[v]: frequency of each value of the partial statistic over paths reaching (u, v).
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 1; v <= m; v++) gs.push(new Map());
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v <= m; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v]!) merged.set(value, (merged.get(value) ?? 0) + freq);
      const add = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + add, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let hits = 0;
  let combinations = 0;
  for (const [value, freq] of gs[m]!) {
    combinations += freq;
    if (value >= zeta) hits += freq;
  }
  return hits / combinations;
}

/**
 * The test on sorted samples `x[xOff .. xOff + nx)` and `y[yOff .. yOff + ny)` (no NaN); writes
 * `[T, pValue, exact ? 1 : 0]` to `out[outOff ..]`. Fewer than two values on a side gives NaNs.
 */
export function cvmTwoSample(x: Float64Array, xOff: number, nx: number, y: Float64Array, yOff: number, ny: number, out: Float64Array, outOff = 0): void {
  if (nx < 2 || ny < 2) {
    out[outOff] = out[outOff + 1] = out[outOff + 2] = NaN;
    return;
  }
  const u = cvmU(x, xOff, nx, y, yOff, ny);
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  const exact = Math.max(nx, ny) <= CVM_MAX_EXACT_N;
  let p: number;
  if (exact) {
    p = exactPValue(u, nx, ny);
  } else {
    const et = (1 + 1 / N) / 6;
    const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k);
    const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
    p = tn >= 0.003 ? Math.max(1 - cvmLimitCdf(tn), 0) : 1;
  }
  out[outOff] = t;
  out[outOff + 1] = p;
  out[outOff + 2] = exact ? 1 : 0;
}
