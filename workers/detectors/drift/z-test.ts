/**
 * Two-proportion z-test drift detector for binary categorical features (those with exactly two
 * categories in the reference): the share of the first category (in string order, as Evidently
 * keys it) in the window against the reference, pooled z-test, two-sided p-value
 * (workers/kernels/categorical.ts), then a correction across features. A window value the
 * reference never saw counts as "not the first category". Reads the optional `categorical` columns.
 */
import type { Correction } from '../../kernels/multitest.js';
import { twoProportionZ } from '../../kernels/categorical.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { type CategorySummary, categoryDetector, scoreCategoryTests } from './categories.js';
import { ALPHA, CORRECTION, MIN_COUNT, num, parseParams, type ParamSpec } from './params.js';

export type ZTestParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number };

const ID = 'z-test';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT };
/** Two categories and the "other" slot: a cap of 2 pools any third category, which then disqualifies the feature. */
const CAP = 2;

function score(summary: CategorySummary, reference: ReferenceProfile, params: ZTestParams): DetectorScore[] {
  const out = new Float64Array(2);
  return scoreCategoryTests(ID, summary, reference, params, (feature, f, ref) => {
    const at = ref.offsets[f]!;
    const cats = ref.categories[f]!;
    if (cats.length !== 2 || ref.refCounts[at + 2] !== 0) return null; // not binary in the reference
    const k1 = ref.refCounts[at]!;
    const n1 = k1 + ref.refCounts[at + 1]!;
    const k2 = summary.counts[at]!;
    const n2 = summary.totals[f]!;
    if (n2 < params.minCount) return null;
    twoProportionZ(k1, n1, k2, n2, out);
    if (!Number.isFinite(out[0]!)) return null;
    return {
      feature,
      statistic: out[0]!,
      pValue: out[1]!,
      evidence: {
        statistic: 'two-proportion z (pooled), two-sided',
        value: num(out[0]!),
        category: JSON.stringify(cats[0]),
        referenceShare: num(k1 / n1),
        currentShare: num(k2 / n2),
        binning: 'categories of the reference (binary features only)',
        referenceCount: String(n1),
        currentCount: String(n2),
        referenceId: reference.id,
      },
    };
  });
}

export const zTestDetector: WindowDetector<CategorySummary, ZTestParams> = categoryDetector<ZTestParams>({
  id: ID,
  version: VERSION,
  description: 'Two-proportion z-test per binary categorical feature, corrected across features',
  parseParams: (raw) => parseParams<ZTestParams>(ID, SPEC, raw),
  score,
  maxCategories: () => CAP,
});
