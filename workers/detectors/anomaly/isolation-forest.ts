/**
 * Isolation forest grown on the reference (workers/kernels/iforest.ts: seeded, deterministic, trees as
 * flat typed arrays), scoring each event by how quickly random splits isolate it; calibrated against
 * the forest's scores of the reference rows (in-sample, as the forest was grown on sub-samples of
 * them). Absent values are imputed by the reference median; a row with no value at all scores NaN.
 *
 * Reference sections: `feature`, `threshold`, `left`, `right`, `roots`, `sampleSize` (the forest),
 * `impute` (per-feature median), `calibration`.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { buildCalibration } from '../../kernels/calibration.js';
import { type Forest, gatherRow, growForest, isolationScoreOf, pathLengthTable } from '../../kernels/iforest.js';
import { medianScale } from '../../kernels/robust.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, Summary } from '../types.js';
import { calibrated, flagRows, notScored, num, sectionsOf } from './common.js';
import { THRESHOLD_SPEC, parseNumberParams } from './params.js';

export type IsolationForestParams = {
  readonly threshold: number;
  readonly trees: number;
  readonly sampleSize: number;
  readonly seed: number;
};

const ID = 'isolation-forest';
const MAX_SAMPLE_SIZE = 65_536;
const SECTIONS = ['feature', 'threshold', 'left', 'right', 'roots', 'sampleSize', 'impute', 'calibration'] as const;

/** Scores of every row; NaN for a row without any of the reference's features (nothing to isolate). */
function scoreAll(forest: Forest, columns: NumericColumns, impute: Float64Array): Float64Array {
  const out = new Float64Array(columns.count);
  const p = Math.min(impute.length, columns.featureCount);
  const row = new Float64Array(impute.length);
  const table = pathLengthTable(forest);
  for (let i = 0; i < columns.count; i++) {
    let present = false;
    for (let f = 0; f < p && !present; f++) present = !Number.isNaN(columns.features[f * columns.count + i]!);
    if (!present) {
      out[i] = NaN;
      continue;
    }
    gatherRow(columns.features, columns.count, columns.featureCount, i, impute, row);
    out[i] = isolationScoreOf(forest, row, table);
  }
  return out;
}

/** The forest's sections, checked so that traversal cannot leave the arrays or loop. */
function forestOf(data: Summary, p: number): Forest | undefined {
  const forest: Forest = {
    feature: data['feature']!,
    threshold: data['threshold']!,
    left: data['left']!,
    right: data['right']!,
    roots: data['roots']!,
    sampleSize: data['sampleSize']!,
  };
  const n = forest.feature.length;
  if (forest.threshold.length !== n || forest.left.length !== n || forest.right.length !== n || forest.sampleSize.length !== 1) return undefined;
  const psi = forest.sampleSize[0]!;
  if (!(Number.isInteger(psi) && psi >= 1 && psi <= MAX_SAMPLE_SIZE)) return undefined;
  for (let i = 0; i < n; i++) {
    const f = forest.feature[i]!;
    if (f < 0) {
      const size = forest.threshold[i]!;
      if (!(Number.isInteger(size) && size >= 0 && size <= psi)) return undefined;
      continue;
    }
    // Children come after their parent (grown depth first), which rules out cycles.
    const l = forest.left[i]!;
    const r = forest.right[i]!;
    if (!Number.isInteger(f) || f >= p || !(l > i && l < n) || !(r > i && r < n)) return undefined;
  }
  for (const root of forest.roots) if (!(Number.isInteger(root) && root >= 0 && root < n)) return undefined;
  return forest;
}

export const isolationForestDetector: EventDetector<IsolationForestParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Isolation forest grown on the reference (seeded), calibrated against the reference scores',
  parseParams: (raw) =>
    parseNumberParams<IsolationForestParams>(
      ID,
      {
        threshold: THRESHOLD_SPEC,
        trees: { default: 100, min: 1, max: 1000, integer: true },
        sampleSize: { default: 256, min: 2, max: MAX_SAMPLE_SIZE, integer: true },
        seed: { default: 1, min: 0, max: 2 ** 32 - 1, integer: true },
      },
      raw,
    ),
  prepareReference(columns: NumericColumns, reference: ReferenceProfile, params: IsolationForestParams): Summary {
    const p = Math.min(reference.featureNames.length, columns.featureCount);
    const impute = new Float64Array(reference.featureNames.length);
    const pair = new Float64Array(2);
    for (let f = 0; f < p; f++) {
      medianScale(columns.features, f * columns.count, columns.count, pair);
      impute[f] = pair[0]! === pair[0]! ? pair[0]! : 0;
    }
    const forest = growForest(columns.features, columns.count, p, impute, params.trees, params.sampleSize, params.seed);
    return { ...forest, impute, calibration: buildCalibration(scoreAll(forest, columns, impute)) };
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: IsolationForestParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    const forest = data === undefined ? undefined : forestOf(data, reference.featureNames.length);
    if (data === undefined || forest === undefined || data['impute']!.length !== reference.featureNames.length) return notScored(columns.count);
    const raw = scoreAll(forest, columns, data['impute']!);
    const scores = calibrated(raw, data['calibration']!);
    const flagged = flagRows(scores, params.threshold, (i) => ({
      signal: 'isolation-forest',
      isolationScore: num(raw[i]!),
      trees: String(forest.roots.length),
      sampleSize: String(forest.sampleSize[0]),
    }));
    return { scores, flagged };
  },
};
