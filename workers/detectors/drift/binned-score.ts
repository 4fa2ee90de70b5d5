/** Scoring shared by the binned distance detectors: distance per feature, approximate p-value, correction. */
import { distanceCriticalValue, distancePValue, perTestAlpha, type BinnedDistance, type Correction } from '../../kernels/multitest.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { familyDetector, type FamilyMember, type SummaryFamily } from './family.js';
import { binningName, decodeBinned, emptyBinned, encodeBinned, mergeBinned, prepareBins, preparedBins, summarizeBinned, type BinnedSummary, type BinningParams } from './binned.js';
import { decide, num, parseParams, type FeatureTest, type ParamSpec } from './params.js';

export type BinnedParams = BinningParams & { readonly alpha: number; readonly correction: Correction; readonly minCount: number };

type Distance = (ref: Float64Array, refOff: number, cur: Float64Array, curOff: number, bins: number) => number;

export function scoreBinned(id: string, kind: BinnedDistance, label: string, distance: Distance, summary: BinnedSummary, reference: ReferenceProfile, params: BinnedParams): DetectorScore[] {
  const f = reference.featureNames.length;
  const width = params.bins + 2;
  if (summary.totals.length !== f || summary.counts.length !== f * width) {
    throw new RangeError(`${id}: summary of ${summary.totals.length} features × ${summary.counts.length} counts does not match reference "${reference.id}" (${f} features × ${width} bins)`);
  }
  const bins = preparedBins(id, reference, params);
  if (bins === null) return [];
  const tests: (FeatureTest & { n: number; m: number; used: number })[] = [];
  reference.featureNames.forEach((feature, i) => {
    const used = bins.edgeCounts[i]! + 1;
    let n = 0;
    for (let b = 0; b < used; b++) n += bins.refCounts[i * width + b]!;
    const m = summary.totals[i]!;
    if (n === 0 || m < params.minCount) return;
    const value = distance(bins.refCounts, i * width, summary.counts, i * width, used);
    if (!Number.isFinite(value)) return;
    const join = (a: Float64Array, from: number, to: number): string => Array.from(a.subarray(from, to), String).join(',');
    tests.push({
      feature,
      statistic: value,
      pValue: distancePValue(kind, value, n, m, used),
      n,
      m,
      used,
      evidence: {
        statistic: label,
        value: num(value),
        binning: binningName(params),
        bins: String(used),
        edges: join(bins.edges, i * (params.bins + 1), i * (params.bins + 1) + used - 1),
        referenceCounts: join(bins.refCounts, i * width, i * width + used),
        currentCounts: join(summary.counts, i * width, i * width + used),
        pValueMethod: `chi-square approximation, ${used - 1} degrees of freedom`,
        referenceCount: String(n),
        currentCount: String(m),
        referenceId: reference.id,
      },
    });
  });
  decide(tests, params.alpha, params.correction);
  const level = perTestAlpha(params.alpha, tests.length, params.correction);
  return tests.map((t) => {
    t.evidence['criticalValue'] = num(distanceCriticalValue(kind, level, t.n, t.m, t.used));
    return { detector: id, feature: t.feature, score: t.statistic, evidence: t.evidence };
  });
}

const BINNED: SummaryFamily<BinnedSummary, BinnedParams> = {
  empty: (_id, reference, params) => emptyBinned(reference, params),
  summarize: summarizeBinned,
  merge: mergeBinned,
  encode: encodeBinned,
  decode: decodeBinned,
  prepareReference: prepareBins,
};

/** A detector of a distance over the named bins of each numeric feature (hellinger, jensen-shannon). */
export function binnedDetector<P extends BinnedParams>(
  spec: Omit<FamilyMember<BinnedSummary, P>, 'parseParams'> & { readonly params: Record<string, ParamSpec> },
): WindowDetector<BinnedSummary, P> {
  return familyDetector<BinnedSummary, P>(BINNED, { ...spec, parseParams: (raw) => parseParams<P>(spec.id, spec.params, raw) });
}
