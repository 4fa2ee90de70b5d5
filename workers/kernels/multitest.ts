/**
 * Calibrated decisions: multiple-testing corrections across features, and sample-size-aware critical
 * values for the binned distances instead of fixed cut-offs (0.1 / 0.2).
 *
 * Critical values. For fixed bins (not derived from the current window) and two samples of sizes n
 * and m drawn from one distribution, the two-sample chi-square statistic over B bins,
 * X² = n_eff Σ_b (p_b − q_b)² / r_b with n_eff = n·m / (n + m) and r_b the pooled proportion, is
 * asymptotically χ²(B − 1). A second-order expansion of each distance around p = q gives
 *   PSI = Σ (p − q) ln(p / q)        ≈ Σ (p − q)² / r      ⇒ PSI  ≈ X² / n_eff,
 *   JSD = ½KL(p‖m) + ½KL(q‖m)        ≈ ⅛ Σ (p − q)² / r    ⇒ JS²  ≈ X² / (8 n_eff)  (JS distance, nats),
 *   H²  = ½ Σ (√p − √q)²             ≈ ⅛ Σ (p − q)² / r    ⇒ H²   ≈ X² / (8 n_eff).
 * So the critical value at level α is PSI* = χ²_{B−1}(1 − α)·(1/n + 1/m) (the PSI result of
 * Yurdakul, "Statistical properties of population stability index", 2018), JS* = sqrt(χ²_{B−1}(1 − α)
 * / (8 n_eff)) (divided by sqrt(ln 2) in base 2), H* = sqrt(χ²_{B−1}(1 − α) / (8 n_eff)); and the same
 * relation turns an observed distance into an approximate p-value, so the binned distances take part
 * in the same Bonferroni / Benjamini–Hochberg correction as the tests.
 */
import { chi2Isf, chi2Sf } from './special.js';

export const CORRECTIONS = ['bonferroni', 'bh', 'none'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/** Distances with a chi-square approximation. */
export type BinnedDistance = 'psi' | 'jensen-shannon' | 'jensen-shannon-base2' | 'hellinger';

/** The X² a distance corresponds to for samples of n and m values. */
export function distanceToChiSquare(kind: BinnedDistance, value: number, n: number, m: number): number {
  const nEff = (n * m) / (n + m);
  switch (kind) {
    case 'psi':
      return value * nEff;
    case 'jensen-shannon':
    case 'hellinger':
      return 8 * nEff * value * value;
    case 'jensen-shannon-base2':
      return 8 * nEff * value * value * Math.LN2;
  }
}

/** Approximate p-value of a binned distance over `bins` bins (chi-square with bins − 1 dof). */
export function distancePValue(kind: BinnedDistance, value: number, n: number, m: number, bins: number): number {
  if (bins < 2 || !(n > 0 && m > 0)) return 1;
  return chi2Sf(distanceToChiSquare(kind, value, n, m), bins - 1);
}

/** The distance at which the approximate p-value equals `alpha`. */
export function distanceCriticalValue(kind: BinnedDistance, alpha: number, n: number, m: number, bins: number): number {
  if (bins < 2 || !(n > 0 && m > 0)) return Infinity;
  const x2 = chi2Isf(alpha, bins - 1);
  const nEff = (n * m) / (n + m);
  switch (kind) {
    case 'psi':
      return x2 / nEff;
    case 'jensen-shannon':
    case 'hellinger':
      return Math.sqrt(x2 / (8 * nEff));
    case 'jensen-shannon-base2':
      return Math.sqrt(x2 / (8 * nEff * Math.LN2));
  }
}

// Scratch for the BH sort, reused between calls.
let order = new Uint32Array(64);

/**
 * Adjusted p-values of `p[0 .. count)` into `out` (may alias p): Bonferroni min(1, m·p); BH the
 * step-up q-values min_{j >= i} m·p_(j)/j (capped at 1, as statsmodels' fdr_bh); none p itself.
 * NaN p-values are not tests: they stay NaN and do not count in m. A feature drifts when its
 * adjusted p-value is <= alpha, which for BH is exactly the Benjamini–Hochberg step-up rule.
 */
export function adjustPValues(p: Float64Array, count: number, correction: Correction, out: Float64Array): void {
  let m = 0;
  for (let i = 0; i < count; i++) if (p[i] === p[i]) m++;
  if (correction === 'none') {
    for (let i = 0; i < count; i++) out[i] = p[i]!;
    return;
  }
  if (correction === 'bonferroni') {
    for (let i = 0; i < count; i++) {
      const v = p[i]!;
      out[i] = v === v ? Math.min(1, v * m) : NaN;
    }
    return;
  }
  if (order.length < count) order = new Uint32Array(Math.max(count, 2 * order.length));
  let k = 0;
  for (let i = 0; i < count; i++) if (p[i] === p[i]) order[k++] = i;
  const idx = order.subarray(0, k).sort((a, b) => p[a]! - p[b]! || a - b);
  let running = 1;
  const adjusted = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    const q = (p[idx[r]!]! * m) / (r + 1);
    if (q < running) running = q;
    adjusted[r] = running;
  }
  for (let i = 0; i < count; i++) if (p[i] !== p[i]) out[i] = NaN;
  for (let r = 0; r < k; r++) out[idx[r]!] = adjusted[r]!;
}

/** The per-test level a correction implies for reporting a threshold: α/m for Bonferroni, α otherwise. */
export function perTestAlpha(alpha: number, tests: number, correction: Correction): number {
  return correction === 'bonferroni' && tests > 0 ? alpha / tests : alpha;
}
