/**
 * Population stability index.
 *
 * Convention (quoted in every PSI score's evidence as PSI_CONVENTION): reference-quantile bins, epsilon
 * 1e-4 floor applied to both proportions. With reference proportion `r_b` and current proportion
 * `c_b = count_b / n`, PSI = Σ_b (c_b − r_b) · ln(c_b / r_b), where both proportions are first raised to
 * at least epsilon so an empty bin on either side contributes a large but finite term. The floored
 * proportions are not renormalised. PSI is 0 for identical proportions and grows with the shift; the
 * usual reading is < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant shift.
 */

/** Epsilon floor used unless the detector is configured otherwise. */
export const PSI_EPSILON = 1e-4;

/** How the bins and proportions behind a PSI value were made, for evidence. */
export const PSI_CONVENTION = 'reference-quantile bins, epsilon 1e-4 floor applied to both proportions';

/**
 * PSI of the current counts `curCounts[curOffset .. curOffset + bins)` (total `n`) against the
 * reference proportions `refProportions[refOffset .. refOffset + bins)`, or against reference counts
 * when `refTotal` is given as their total (r_b = count_b / refTotal: what the detectors hold, so that
 * they need not keep proportions beside their counts). Returns NaN when `n <= 0` or `refTotal <= 0`:
 * an empty side has no distribution to compare.
 */
export function psi(
  refProportions: Float64Array,
  curCounts: Float64Array,
  n: number,
  epsilon: number = PSI_EPSILON,
  refOffset = 0,
  curOffset = 0,
  bins: number = refProportions.length - refOffset,
  refTotal = 1,
): number {
  if (!(epsilon > 0 && epsilon < 1)) throw new RangeError(`psi: epsilon must be in (0, 1), got ${epsilon}`);
  if (!Number.isInteger(bins) || bins < 0 || refOffset < 0 || curOffset < 0 || refOffset + bins > refProportions.length || curOffset + bins > curCounts.length) {
    throw new RangeError(`psi: ${bins} bins from offsets ${refOffset}/${curOffset} do not fit ${refProportions.length} proportions and ${curCounts.length} counts`);
  }
  if (!(n > 0) || !(refTotal > 0)) return NaN;
  let sum = 0;
  for (let b = 0; b < bins; b++) {
    let r = refProportions[refOffset + b]! / refTotal;
    let c = curCounts[curOffset + b]! / n;
    if (r < epsilon) r = epsilon;
    if (c < epsilon) c = epsilon;
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}
