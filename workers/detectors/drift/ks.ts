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
import type { WindowDetector } from '../types.js';
import { ALPHA, CORRECTION, MIN_COUNT, parseParams, type ParamSpec } from './params.js';
import { scoreSampleTest, type SampleTest } from './sample-tests.js';
import { type SampleSummary, sampleDetector } from './samples.js';

export type KsParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number; readonly method: KsMethod };

const ID = 'ks';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, method: { kind: 'enum', default: 'auto', values: ['auto', 'exact', 'asymp'] } };

const TEST: SampleTest<KsParams> = {
  id: ID,
  minReference: 1,
  run: (ref, refStart, n1, cur, curStart, n2, out, params) => ksTwoSample(ref, refStart, n1, cur, curStart, n2, out, 0, params.method),
  statistic: 'KS D (two-sided, two-sample)',
  binning: 'none (empirical CDFs)',
  method: (flag) => (flag === KS_EXACT ? 'exact' : 'asymptotic'),
};

export const ksDetector: WindowDetector<SampleSummary, KsParams> = sampleDetector<KsParams>({
  id: ID,
  version: VERSION,
  description: 'Two-sample Kolmogorov–Smirnov test per numeric feature (scipy ks_2samp, method auto), corrected across features',
  parseParams: (raw) => parseParams<KsParams>(ID, SPEC, raw),
  score: (summary, reference, params) => scoreSampleTest(TEST, summary, reference, params),
});
