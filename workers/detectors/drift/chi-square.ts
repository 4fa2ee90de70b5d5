/**
 * Chi-square drift detector for categorical features: per feature, the test of homogeneity of the
 * 2 × K table of reference and window category counts (workers/kernels/categorical.ts: as
 * scipy.stats.chi2_contingency without Yates's correction), categories the reference never saw
 * pooled in one extra column (./categories.ts), then a correction across features. Reads the
 * optional `categorical` columns; a batch without them adds nothing, and a reference without them
 * scores nothing.
 */
import type { Correction } from '../../kernels/multitest.js';
import { chiSquareHomogeneity } from '../../kernels/categorical.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { type CategorySummary, MAX_CATEGORIES, categoryDetector, scoreCategoryTests } from './categories.js';
import { ALPHA, CORRECTION, MIN_COUNT, num, parseParams, type ParamSpec } from './params.js';

export type ChiSquareParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number; readonly maxCategories: number };

const ID = 'chi-square';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, maxCategories: MAX_CATEGORIES };

function score(summary: CategorySummary, reference: ReferenceProfile, params: ChiSquareParams): DetectorScore[] {
  const out = new Float64Array(3);
  return scoreCategoryTests(ID, summary, reference, params, (feature, f, ref) => {
    const at = ref.offsets[f]!;
    const slots = ref.categories[f]!.length + 1;
    let n = 0;
    for (let k = 0; k < slots; k++) n += ref.refCounts[at + k]!;
    const m = summary.totals[f]!;
    if (n === 0 || m < params.minCount) return null;
    chiSquareHomogeneity(ref.refCounts, at, summary.counts, at, slots, out);
    if (!Number.isFinite(out[0]!)) return null;
    return {
      feature,
      statistic: out[0]!,
      pValue: out[1]!,
      evidence: {
        statistic: 'chi-square test of homogeneity (2 × K, no Yates correction)',
        value: num(out[0]!),
        degreesOfFreedom: String(out[2]),
        binning: 'categories of the reference; unseen and capped categories pooled as "other"',
        categories: [...ref.categories[f]!, '(other)'].map((c) => JSON.stringify(c)).join(','),
        referenceCounts: Array.from(ref.refCounts.subarray(at, at + slots), String).join(','),
        currentCounts: Array.from(summary.counts.subarray(at, at + slots), String).join(','),
        referenceCount: String(n),
        currentCount: String(m),
        referenceId: reference.id,
      },
    };
  });
}

export const chiSquareDetector: WindowDetector<CategorySummary, ChiSquareParams> = categoryDetector<ChiSquareParams>({
  id: ID,
  version: VERSION,
  description: 'Chi-square test of homogeneity per categorical feature, unseen categories pooled, corrected across features',
  parseParams: (raw) => parseParams<ChiSquareParams>(ID, SPEC, raw),
  score,
  maxCategories: (params) => params.maxCategories,
});
