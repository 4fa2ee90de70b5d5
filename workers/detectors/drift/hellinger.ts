/**
 * Hellinger drift detector: per numeric feature, the Hellinger distance sqrt(1 − Σ√(p q)) between the
 * window's and the reference's bin proportions (Evidently's form; NannyML's ‖√p − √q‖/√2 is the same
 * number). Bins follow the `binning` parameter (./binned.ts); drift is decided on the chi-square
 * approximation's p-value (8·n_eff·H² ≈ χ²(B − 1), workers/kernels/multitest.ts), corrected across
 * features.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { hellinger } from '../../kernels/distances.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { BINNING, BINS, decodeBinned, emptyBinned, encodeBinned, mergeBinned, prepareBins, summarizeBinned, type BinnedSummary } from './binned.js';
import { scoreBinned, type BinnedParams } from './binned-score.js';
import { ALPHA, CORRECTION, MIN_COUNT, parseParams, type ParamSpec } from './params.js';

const ID = 'hellinger';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, binning: BINNING, bins: BINS };

export const hellingerDetector: WindowDetector<BinnedSummary, BinnedParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT',
  stateVersion: VERSION,
  description: 'Hellinger distance per numeric feature over named bins, with a sample-size-aware threshold',
  parseParams: (raw: Readonly<Record<string, unknown>> | undefined): BinnedParams => parseParams<BinnedParams>(ID, SPEC, raw),
  empty: (reference: ReferenceProfile, params: BinnedParams): BinnedSummary => emptyBinned(reference, params),
  summarize: (columns: NumericColumns, reference: ReferenceProfile, params: BinnedParams): BinnedSummary => summarizeBinned(ID, columns, reference, params),
  merge: (a: BinnedSummary, b: BinnedSummary): BinnedSummary => mergeBinned(ID, a, b),
  score: (summary: BinnedSummary, reference: ReferenceProfile, params: BinnedParams): DetectorScore[] =>
    scoreBinned(ID, 'hellinger', 'Hellinger distance', hellinger, summary, reference, params),
  encode: (summary: BinnedSummary): Uint8Array => encodeBinned(ID, VERSION, summary),
  decode: (bytes: Uint8Array): BinnedSummary => decodeBinned(ID, VERSION, bytes),
  prepareReference: (columns: NumericColumns, reference: ReferenceProfile, params: BinnedParams) => prepareBins(columns, reference, params),
});
