/**
 * Jensen–Shannon drift detector: per numeric feature, the Jensen–Shannon distance (square root of the
 * divergence, scipy.spatial.distance.jensenshannon) between the window's and the reference's bin
 * proportions, natural log by default (scipy's and Evidently's) or base 2 (NannyML's, bounded by 1).
 * Bins follow the `binning` parameter (./binned.ts). Drift is decided on an approximate p-value from
 * the distance's chi-square approximation (workers/kernels/multitest.ts), corrected across features;
 * the evidence also gives the critical distance at the per-test level.
 */
import { jensenShannon } from '../../kernels/distances.js';
import type { WindowDetector } from '../types.js';
import { BINNING, BINS, type BinnedSummary } from './binned.js';
import { binnedDetector, scoreBinned, type BinnedParams } from './binned-score.js';
import { ALPHA, CORRECTION, MIN_COUNT, type ParamSpec } from './params.js';

export type JensenShannonParams = BinnedParams & { readonly base: 'e' | '2' };

const ID = 'jensen-shannon';
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, binning: BINNING, bins: BINS, base: { kind: 'enum', default: 'e', values: ['e', '2'] } };

export const jensenShannonDetector: WindowDetector<BinnedSummary, JensenShannonParams> = binnedDetector<JensenShannonParams>({
  id: ID,
  version: 1,
  description: 'Jensen–Shannon distance per numeric feature over named bins, with a sample-size-aware threshold',
  params: SPEC,
  score: (summary, reference, params) =>
    scoreBinned(
      ID,
      params.base === '2' ? 'jensen-shannon-base2' : 'jensen-shannon',
      `Jensen–Shannon distance (log base ${params.base})`,
      (r, ro, c, co, bins) => jensenShannon(r, ro, c, co, bins, params.base),
      summary,
      reference,
      params,
    ),
});
