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
import type { WindowDetector } from '../types.js';
import { ALPHA, CORRECTION, MIN_COUNT, parseParams, type ParamSpec } from './params.js';
import { scoreSampleTest, type SampleTest } from './sample-tests.js';
import { type SampleSummary, sampleDetector } from './samples.js';

export type CvmParams = { readonly alpha: number; readonly correction: Correction; readonly minCount: number };

const ID = 'cvm';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT };

const TEST: SampleTest<CvmParams> = {
  id: ID,
  minReference: 2,
  run: (ref, refStart, n1, cur, curStart, n2, out) => cvmTwoSample(ref, refStart, n1, cur, curStart, n2, out),
  statistic: 'Cramér–von Mises T (two-sample)',
  binning: 'none (ranks)',
  method: (flag) => (flag === 1 ? 'exact' : 'asymptotic'),
};

export const cvmDetector: WindowDetector<SampleSummary, CvmParams> = sampleDetector<CvmParams>({
  id: ID,
  version: VERSION,
  description: 'Two-sample Cramér–von Mises test per numeric feature (scipy cramervonmises_2samp, method auto), corrected across features',
  parseParams: (raw) => parseParams<CvmParams>(ID, SPEC, raw),
  score: (summary, reference, params) => scoreSampleTest(TEST, summary, reference, params),
});
