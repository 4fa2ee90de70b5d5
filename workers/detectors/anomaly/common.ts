/**
 * What the anomaly detectors share: reading their reference sections, turning raw scores into
 * calibrated ones (workers/kernels/calibration.ts) and listing the flagged rows.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { calibrate, isCalibration } from '../../kernels/calibration.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventScores, FlaggedEvent, Summary } from '../types.js';

/** The detector's reference sections when every named one is present; undefined otherwise. */
export function sectionsOf(reference: ReferenceProfile, id: string, names: readonly string[]): Summary | undefined {
  const data = reference.detectorData?.[id];
  if (data === undefined) return undefined;
  for (const name of names) if (!(data[name] instanceof Float64Array)) return undefined;
  return isCalibration(data['calibration']) ? data : undefined;
}

/** Scores of a batch the detector cannot score at all: NaN everywhere, nothing flagged. */
export function notScored(count: number): EventScores {
  return { scores: new Float64Array(count).fill(NaN), flagged: [] };
}

/** Calibrated scores of `raw` against the reference table, as a new array. */
export function calibrated(raw: Float64Array, table: Float64Array): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = calibrate(table, raw[i]!);
  return out;
}

/** Rows at or over `threshold`, in row order, with evidence built only for them. */
export function flagRows(scores: Float64Array, threshold: number, evidence: (row: number) => Record<string, string>): FlaggedEvent[] {
  const flagged: FlaggedEvent[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s >= threshold) flagged.push({ row: i, score: s, evidence: evidence(i) });
  }
  return flagged;
}

/** A number for evidence: 6 significant digits, no exponent noise for ordinary values. */
export function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Value of reference feature `f` in `row`; NaN where the batch does not carry the column. */
export function featureValue(columns: NumericColumns, f: number, row: number): number {
  return f < columns.featureCount ? columns.features[f * columns.count + row]! : NaN;
}
