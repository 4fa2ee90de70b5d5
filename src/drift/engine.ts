/**
 * Runs one of the engine's window detectors offline, through the same pure task functions the
 * scoring pool runs (workers/scoring.ts): the reference file is the reference batch (its profile and
 * the detector's `prepareReference`), the whole current file one window (`summarizeBatch`, then
 * `scoreWindow`). So the offline numbers are the engine's numbers for the same rows and parameters.
 */
import type { NumericColumns } from '../contracts/batch.js';
import type { OptionalColumns } from '../../workers/detectors/optional.js';
import type { DetectorScore } from '../../workers/detectors/types.js';
import { buildReference, scoreWindow, summarizeBatch } from '../../workers/scoring.js';

/** Columns of `count` rows: the given features (each a row-ordered column), a score column, the optional columns. */
export function columnsOf(count: number, features: readonly Float64Array[], optional: OptionalColumns = {}, scores?: Float64Array): NumericColumns {
  const matrix = new Float64Array(count * features.length);
  features.forEach((column, f) => matrix.set(column, f * count));
  return {
    count,
    featureCount: features.length,
    features: matrix,
    scores: scores ?? new Float64Array(count).fill(NaN),
    latencies: new Float64Array(count),
    statuses: new Uint8Array(count),
    // Row order is file order; window membership never depends on time offline.
    timestamps: Float64Array.from({ length: count }, (_, i) => i),
    ...optional,
  };
}

/** The scores detector `id` gives the current columns against the reference columns, with raw parameters `params`. */
export function runDetector(id: string, params: Readonly<Record<string, unknown>>, reference: NumericColumns, current: NumericColumns, featureNames: readonly string[]): DetectorScore[] {
  const byId = { [id]: params };
  const profile = buildReference({ columns: reference, featureNames, id: 'reference', detectors: [id], params: byId });
  const summaries = summarizeBatch({ columns: current, reference: profile, detectors: [id], params: byId });
  return scoreWindow({ summaries, reference: profile, detectors: [id], params: byId });
}
