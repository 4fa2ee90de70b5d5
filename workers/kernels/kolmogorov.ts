/**
 * The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, as scipy.stats.kstwo
 * evaluates it (scipy/stats/_ksstats.py, Simard & L'Ecuyer 2011): the survival function
 * Pr(D_n >= x) picks, by n and n·x², among
 *   - Ruben–Gambino closed forms near the ends of the support (n·x <= 1 and n·x >= n − 1),
 *   - twice the one-sided Smirnov tail (Birnbaum–Tingey sum) for x >= 0.5 or n·x² >= 2.2,
 *   - the Durbin matrix (Marsaglia–Tsang–Wang) for small n·x^1.5,
 *   - the Pelz–Good asymptotic series otherwise.
 * Two deliberate differences, both below the 1e-9 the fixtures check:
 *   - for n <= 140 and 0.754693 < n·x² <= 4 scipy uses Pomeranz's recursion; this uses the Durbin
 *     matrix, which is also exact;
 *   - scipy's Smirnov tail (special.smirnov) sums in double-double arithmetic; this sums the same
 *     all-positive series in log space in doubles (relative error ~1e-13 for n up to 10^6).
 */
const MIN_LOG = -708;
const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SMIRNOV_MAX_N = 1_000_000;
// Stirling-series coefficients of ln(n!/n^n), highest order first (as scipy's _STIRLING_COEFFS).
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417, -0.0005952380952380953, 0.0007936507936507937,
  -0.002777777777777778, 0.08333333333333333,
];

const clip = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** ln(n! / n^n) by Stirling's series (n > 140). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * y + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/**
 * One-sided Smirnov tail Pr(D⁺_n >= x) (scipy.special.smirnov) by the Birnbaum–Tingey sum
 * x · Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (1 − x − j/n)^{n−j} (x + j/n)^{j−1}: every term is positive, so no
 * cancellation; each term is formed in log space.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  if (nx <= 1) return 1 - x * Math.pow(1 + x, n - 1);
  if (-2 * nx * x < -708.3964185322641) return 0;
  if (Math.floor(nx) >= n - 1) return Math.pow(1 - x, n);
  if (n > SMIRNOV_MAX_N) {
    const logp = -Math.pow(6 * nx + 1, 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  const last = Math.floor(n * (1 - x));
  let logC = 0;
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const a = (n - j) / n - x;
    if (a > 0) {
      const logTerm = logC + (n - j) * Math.log(a) + (j - 1) * Math.log(x + j / n);
      sum += Math.exp(logTerm);
    }
    logC += Math.log((n - j) / (j + 1));
  }
  return clip(x * sum);
}

/** Pr(D_n <= d) by the Durbin matrix, as Marsaglia, Tsang & Wang (2003) compute it. */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  const tt = Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let A = H;
  let tmp = new Float64Array(m * m);
  let expnt = 0;
  let hExpnt = 0;
  const mul = (x: Float64Array, y: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const xil = x[i * m + l]!;
        if (xil === 0) continue;
        for (let j = 0; j < m; j++) out[i * m + j]! += xil * y[l * m + j]!;
      }
    }
  };
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) {
      mul(P, A, tmp);
      [P, tmp] = [tmp, P];
      expnt += hExpnt;
    }
    mul(A, A, tmp);
    [A, tmp] = [tmp, A];
    hExpnt *= 2;
    if (Math.abs(A[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < A.length; i++) A[i]! /= E128;
      hExpnt += 128;
    }
  }
  let p = P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  return expnt !== 0 ? p * Math.pow(2, expnt) : p;
}

/** Pelz–Good approximation of Pr(D_n <= x) (as scipy's _kolmogn_PelzGood), returned as the survival side when `sf`. */
function pelzGood(n: number, x: number, sf: boolean): number {
  if (x <= 0) return sf ? 1 : 0;
  if (x >= 1) return sf ? 0 : 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return sf ? 1 : 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let K0 = 0;
  let K1 = 0;
  let K2 = 0;
  let K3 = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const mm = 2 * k - 1;
    const m2 = mm * mm;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    K0 = K0 * qp + 1;
    K1 = K1 * qp + (k1a + k1b * m2);
    K2 = K2 * qp + (k2a + k2b * m2 + k2c * m4);
    K3 = K3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const scale = q * SQRT2PI;
  K0 = (K0 * scale) / z;
  K1 = (K1 * scale) / (6 * z4);
  K2 = (K2 * scale) / (72 * z ** 7);
  K3 = (K3 * scale) / (6480 * z ** 10);
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = Math.pow(q, k2);
    const kpi = Math.PI * k;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K2 += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K3 += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  K1 /= Math.sqrt(n);
  K2 /= n;
  K3 /= n * Math.sqrt(n);
  if (sf) return 1 - K0 - K1 - K2 - K3;
  return K0 + K1 + K2 + K3;
}

/** Pr(D_n >= x) for the two-sided one-sample statistic (scipy.stats.kstwo.sf(x, n)). */
export function kolmogorovSf(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0) || x !== x) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= (i / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - prob);
  }
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  if (nx2 >= 18) return 0;
  if (n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4) return clip(1 - durbinCdf(n, x));
  return clip(pelzGood(n, x, true));
}
