/**
 * Cramér–von Mises drift detector: per numeric feature, the two-sample CvM test of the window's
 * values against the reference sample (workers/kernels/cvm.ts: statistic and p-value as
 * scipy.stats.cramervonmises_2samp, method auto), then a Bonferroni or Benjamini–Hochberg correction
 * across the features. More sensitive than KS to differences spread over the whole distribution.
 *
 * Reference data: the sorted reference values per feature. Summary: the window's sorted values per
 * feature (./samples.ts). Score: T; the verdict is in the evidence.
 */
import type { Correction } from '../../kernels/multitest.js';
import { cvmTwoSample } from '../../kernels/cvm.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { ALPHA, CORRECTION, MIN_COUNT, decide, num, parseParams, type FeatureTest, type ParamSpec } from './params.js';
import { type SampleSummary, checkSamples, preparedSamples, runStarts, sampleDetector } from './samples.js';

export type CvmParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number };

const ID = 'cvm';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT };

function score(summary: SampleSummary, reference: ReferenceProfile, params: CvmParams): DetectorScore[] {
  checkSamples(ID, summary, reference);
  const ref = preparedSamples(ID, reference);
  if (ref === null) return [];
  const refStarts = runStarts(ref.counts);
  const curStarts = runStarts(summary.counts);
  const out = new Float64Array(3);
  const tests: FeatureTest[] = [];
  reference.featureNames.forEach((feature, f) => {
    const n1 = ref.counts[f]!;
    const n2 = summary.counts[f]!;
    if (n1 < 2 || n2 < params.minCount) return;
    cvmTwoSample(ref.values, refStarts[f]!, n1, summary.values, curStarts[f]!, n2, out);
    if (!Number.isFinite(out[0]!) || !(out[1]! >= 0)) return;
    tests.push({
      feature,
      statistic: out[0]!,
      pValue: out[1]!,
      evidence: {
        statistic: 'Cramér–von Mises T (two-sample)',
        value: num(out[0]!),
        method: out[2] === 1 ? 'exact' : 'asymptotic',
        binning: 'none (ranks)',
        referenceCount: String(n1),
        currentCount: String(n2),
        referenceId: reference.id,
      },
    });
  });
  decide(tests, params.alpha, params.correction);
  return tests.map((t) => ({ detector: ID, feature: t.feature, score: t.statistic, evidence: t.evidence }));
}

export const cvmDetector: WindowDetector<SampleSummary, CvmParams> = sampleDetector<CvmParams>({
  id: ID,
  version: VERSION,
  description: 'Two-sample Cramér–von Mises test per numeric feature (scipy cramervonmises_2samp, method auto), corrected across features',
  parseParams: (raw) => parseParams<CvmParams>(ID, SPEC, raw),
  score,
});
