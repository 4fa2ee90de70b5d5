/**
 * Robust per-feature scores: for each reference feature, |x − median| / (1.4826 · MAD) against the
 * reference (workers/kernels/robust.ts for the conventions), and per row the largest of them over the
 * features present. The raw score is calibrated against the same statistic over the reference rows.
 *
 * Reference sections: `center`, `scale` (per feature), `calibration`. A feature constant in the
 * reference has scale 0: equal values score 0, any other value +Infinity (never seen).
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { buildCalibration } from '../../kernels/calibration.js';
import { medianScale } from '../../kernels/robust.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, Summary } from '../types.js';
import { calibrated, featureValue, flagRows, notScored, num, sectionsOf } from './common.js';
import { THRESHOLD_SPEC, parseNumberParams } from './params.js';

export type RobustZParams = { readonly threshold: number };

const ID = 'robust-z';
const SECTIONS = ['center', 'scale', 'calibration'] as const;

/** Raw per-row scores (and the feature index of each row's largest z) into `raw` and `arg`. */
function rawScores(columns: NumericColumns, center: Float64Array, scale: Float64Array, raw: Float64Array, arg: Int32Array): void {
  const p = center.length;
  raw.fill(NaN);
  arg.fill(-1);
  for (let f = 0; f < p; f++) {
    const c = center[f]!;
    const s = scale[f]!;
    if (c !== c) continue;
    for (let i = 0; i < columns.count; i++) {
      const x = featureValue(columns, f, i);
      if (x !== x) continue;
      const d = Math.abs(x - c);
      const z = s > 0 ? d / s : d === 0 ? 0 : Infinity;
      const r = raw[i]!;
      if (r !== r || z > r) {
        raw[i] = z;
        arg[i] = f;
      }
    }
  }
}

export const robustZDetector: EventDetector<RobustZParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Largest robust z-score (median and MAD) over the features of an event, calibrated against the reference',
  parseParams: (raw) => parseNumberParams<RobustZParams>(ID, { threshold: THRESHOLD_SPEC }, raw),
  prepareReference(columns: NumericColumns, reference: ReferenceProfile): Summary {
    const p = reference.featureNames.length;
    const center = new Float64Array(p);
    const scale = new Float64Array(p);
    const pair = new Float64Array(2);
    for (let f = 0; f < p; f++) {
      if (f < columns.featureCount) medianScale(columns.features, f * columns.count, columns.count, pair);
      else pair.fill(NaN);
      center[f] = pair[0]!;
      scale[f] = pair[1]!;
    }
    const raw = new Float64Array(columns.count);
    rawScores(columns, center, scale, raw, new Int32Array(columns.count));
    return { center, scale, calibration: buildCalibration(raw) };
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: RobustZParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    if (data === undefined || data['center']!.length !== reference.featureNames.length) return notScored(columns.count);
    const center = data['center']!;
    const scale = data['scale']!;
    const raw = new Float64Array(columns.count);
    const arg = new Int32Array(columns.count);
    rawScores(columns, center, scale, raw, arg);
    const scores = calibrated(raw, data['calibration']!);
    const flagged = flagRows(scores, params.threshold, (i) => {
      const f = arg[i]!;
      return {
        signal: 'robust-z',
        maxAbsZ: num(raw[i]!),
        feature: reference.featureNames[f] ?? '',
        value: num(featureValue(columns, f, i)),
        referenceMedian: num(center[f]!),
        referenceScale: num(scale[f]!),
      };
    });
    return { scores, flagged };
  },
};
