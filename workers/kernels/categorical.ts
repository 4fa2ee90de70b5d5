/**
 * Tests for categorical features, over category counts.
 *
 * Chi-square: the test of homogeneity of the 2 × K table (reference counts, current counts), as
 * scipy.stats.chi2_contingency(table, correction=False): expected counts from the margins, K − 1
 * degrees of freedom, categories empty in both samples left out. Decisions, and why:
 *   - no Yates correction: scipy applies it only when the table has one degree of freedom, which would
 *     make two-category features alone conservative; the z-test below covers binary features;
 *   - categories never seen in the reference are just columns of the table (their expected count is
 *     positive through the pooled margin), so an unseen category raises the statistic instead of
 *     dividing by zero, as the goodness-of-fit form (Evidently's chisquare against reference
 *     frequencies) does.
 * Z-test: the pooled two-proportion z-test for a binary feature (Evidently's z-test), two-sided
 * p-value 2·(1 − Φ(|z|)), computed from the normal tail directly so small p-values keep their digits.
 */
import { chi2Sf, normalSf } from './special.js';

/**
 * Chi-square statistic and p-value of the 2 × K table; writes `[statistic, pValue, dof]` to `out`.
 * Fewer than two non-empty categories, or an empty sample, gives `[0, 1, 0]` (nothing to compare).
 */
export function chiSquareHomogeneity(ref: Float64Array, refOff: number, cur: Float64Array, curOff: number, categories: number, out: Float64Array, outOff = 0): void {
  let nRef = 0;
  let nCur = 0;
  let used = 0;
  for (let k = 0; k < categories; k++) {
    const r = ref[refOff + k]!;
    const c = cur[curOff + k]!;
    nRef += r;
    nCur += c;
    if (r + c > 0) used++;
  }
  if (nRef === 0 || nCur === 0 || used < 2) {
    out[outOff] = 0;
    out[outOff + 1] = 1;
    out[outOff + 2] = 0;
    return;
  }
  const total = nRef + nCur;
  let stat = 0;
  for (let k = 0; k < categories; k++) {
    const r = ref[refOff + k]!;
    const c = cur[curOff + k]!;
    const col = r + c;
    if (col === 0) continue;
    const er = (nRef * col) / total;
    const ec = (nCur * col) / total;
    stat += ((r - er) * (r - er)) / er + ((c - ec) * (c - ec)) / ec;
  }
  out[outOff] = stat;
  out[outOff + 1] = chi2Sf(stat, used - 1);
  out[outOff + 2] = used - 1;
}

/**
 * Pooled two-proportion z-test: `k1` successes of `n1` against `k2` of `n2`; writes `[z, pValue]`.
 * When the pooled proportion is 0 or 1 (both samples constant and equal) z is 0 and p is 1; an empty
 * sample gives NaNs.
 */
export function twoProportionZ(k1: number, n1: number, k2: number, n2: number, out: Float64Array, outOff = 0): void {
  if (!(n1 > 0 && n2 > 0)) {
    out[outOff] = out[outOff + 1] = NaN;
    return;
  }
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) {
    out[outOff] = 0;
    out[outOff + 1] = 1;
    return;
  }
  const z = (p1 - p2) / se;
  out[outOff] = z;
  const p = 2 * normalSf(Math.abs(z));
  out[outOff + 1] = p > 1 ? 1 : p;
}
