/**
 * Special functions behind the drift tests' p-values: log-gamma, the regularized incomplete gamma
 * functions (chi-square and normal tails), the chi-square quantile, and the modified Bessel function
 * of the second kind for fractional orders (the Cramér–von Mises limiting distribution).
 *
 * Accuracy target: relative 1e-12 or better against scipy.special on the ranges the tests use
 * (test/unit/workers/kernels/special.test.ts compares with fixtures written by scipy). None of them
 * allocates.
 */

// Lanczos approximation, g = 7, 9 coefficients (Godfrey's set): relative error below 2e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (NaN otherwise). */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** e^{-x} x^a / Γ(a), computed in log space. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - logGamma(a));
}

/** Series for P(a, x), converges fast for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Continued fraction (modified Lentz) for Q(a, x), converges fast for x >= a + 1. */
function upperFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h * gammaPrefactor(a, x);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), a > 0, x >= 0. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerSeries(a, x) : 1 - upperFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
}

/** Survival function of the chi-square distribution with `df` degrees of freedom (scipy.stats.chi2.sf). */
export function chi2Sf(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/** Standard normal survival function 1 − Φ(z), accurate in both tails (erfc through Q(1/2, z²/2)). */
export function normalSf(z: number): number {
  if (z !== z) return NaN;
  if (z === 0) return 0.5;
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2);
  return z > 0 ? tail : 1 - tail;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return normalSf(-z);
}

/**
 * The chi-square quantile: the x with chi2Sf(x, df) = p, for 0 < p < 1. Bisection on a bracket,
 * then Newton steps on the density; relative accuracy ~1e-13.
 */
export function chi2Isf(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  let lo = 0;
  let hi = Math.max(1, df);
  while (chi2Sf(hi, df) > p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (chi2Sf(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Modified Bessel function of the second kind K_ν(x), x > 0, any real order, from its integral
 * K_ν(x) = ∫₀^∞ exp(−x cosh t) cosh(νt) dt. The integrand is analytic and decays double-exponentially,
 * so the trapezoid rule with step 1/16 is exact to double precision (its error is ~exp(−π²·16)).
 */
export function besselK(nu: number, x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  const h = 1 / 16;
  // Past t where x·cosh t exceeds 745, exp underflows; the integrand is negligible.
  const tMax = Math.acosh(Math.max(1, 760 / x)) + 1;
  let sum = 0.5 * Math.exp(-x);
  for (let k = 1; k * h <= tMax; k++) {
    const t = k * h;
    const term = Math.exp(-x * Math.cosh(t)) * Math.cosh(nu * t);
    sum += term;
    if (term < sum * 1e-18) break;
  }
  return sum * h;
}
