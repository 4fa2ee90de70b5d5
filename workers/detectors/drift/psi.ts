/**
 * PSI drift detector: per numeric feature, the population stability index of the window's values over
 * the reference's quantile bins (workers/kernels/psi.ts for the convention).
 *
 * Summary: `counts` (featureCount × binCount, feature-major, laid out like reference.proportions) and
 * `totals` (non-NaN values per feature).
 *
 * Binning (parameter `binning`): `reference-quantile` (the default) uses the profile's quantile bins as
 * above; `fixed-k` uses `bins` equal-width bins over the reference range plus an underflow and an
 * overflow bin, prepared from the reference batch (prepareReference, see ./binned.ts), and then counts
 * `bins + 2` slots per feature. Either way prepareReference builds the edges' bin lookup table
 * (workers/kernels/histogram.ts) and windows are counted through it; a profile used without
 * preparation is counted by binary search over its edges, with the same counts. The byte layout is the
 * same for both binnings, so the state version does not change; a summary only merges with summaries
 * of the same parameters. Only the reference's features are summarised: batch columns beyond the
 * reference's feature index are ignored, and a reference feature missing from a batch counts as absent
 * (NaN) for that batch.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { binCounts, binLookupStride, buildBinLookup } from '../../kernels/histogram.js';
import { PSI_CONVENTION, PSI_EPSILON, psi } from '../../kernels/psi.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';
import { binningName, countThroughLookup, prepareBins, preparedBins } from './binned.js';

export type PsiSummary = { readonly counts: Float64Array; readonly totals: Float64Array };

export type PsiParams = {
  /** Floor for both proportions of a bin. */
  readonly epsilon: number;
  /** Fewest non-NaN window values for which a feature is scored; below it PSI is mostly noise. */
  readonly minCount: number;
  /** The profile's quantile bins, or equal-width bins over the reference range (prepared). */
  readonly binning: 'reference-quantile' | 'fixed-k';
  /** Equal-width bins for `fixed-k` (the profile decides the quantile bins). */
  readonly bins: number;
};

export const PSI_DEFAULTS: PsiParams = Object.freeze({ epsilon: PSI_EPSILON, minCount: 100, binning: 'reference-quantile', bins: 10 });

const ID = 'psi';
const SECTIONS = ['counts', 'totals'] as const;

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): PsiParams {
  if (raw === undefined) return PSI_DEFAULTS;
  for (const key of Object.keys(raw)) {
    if (!(key in PSI_DEFAULTS)) throw new RangeError(`${ID}: unknown parameter "${key}"; expected one of ${Object.keys(PSI_DEFAULTS).join(', ')}`);
  }
  const epsilon = raw['epsilon'] ?? PSI_DEFAULTS.epsilon;
  const minCount = raw['minCount'] ?? PSI_DEFAULTS.minCount;
  const binning = raw['binning'] ?? PSI_DEFAULTS.binning;
  const bins = raw['bins'] ?? PSI_DEFAULTS.bins;
  if (binning !== 'reference-quantile' && binning !== 'fixed-k') {
    throw new RangeError(`${ID}: parameter "binning" must be one of reference-quantile, fixed-k, got ${JSON.stringify(binning)}`);
  }
  if (typeof bins !== 'number' || !Number.isSafeInteger(bins) || bins < 2 || bins > 1024) {
    throw new RangeError(`${ID}: parameter "bins" must be an integer from 2 to 1024, got ${String(bins)}`);
  }
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 0.5)) {
    throw new RangeError(`${ID}: parameter "epsilon" must be a number in (0, 0.5), got ${String(epsilon)}`);
  }
  if (typeof minCount !== 'number' || !Number.isSafeInteger(minCount) || minCount < 1) {
    throw new RangeError(`${ID}: parameter "minCount" must be an integer >= 1, got ${String(minCount)}`);
  }
  return Object.freeze({ epsilon, minCount, binning, bins });
}

/** Count slots per feature: the profile's bins, or fixed-k's bins plus underflow and overflow. */
const width = (reference: ReferenceProfile, params: PsiParams): number => (params.binning === 'fixed-k' ? params.bins + 2 : reference.binCount);

function empty(reference: ReferenceProfile, params: PsiParams = PSI_DEFAULTS): PsiSummary {
  const f = reference.featureNames.length;
  return { counts: new Float64Array(f * width(reference, params)), totals: new Float64Array(f) };
}

/** The profile's quantile edges as a bin lookup table: what prepareReference gives reference-quantile. */
function quantileLookup(reference: ReferenceProfile): Float64Array {
  const f = reference.featureNames.length;
  const maxEdges = reference.binCount - 1;
  const lookup = new Float64Array(f * binLookupStride(maxEdges));
  for (let i = 0; i < f; i++) buildBinLookup(reference.edges, i * maxEdges, reference.edgeCounts[i]!, maxEdges, lookup, i);
  return lookup;
}

/**
 * The profile's bin counts, feature-major like its proportions: each proportion times the feature's
 * count, rounded (exact, the proportions being count / n). PSI over counts reads its logs from a table.
 */
function quantileCounts(reference: ReferenceProfile): Float64Array {
  const bins = reference.binCount;
  const counts = new Float64Array(reference.featureNames.length * bins);
  reference.featureNames.forEach((_, f) => {
    const n = reference.featureCounts[f]!;
    for (let b = f * bins; b < (f + 1) * bins; b++) counts[b] = Math.round(reference.proportions[b]! * n);
  });
  return counts;
}

/** The prepared quantile bin counts, shape-checked; null when the reference was not prepared for psi. */
function preparedQuantileCounts(reference: ReferenceProfile): Float64Array | null {
  const counts = reference.detectorData?.[ID]?.['refCounts'];
  if (counts === undefined) return null;
  if (!(counts instanceof Float64Array) || counts.length !== reference.featureNames.length * reference.binCount) {
    throw new RangeError(`${ID}: reference "${reference.id}" carries prepared counts of another shape than ${reference.binCount} bins × ${reference.featureNames.length} features`);
  }
  return counts;
}

/** The prepared quantile lookup table, shape-checked; null when the reference was not prepared for psi. */
function preparedQuantileLookup(reference: ReferenceProfile): Float64Array | null {
  const lookup = reference.detectorData?.[ID]?.['lookup'];
  if (lookup === undefined) return null;
  if (!(lookup instanceof Float64Array) || lookup.length !== reference.featureNames.length * binLookupStride(reference.binCount - 1)) {
    throw new RangeError(`${ID}: reference "${reference.id}" carries a prepared lookup table of another shape than ${reference.binCount} bins × ${reference.featureNames.length} features`);
  }
  return lookup;
}

function summarize(columns: NumericColumns, reference: ReferenceProfile, params: PsiParams = PSI_DEFAULTS): PsiSummary {
  const summary = empty(reference, params);
  if (params.binning === 'fixed-k') {
    const prepared = preparedBins(ID, reference, params);
    if (prepared !== null) countThroughLookup(columns, reference, prepared.lookup, params.bins + 1, params.bins + 2, summary);
    return summary;
  }
  const bins = reference.binCount;
  const lookup = preparedQuantileLookup(reference);
  if (lookup !== null) {
    countThroughLookup(columns, reference, lookup, bins - 1, bins, summary);
    return summary;
  }
  // A profile used as it is, without prepareReference: the binary search over its edges.
  const { count } = columns;
  const present = Math.min(reference.featureNames.length, columns.featureCount);
  for (let f = 0; f < present; f++) {
    summary.totals[f] = binCounts(columns.features, f * count, count, reference.edges, summary.counts, f * (bins - 1), reference.edgeCounts[f]!, f * bins);
  }
  return summary;
}

function checkShape(summary: PsiSummary, reference: ReferenceProfile, params: PsiParams): void {
  const f = reference.featureNames.length;
  const w = width(reference, params);
  if (summary.totals.length !== f || summary.counts.length !== f * w) {
    throw new RangeError(`${ID}: summary of ${summary.totals.length} features × ${summary.counts.length} counts does not match reference "${reference.id}" (${f} features × ${w} bins)`);
  }
}

/** PSI over the prepared fixed-k bins. */
function scoreFixed(summary: PsiSummary, reference: ReferenceProfile, params: PsiParams): DetectorScore[] {
  const prepared = preparedBins(ID, reference, params);
  if (prepared === null) return [];
  const w = params.bins + 2;
  const scores: DetectorScore[] = [];
  reference.featureNames.forEach((feature, f) => {
    const used = prepared.edgeCounts[f]! + 1;
    const at = f * w;
    let refN = 0;
    for (let b = 0; b < used; b++) refN += prepared.refCounts[at + b]!;
    const n = summary.totals[f]!;
    if (refN === 0 || n < params.minCount) return;
    const value = psi(prepared.refCounts, summary.counts, n, params.epsilon, at, at, used, refN);
    if (!Number.isFinite(value)) return;
    scores.push({
      detector: ID,
      feature,
      score: value,
      evidence: {
        statistic: 'PSI',
        binning: `${binningName(params)}, epsilon ${params.epsilon} floor applied to both proportions`,
        bins: String(used),
        edges: join(prepared.edges, f * (params.bins + 1), f * (params.bins + 1) + used - 1),
        referenceCounts: join(prepared.refCounts, at, at + used),
        currentCounts: join(summary.counts, at, at + used),
        referenceCount: String(refN),
        currentCount: String(n),
        referenceId: reference.id,
      },
    });
  });
  return scores;
}

function join(values: Float64Array, from: number, to: number, map: (v: number) => number = (v) => v): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(String(map(values[i]!)));
  return parts.join(',');
}

function score(summary: PsiSummary, reference: ReferenceProfile, params: PsiParams): DetectorScore[] {
  checkShape(summary, reference, params);
  if (params.binning === 'fixed-k') return scoreFixed(summary, reference, params);
  const bins = reference.binCount;
  const binning = params.epsilon === PSI_EPSILON ? PSI_CONVENTION : `reference-quantile bins, epsilon ${params.epsilon} floor applied to both proportions`;
  const scores: DetectorScore[] = [];
  const refCounts = preparedQuantileCounts(reference);
  reference.featureNames.forEach((feature, f) => {
    const n = summary.totals[f]!;
    const refN = reference.featureCounts[f]!;
    if (refN === 0 || n < params.minCount) return;
    const used = reference.edgeCounts[f]! + 1;
    const value =
      refCounts === null
        ? psi(reference.proportions, summary.counts, n, params.epsilon, f * bins, f * bins, used)
        : psi(refCounts, summary.counts, n, params.epsilon, f * bins, f * bins, used, refN);
    if (!Number.isFinite(value)) return;
    const at = f * bins;
    scores.push({
      detector: ID,
      feature,
      score: value,
      evidence: {
        statistic: 'PSI',
        binning,
        bins: String(used),
        edges: join(reference.edges, f * (bins - 1), f * (bins - 1) + used - 1),
        referenceCounts: join(reference.proportions, at, at + used, (p) => Math.round(p * refN)),
        currentCounts: join(summary.counts, at, at + used),
        referenceCount: String(refN),
        currentCount: String(n),
        referenceId: reference.id,
      },
    });
  });
  return scores;
}

function decode(bytes: Uint8Array): PsiSummary {
  const { counts, totals } = decodeSections(ID, psiDetector.stateVersion, SECTIONS, bytes) as { counts: Float64Array; totals: Float64Array };
  const f = totals.length;
  if (f === 0 ? counts.length !== 0 : counts.length % f !== 0) {
    throw new RangeError(`${ID}: invalid summary bytes (${counts.length} counts for ${f} features)`);
  }
  const bins = f === 0 ? 0 : counts.length / f;
  for (let i = 0; i < f; i++) {
    let sum = 0;
    for (let b = 0; b < bins; b++) {
      const c = counts[i * bins + b]!;
      if (!(Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`${ID}: invalid summary bytes (count ${c} is not a non-negative integer)`);
      sum += c;
    }
    if (sum !== totals[i]) throw new RangeError(`${ID}: invalid summary bytes (feature ${i} counts add up to ${sum}, total says ${totals[i]})`);
  }
  return { counts, totals };
}

export const psiDetector: WindowDetector<PsiSummary, PsiParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT',
  stateVersion: 1,
  description: 'Population stability index per numeric feature over reference-quantile (default) or fixed-k bins',
  parseParams,
  empty,
  summarize,
  merge: (a: PsiSummary, b: PsiSummary): PsiSummary => sumSections(ID, SECTIONS, a, b) as PsiSummary,
  score,
  encode: (summary: PsiSummary): Uint8Array => encodeSections(ID, psiDetector.stateVersion, SECTIONS, summary),
  decode,
  // fixed-k prepares its own bins; reference-quantile uses the profile's, prepared as a lookup table
  // and as counts.
  prepareReference: (columns: NumericColumns, reference: ReferenceProfile, params: PsiParams): Summary =>
    params.binning === 'fixed-k' ? prepareBins(columns, reference, params) : { lookup: quantileLookup(reference), refCounts: quantileCounts(reference) },
});
