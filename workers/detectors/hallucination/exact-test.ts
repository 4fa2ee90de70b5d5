/**
 * One-sided Fisher exact test that a window's share of flagged answers exceeds the reference's, as
 * `scipy.stats.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]], alternative='greater')`: conditional on
 * the flagged total K = k0 + k1, the window's flagged count is hypergeometric (N = n0 + n1 answers,
 * K flagged, n1 drawn), and the p-value is P(X >= k1). Exact at every sample size, so a window of a
 * dozen answers or a reference without a single flagged answer gets a valid (conservative) p-value,
 * where a normal approximation would not.
 */
import { logGamma } from '../../kernels/special.js';

const logChoose = (n: number, k: number): number => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/** P(X >= k1) for k1 of n1 window answers flagged against k0 of n0 reference answers; 1 when nothing can be tested. */
export function fisherGreater(k1: number, n1: number, k0: number, n0: number): number {
  for (const [name, v] of [['k1', k1], ['n1', n1], ['k0', k0], ['n0', n0]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`fisherGreater: ${name} must be a non-negative integer, got ${v}`);
  }
  if (k1 > n1 || k0 > n0) throw new RangeError(`fisherGreater: counts exceed their totals (${k1}/${n1}, ${k0}/${n0})`);
  const total = n0 + n1;
  const flagged = k0 + k1;
  const high = Math.min(n1, flagged);
  const low = Math.max(0, n1 - (total - flagged));
  if (k1 <= low) return 1;
  // The pmf at k1, then the ratio pmf(x + 1) / pmf(x) up the tail: one log-gamma evaluation in all.
  let term = Math.exp(logChoose(flagged, k1) + logChoose(total - flagged, n1 - k1) - logChoose(total, n1));
  let sum = 0;
  for (let x = k1; x <= high; x++) {
    sum += term;
    term *= ((flagged - x) * (n1 - x)) / ((x + 1) * (total - flagged - n1 + x + 1));
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}
