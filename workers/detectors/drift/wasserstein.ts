/**
 * Wasserstein drift detector: per numeric feature, the Wasserstein-1 distance between the window's
 * values and the reference sample (scipy.stats.wasserstein_distance), reported raw and normalised by
 * the reference's standard deviation (population, ddof 0, floored at 0.001: Evidently's
 * wasserstein_distance_norm). Score: the normalised distance; drift when it reaches `threshold`
 * (default 0.1, Evidently's). It has no p-value, so no multiple-testing correction applies.
 */
import { wasserstein1 } from '../../kernels/distances.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore, WindowDetector } from '../types.js';
import { MIN_COUNT, num, parseParams, type ParamSpec } from './params.js';
import { type SampleSummary, checkSamples, preparedSamples, runStarts, sampleDetector } from './samples.js';

export type WassersteinParams = { readonly threshold: number; readonly minCount: number };

const ID = 'wasserstein';
const VERSION = 1;
const SPEC: Record<string, ParamSpec> = { threshold: { kind: 'number', default: 0.1, min: 0, max: 1e6, exclusiveMin: true }, minCount: MIN_COUNT };

function score(summary: SampleSummary, reference: ReferenceProfile, params: WassersteinParams): DetectorScore[] {
  checkSamples(ID, summary, reference);
  const ref = preparedSamples(ID, reference);
  if (ref === null) return [];
  const refStarts = runStarts(ref.counts);
  const curStarts = runStarts(summary.counts);
  const scores: DetectorScore[] = [];
  reference.featureNames.forEach((feature, f) => {
    const n1 = ref.counts[f]!;
    const n2 = summary.counts[f]!;
    if (n1 === 0 || n2 < params.minCount) return;
    const raw = wasserstein1(ref.values, refStarts[f]!, n1, summary.values, curStarts[f]!, n2);
    const variance = n1 > 1 ? (reference.variances[f]! * (n1 - 1)) / n1 : 0;
    const std = Math.max(Math.sqrt(variance), 0.001);
    const value = raw / std;
    if (!Number.isFinite(value)) return;
    scores.push({
      detector: ID,
      feature,
      score: value,
      evidence: {
        statistic: 'Wasserstein-1 / reference std (ddof 0, floor 0.001)',
        value: num(value),
        raw: num(raw),
        referenceStd: num(std),
        threshold: num(params.threshold),
        drift: String(value >= params.threshold),
        binning: 'none (empirical CDFs)',
        correction: 'none (no p-value)',
        referenceCount: String(n1),
        currentCount: String(n2),
        referenceId: reference.id,
      },
    });
  });
  return scores;
}

export const wassersteinDetector: WindowDetector<SampleSummary, WassersteinParams> = sampleDetector<WassersteinParams>({
  id: ID,
  version: VERSION,
  description: 'Wasserstein-1 distance per numeric feature, normalised by the reference standard deviation',
  parseParams: (raw) => parseParams<WassersteinParams>(ID, SPEC, raw),
  score,
});
