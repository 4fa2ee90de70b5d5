/**
 * The performance section: the engine's `performance` detector over declared label and prediction
 * columns (and, for a binary classifier, the column of the positive class's probability), the
 * reference file against the current one. Classification: accuracy, F1 (binary: of the positive
 * class; else macro) and ROC AUC (binary, from the probability column); regression: MAE and RMSE.
 * With a probability column, the CBPE-estimated accuracy (calibrated on the reference) stands next
 * to the realised one. As in the engine, the positive class is the second of the reference's classes
 * in sorted order, and a metric drifts when it is worse than the reference's by the detector's
 * warning threshold or more.
 */
import type { CodedColumn, NumericColumns } from '../contracts/batch.js';
import { PERFORMANCE_DEFAULTS, performanceDetector } from '../../workers/detectors/drift/performance.js';
import { evidenceNumber, untested, type Check } from './checks.js';
import { cellError, columnIndex, numericCells } from './columns.js';
import { columnsOf, runDetector } from './engine.js';
import type { Table } from './read.js';

export const TASKS = ['classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

export interface PerformanceOptions {
  readonly label: string;
  readonly prediction: string;
  readonly probability?: string;
  readonly task: Task;
}

const METRICS: Readonly<Record<Task, readonly string[]>> = { classification: ['accuracy', 'f1', 'rocAuc'], regression: ['mae', 'rmse'] };
const LOWER_IS_BETTER = new Set(['mae', 'rmse']);

function coded(table: Table, name: string): CodedColumn {
  const values: string[] = [];
  const index = new Map<string, number>();
  const cells = table.cells[columnIndex(table, name)]!;
  const codes = Int32Array.from(cells, (v) => {
    if (v === null || v === undefined) return -1;
    let code = index.get(v);
    if (code === undefined) {
      code = values.push(v) - 1;
      index.set(v, code);
    }
    return code;
  });
  return { codes, values };
}

/** The reference's classes in the engine's order (sorted labels and predictions seen in it). */
export function referenceClasses(reference: Table, o: PerformanceOptions): string[] {
  const seen = new Set<string>();
  for (const name of [o.label, o.prediction]) for (const v of reference.cells[columnIndex(reference, name)]!) if (v !== null && v !== undefined) seen.add(v);
  return [...seen].sort().slice(0, PERFORMANCE_DEFAULTS.maxClasses);
}

function probabilities(table: Table, name: string): Float64Array {
  const values = numericCells(table, name);
  const r = values.findIndex((v) => v < 0 || v > 1);
  if (r >= 0) throw cellError(table, r, name, `${values[r]} is not a probability in [0, 1]`);
  return values;
}

/** A row with a label must have a prediction (a prediction without a label is an unlabelled row). */
function checkPairs(table: Table, o: PerformanceOptions): void {
  const labels = table.cells[columnIndex(table, o.label)]!;
  const predictions = table.cells[columnIndex(table, o.prediction)]!;
  const r = labels.findIndex((v, i) => v !== null && predictions[i] === null);
  if (r >= 0) throw cellError(table, r, o.prediction, `no prediction, but the row has a label in ${JSON.stringify(o.label)}`);
}

/** The file's rows as the engine's labelled columns. */
export function labelledColumns(table: Table, o: PerformanceOptions, positive: string | undefined): NumericColumns {
  checkPairs(table, o);
  const count = table.lines.length;
  if (o.task === 'regression') {
    const labels = { numeric: numericCells(table, o.label), classes: { codes: new Int32Array(count).fill(-1), values: [] } };
    return columnsOf(count, [], { labels }, numericCells(table, o.prediction));
  }
  const labels = { numeric: new Float64Array(count).fill(NaN), classes: coded(table, o.label) };
  const optional = { labels, predicted: coded(table, o.prediction) };
  if (o.probability === undefined) return columnsOf(count, [], optional);
  const p = probabilities(table, o.probability);
  const withProbabilities = positive === undefined ? optional : { ...optional, classProbabilities: { classes: [positive], values: p } };
  return columnsOf(count, [], withProbabilities, p);
}

export function performanceChecks(reference: Table, current: Table, o: PerformanceOptions): Check[] {
  const classes = o.task === 'classification' ? referenceClasses(reference, o) : [];
  const positive = classes.length === 2 ? classes[1] : undefined;
  const ref = labelledColumns(reference, o, positive);
  const cur = labelledColumns(current, o, positive);
  const limit = performanceDetector.thresholds!.warning;
  const subject = `${o.prediction} against ${o.label}`;
  return METRICS[o.task].map((metric) => {
    const threshold = `${LOWER_IS_BETTER.has(metric) ? 'current − reference' : 'reference − current'} >= ${limit}`;
    const [s] = runDetector(performanceDetector.id, { metric }, ref, cur, []);
    if (s === undefined) {
      const why = metric === 'rocAuc' && (positive === undefined || o.probability === undefined) ? 'needs a binary task and --probability' : `needs ${PERFORMANCE_DEFAULTS.minLabels} labelled rows in each file`;
      return untested(performanceDetector.id, metric, `${metric} of ${subject}`, threshold, `not computed: ${why}`);
    }
    const e = s.evidence;
    const details: Record<string, string | number> = {
      referenceValue: evidenceNumber(e, 'referenceValue'),
      worseBy: s.score,
      source: e['source']!,
      labelledRows: evidenceNumber(e, 'labelledRows'),
    };
    if (o.task === 'classification') {
      details['estimatedAccuracy'] = evidenceNumber(e, 'window.cbpeAccuracy');
      details['referenceEstimatedAccuracy'] = evidenceNumber(e, 'reference.cbpeAccuracy');
      if (positive !== undefined) details['positiveClass'] = positive;
    }
    // JSON has no NaN: a metric the data cannot give is left out rather than written as null.
    for (const [k, v] of Object.entries(details)) if (typeof v === 'number' && !Number.isFinite(v)) delete details[k];
    return { detector: performanceDetector.id, subject: metric, statistic: `${metric} of ${subject} (current)`, value: evidenceNumber(e, 'value'), threshold, drift: s.score >= limit, details };
  });
}
