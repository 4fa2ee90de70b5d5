/**
 * Hellinger drift detector: per numeric feature, the Hellinger distance sqrt(1 − Σ√(p q)) between the
 * window's and the reference's bin proportions (Evidently's form; NannyML's ‖√p − √q‖/√2 is the same
 * number). Bins follow the `binning` parameter (./binned.ts); drift is decided on the chi-square
 * approximation's p-value (8·n_eff·H² ≈ χ²(B − 1), workers/kernels/multitest.ts), corrected across
 * features.
 */
import { hellinger } from '../../kernels/distances.js';
import type { WindowDetector } from '../types.js';
import { BINNING, BINS, type BinnedSummary } from './binned.js';
import { binnedDetector, scoreBinned, type BinnedParams } from './binned-score.js';
import { ALPHA, CORRECTION, MIN_COUNT, type ParamSpec } from './params.js';

const ID = 'hellinger';
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, binning: BINNING, bins: BINS };

export const hellingerDetector: WindowDetector<BinnedSummary, BinnedParams> = binnedDetector<BinnedParams>({
  id: ID,
  version: 1,
  description: 'Hellinger distance per numeric feature over named bins, with a sample-size-aware threshold',
  params: SPEC,
  score: (summary, reference, params) => scoreBinned(ID, 'hellinger', 'Hellinger distance', hellinger, summary, reference, params),
});
