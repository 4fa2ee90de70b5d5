/**
 * Multivariate distance: the squared Mahalanobis distance of an event's features from the reference
 * mean under the Ledoit–Wolf shrinkage covariance of the reference (workers/kernels/covariance.ts),
 * calibrated against the distances of the reference rows themselves (in-sample). Absent values are
 * imputed by the reference mean (they add nothing to the distance); a row with no feature at all
 * scores NaN.
 *
 * Reference sections: `mean` (p), `precision` (p × p), `shrinkage` (1), `calibration`.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { buildCalibration } from '../../kernels/calibration.js';
import { ledoitWolf, mahalanobis2 } from '../../kernels/covariance.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, Summary } from '../types.js';
import { calibrated, featureValue, flagRows, notScored, num, sectionsOf } from './common.js';
import { THRESHOLD_SPEC, parseNumberParams } from './params.js';

export type MahalanobisParams = { readonly threshold: number };

const ID = 'mahalanobis';
const SECTIONS = ['mean', 'precision', 'shrinkage', 'calibration'] as const;

function distances(columns: NumericColumns, mean: Float64Array, precision: Float64Array): Float64Array {
  const p = mean.length;
  const scratch = new Float64Array(p);
  const out = new Float64Array(columns.count);
  for (let i = 0; i < columns.count; i++) out[i] = mahalanobis2(columns.features, columns.count, columns.featureCount, i, p, mean, precision, scratch);
  return out;
}

/** The feature whose term d_f · (P d)_f contributes most to the row's distance. */
function topFeature(columns: NumericColumns, row: number, mean: Float64Array, precision: Float64Array): number {
  const p = mean.length;
  const d = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    const v = featureValue(columns, f, row);
    d[f] = v === v ? v - mean[f]! : 0;
  }
  let best = -1;
  let bestTerm = -Infinity;
  for (let a = 0; a < p; a++) {
    let pd = 0;
    for (let b = 0; b < p; b++) pd += precision[a * p + b]! * d[b]!;
    const term = d[a]! * pd;
    if (term > bestTerm || (best < 0 && term === term)) {
      best = a;
      bestTerm = term;
    }
  }
  return best;
}

export const mahalanobisDetector: EventDetector<MahalanobisParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Squared Mahalanobis distance under a Ledoit-Wolf shrinkage covariance of the reference, calibrated',
  parseParams: (raw) => parseNumberParams<MahalanobisParams>(ID, { threshold: THRESHOLD_SPEC }, raw),
  prepareReference(columns: NumericColumns, reference: ReferenceProfile): Summary {
    const p = Math.min(reference.featureNames.length, columns.featureCount);
    const all = reference.featureNames.length;
    const lw = ledoitWolf(columns.features, columns.count, p);
    // Reference features the reference batch lacks get mean 0 and no weight in the distance.
    const mean = new Float64Array(all);
    mean.set(lw.mean);
    const precision = new Float64Array(all * all);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) precision[a * all + b] = lw.precision[a * p + b]!;
    return { mean, precision, shrinkage: Float64Array.of(lw.shrinkage), calibration: buildCalibration(distances(columns, mean, precision)) };
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: MahalanobisParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    const p = reference.featureNames.length;
    if (data === undefined || data['mean']!.length !== p || data['precision']!.length !== p * p) return notScored(columns.count);
    const mean = data['mean']!;
    const precision = data['precision']!;
    const raw = distances(columns, mean, precision);
    const scores = calibrated(raw, data['calibration']!);
    const flagged = flagRows(scores, params.threshold, (i) => {
      const f = topFeature(columns, i, mean, precision);
      return {
        signal: 'mahalanobis',
        distance2: num(raw[i]!),
        shrinkage: num(data['shrinkage']![0]!),
        topFeature: reference.featureNames[f] ?? '',
        value: num(featureValue(columns, f, i)),
        referenceMean: num(mean[f] ?? NaN),
      };
    });
    return { scores, flagged };
  },
};
