/**
 * Kolmogorov–Smirnov drift detector: per numeric feature, the two-sample KS test of the window's
 * values against the reference sample (workers/kernels/ks.ts: statistic and p-value as
 * scipy.stats.ks_2samp), then a Bonferroni or Benjamini–Hochberg correction across the features.
 *
 * Reference data (prepareReference): the reference's sorted values per feature, sorted once.
 * Summary: the window's sorted values per feature (./samples.ts). Score: D; the verdict is in the
 * evidence (drift = adjusted p-value <= alpha).
 */
import type { Correction } from '../../kernels/multitest.js';
import { KS_EXACT, ksTwoSample, type KsMethod } from '../../kernels/ks.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { ALPHA, CORRECTION, MIN_COUNT, decide, num, parseParams, type FeatureTest, type ParamSpec } from './params.js';
import { type SampleSummary, checkSamples, preparedSamples, runStarts, sampleDetector } from './samples.js';

export type KsParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number; readonly method: KsMethod };

const ID = 'ks';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, method: { kind: 'enum', default: 'auto', values: ['auto', 'exact', 'asymp'] } };

function score(summary: SampleSummary, reference: ReferenceProfile, params: KsParams): DetectorScore[] {
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
    if (n1 === 0 || n2 < params.minCount) return;
    ksTwoSample(ref.values, refStarts[f]!, n1, summary.values, curStarts[f]!, n2, out, 0, params.method);
    if (!Number.isFinite(out[0]!) || !(out[1]! >= 0)) return;
    tests.push({
      feature,
      statistic: out[0]!,
      pValue: out[1]!,
      evidence: {
        statistic: 'KS D (two-sided, two-sample)',
        value: num(out[0]!),
        method: out[2] === KS_EXACT ? 'exact' : 'asymptotic',
        binning: 'none (empirical CDFs)',
        referenceCount: String(n1),
        currentCount: String(n2),
        referenceId: reference.id,
      },
    });
  });
  decide(tests, params.alpha, params.correction);
  return tests.map((t) => ({ detector: ID, feature: t.feature, score: t.statistic, evidence: t.evidence }));
}

export const ksDetector: WindowDetector<SampleSummary, KsParams> = sampleDetector<KsParams>({
  id: ID,
  version: VERSION,
  description: 'Two-sample Kolmogorov–Smirnov test per numeric feature (scipy ks_2samp, method auto), corrected across features',
  parseParams: (raw) => parseParams<KsParams>(ID, SPEC, raw),
  score,
});
