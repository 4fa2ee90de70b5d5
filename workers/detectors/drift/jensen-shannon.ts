/**
 * Jensen–Shannon drift detector: per numeric feature, the Jensen–Shannon distance (square root of the
 * divergence, scipy.spatial.distance.jensenshannon) between the window's and the reference's bin
 * proportions, natural log by default (scipy's and Evidently's) or base 2 (NannyML's, bounded by 1).
 * Bins follow the `binning` parameter (./binned.ts). Drift is decided on an approximate p-value from
 * the distance's chi-square approximation (workers/kernels/multitest.ts), corrected across features;
 * the evidence also gives the critical distance at the per-test level.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { jensenShannon } from '../../kernels/distances.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { BINNING, BINS, decodeBinned, emptyBinned, encodeBinned, mergeBinned, prepareBins, summarizeBinned, type BinnedSummary } from './binned.js';
import { scoreBinned, type BinnedParams } from './binned-score.js';
import { ALPHA, CORRECTION, MIN_COUNT, parseParams, type ParamSpec } from './params.js';

export type JensenShannonParams = BinnedParams & { readonly base: 'e' | '2' };

const ID = 'jensen-shannon';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { alpha: ALPHA, correction: CORRECTION, minCount: MIN_COUNT, binning: BINNING, bins: BINS, base: { kind: 'enum', default: 'e', values: ['e', '2'] } };

export const jensenShannonDetector: WindowDetector<BinnedSummary, JensenShannonParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT',
  stateVersion: VERSION,
  description: 'Jensen–Shannon distance per numeric feature over named bins, with a sample-size-aware threshold',
  parseParams: (raw: Readonly<Record<string, unknown>> | undefined): JensenShannonParams => parseParams<JensenShannonParams>(ID, SPEC, raw),
  empty: (reference: ReferenceProfile, params: JensenShannonParams): BinnedSummary => emptyBinned(reference, params),
  summarize: (columns: NumericColumns, reference: ReferenceProfile, params: JensenShannonParams): BinnedSummary => summarizeBinned(ID, columns, reference, params),
  merge: (a: BinnedSummary, b: BinnedSummary): BinnedSummary => mergeBinned(ID, a, b),
  score: (summary: BinnedSummary, reference: ReferenceProfile, params: JensenShannonParams): DetectorScore[] =>
    scoreBinned(
      ID,
      params.base === '2' ? 'jensen-shannon-base2' : 'jensen-shannon',
      `Jensen–Shannon distance (log base ${params.base})`,
      (r, ro, c, co, bins) => jensenShannon(r, ro, c, co, bins, params.base),
      summary,
      reference,
      params,
    ),
  encode: (summary: BinnedSummary): Uint8Array => encodeBinned(ID, VERSION, summary),
  decode: (bytes: Uint8Array): BinnedSummary => decodeBinned(ID, VERSION, bytes),
  prepareReference: (columns: NumericColumns, reference: ReferenceProfile, params: JensenShannonParams) => prepareBins(columns, reference, params),
});
