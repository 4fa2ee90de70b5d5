/**
 * The streams section: the engine's sequential detectors (ADWIN, Page–Hinkley, KSWIN, DDM, CUSUM;
 * workers/detectors/sequential) over a numeric column in file order. As the engine's stream
 * detectors do, each algorithm first reads the reference file's column and then continues over the
 * current file's, so a detection in the current file is a change against the reference stream.
 * Absent values are skipped; detections are reported as the current file's row indices (0-based
 * data rows) and file lines. DDM reads 0/1 error indicators: it runs only on columns of 0s and 1s.
 * Columns other than 0/1 ones are standardised by the reference column's mean and standard deviation,
 * as the engine's score and latency streams are, so the algorithms' defaults mean the same on any scale.
 */
import { ALGORITHMS, createSequential, parseAlgorithmParams, type Algorithm } from '../../workers/detectors/sequential/algorithms.js';
import { streamScale } from '../../workers/detectors/sequential/stream-drift.js';
import { VigilError } from '../errors.js';
import type { Check } from './checks.js';
import { cellError, numericCells } from './columns.js';
import type { Table } from './read.js';

export { ALGORITHMS, type Algorithm };

/** Detections listed per check at most (the count is always exact). */
const MAX_LISTED = 1000;

export interface StreamOptions {
  readonly columns: readonly string[];
  /** Algorithms asked for; undefined = every algorithm that applies to the column. */
  readonly algorithms?: readonly Algorithm[];
  /** Seed of KSWIN's sampling. */
  readonly seed: number;
}

export interface StreamRun {
  /** Indices (into the values fed) at which a drift was signalled. */
  readonly drifts: number[];
  readonly warnings: number;
}

/** Feeds `values` to `algorithm` (NaN skipped, as the engine skips non-finite values) after `warmup`. */
export function runSequential(
  algorithm: Algorithm,
  params: Readonly<Record<string, unknown>>,
  warmup: Float64Array,
  values: Float64Array,
  standardize = false,
): { reference: StreamRun; current: StreamRun } {
  const detector = createSequential(algorithm, parseAlgorithmParams(algorithm, params));
  const { mean, sd } = standardize ? streamScale(warmup.length, (i) => warmup[i]!) : { mean: 0, sd: 1 };
  const feed = (xs: Float64Array): StreamRun => {
    const drifts: number[] = [];
    let warnings = 0;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]!)) continue;
      detector.update((xs[i]! - mean) / sd);
      if (detector.driftDetected) drifts.push(i);
      if (detector.warningDetected) warnings++;
    }
    return { drifts, warnings };
  };
  return { reference: feed(warmup), current: feed(values) };
}

function isBinary(values: Float64Array): boolean {
  return values.every((v) => Number.isNaN(v) || v === 0 || v === 1);
}

function paramsOf(algorithm: Algorithm, seed: number): Record<string, unknown> {
  return algorithm === 'kswin' ? { seed } : {};
}

export function streamChecks(reference: Table, current: Table, o: StreamOptions): Check[] {
  const checks: Check[] = [];
  for (const column of o.columns) {
    const ref = numericCells(reference, column);
    const cur = numericCells(current, column);
    const binary = isBinary(ref) && isBinary(cur);
    if (o.algorithms?.includes('ddm') && !binary) {
      const [table, values] = isBinary(ref) ? [current, cur] : [reference, ref];
      const r = values.findIndex((v) => !Number.isNaN(v) && v !== 0 && v !== 1);
      throw cellError(table, r, column, `${values[r]} is not 0 or 1; --stream-detectors ddm reads 0/1 error indicators`);
    }
    const algorithms = o.algorithms ?? ALGORITHMS.filter((a) => a !== 'ddm' || binary);
    if (cur.every(Number.isNaN)) throw new VigilError('VIGIL_INPUT_INVALID', `${current.file}: column ${JSON.stringify(column)} has no values to stream`, { details: { file: current.file, column } });
    for (const algorithm of algorithms) {
      const run = runSequential(algorithm, paramsOf(algorithm, o.seed), ref, cur, !binary);
      const rows = run.current.drifts;
      checks.push({
        detector: algorithm,
        subject: column,
        statistic: 'drift signals in the current file',
        value: rows.length,
        threshold: 'at least one signal (continuing from the reference stream)',
        drift: rows.length > 0,
        details: {
          rows: rows.slice(0, MAX_LISTED),
          lines: rows.slice(0, MAX_LISTED).map((r) => current.lines[r]!),
          referenceSignals: run.reference.drifts.length,
          standardized: !binary,
          ...(algorithm === 'ddm' ? { warnings: run.current.warnings } : {}),
          ...(algorithm === 'kswin' ? { seed: o.seed } : {}),
        },
      });
    }
  }
  return checks;
}
