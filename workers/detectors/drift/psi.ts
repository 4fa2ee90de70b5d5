/**
 * PSI drift detector: per numeric feature, the population stability index of the window's values over
 * the reference's quantile bins (workers/kernels/psi.ts for the convention).
 *
 * Summary: `counts` (featureCount × binCount, feature-major, laid out like reference.proportions) and
 * `totals` (non-NaN values per feature). Only the reference's features are summarised: batch columns
 * beyond the reference's feature index are ignored, and a reference feature missing from a batch
 * counts as absent (NaN) for that batch.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { binCounts } from '../../kernels/histogram.js';
import { PSI_CONVENTION, PSI_EPSILON, psi } from '../../kernels/psi.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorScore, WindowDetector } from '../types.js';

export type PsiSummary = { readonly counts: Float64Array; readonly totals: Float64Array };

export type PsiParams = {
  /** Floor for both proportions of a bin. */
  readonly epsilon: number;
  /** Fewest non-NaN window values for which a feature is scored; below it PSI is mostly noise. */
  readonly minCount: number;
};

export const PSI_DEFAULTS: PsiParams = Object.freeze({ epsilon: PSI_EPSILON, minCount: 100 });

const ID = 'psi';
const SECTIONS = ['counts', 'totals'] as const;

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): PsiParams {
  if (raw === undefined) return PSI_DEFAULTS;
  for (const key of Object.keys(raw)) {
    if (!(key in PSI_DEFAULTS)) throw new RangeError(`${ID}: unknown parameter "${key}"; expected one of ${Object.keys(PSI_DEFAULTS).join(', ')}`);
  }
  const epsilon = raw['epsilon'] ?? PSI_DEFAULTS.epsilon;
  const minCount = raw['minCount'] ?? PSI_DEFAULTS.minCount;
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 0.5)) {
    throw new RangeError(`${ID}: parameter "epsilon" must be a number in (0, 0.5), got ${String(epsilon)}`);
  }
  if (typeof minCount !== 'number' || !Number.isSafeInteger(minCount) || minCount < 1) {
    throw new RangeError(`${ID}: parameter "minCount" must be an integer >= 1, got ${String(minCount)}`);
  }
  return Object.freeze({ epsilon, minCount });
}

function empty(reference: ReferenceProfile): PsiSummary {
  const f = reference.featureNames.length;
  return { counts: new Float64Array(f * reference.binCount), totals: new Float64Array(f) };
}

function summarize(columns: NumericColumns, reference: ReferenceProfile): PsiSummary {
  const summary = empty(reference);
  const { count } = columns;
  const bins = reference.binCount;
  const present = Math.min(reference.featureNames.length, columns.featureCount);
  for (let f = 0; f < present; f++) {
    const edgeCount = reference.edgeCounts[f]!;
    summary.totals[f] = binCounts(columns.features, f * count, count, reference.edges, summary.counts, f * (bins - 1), edgeCount, f * bins);
  }
  return summary;
}

function checkShape(summary: PsiSummary, reference: ReferenceProfile): void {
  const f = reference.featureNames.length;
  if (summary.totals.length !== f || summary.counts.length !== f * reference.binCount) {
    throw new RangeError(
      `${ID}: summary of ${summary.totals.length} features × ${summary.counts.length} counts does not match reference "${reference.id}" (${f} features × ${reference.binCount} bins)`,
    );
  }
}

function join(values: Float64Array, from: number, to: number, map: (v: number) => number = (v) => v): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(String(map(values[i]!)));
  return parts.join(',');
}

function score(summary: PsiSummary, reference: ReferenceProfile, params: PsiParams): DetectorScore[] {
  checkShape(summary, reference);
  const bins = reference.binCount;
  const binning = params.epsilon === PSI_EPSILON ? PSI_CONVENTION : `reference-quantile bins, epsilon ${params.epsilon} floor applied to both proportions`;
  const scores: DetectorScore[] = [];
  reference.featureNames.forEach((feature, f) => {
    const n = summary.totals[f]!;
    const refN = reference.featureCounts[f]!;
    if (refN === 0 || n < params.minCount) return;
    const used = reference.edgeCounts[f]! + 1;
    const value = psi(reference.proportions, summary.counts, n, params.epsilon, f * bins, f * bins, used);
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
  description: 'Population stability index per numeric feature over reference-quantile bins',
  parseParams,
  empty,
  summarize,
  merge: (a: PsiSummary, b: PsiSummary): PsiSummary => sumSections(ID, SECTIONS, a, b) as PsiSummary,
  score,
  encode: (summary: PsiSummary): Uint8Array => encodeSections(ID, psiDetector.stateVersion, SECTIONS, summary),
  decode,
});
