/**
 * Model performance per window against the reference's: realised metrics where ground truth has been
 * joined (`columns.labels`), and NannyML-style CBPE expected accuracy (workers/kernels/isotonic.ts)
 * from calibrated class probabilities where it has not.
 *
 * Classes are strings coded per batch, so the reference fixes their order: prepareReference lists the
 * reference's class labels (truth and predictions), sorted, as 53-bit hashes (a Summary holds only
 * numbers), and every batch maps its dictionaries onto that list; a class the reference never saw
 * counts as "other". For binary models the positive class is `positiveClass`, or the second class in
 * sorted order when it is empty; its probability column (or the `score` column without one) is the
 * ROC score.
 *
 * Summary (sums, so merge adds): `confusion` ((K+1)² truth × predicted counts, last = other),
 * `roc` (negatives then positives per 1/rocBins of score: AUC from binned scores, ties within a bin),
 * `regression` ([rows, Σ|e|, Σe²] of numeric labels against scores) and `cbpe` ([rows, expected correct]).
 *
 * Score: how much worse the window is than the reference on `metric` (reference - window for
 * accuracy, F1 and AUC; window - reference for MAE and RMSE), so > 0 means worse. With fewer than
 * `minLabels` labelled rows, accuracy falls back to the CBPE estimate (evidence.source = "cbpe").
 */
import type { CodedColumn, NumericColumns } from '../../../src/contracts/batch.js';
import { calibrate, fitIsotonic } from '../../kernels/isotonic.js';
import type { IsotonicFit } from '../../kernels/isotonic.js';
import type { ReferenceProfile } from '../reference.js';
import { integerIn, oneOf, parseWith } from '../sequential/params.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';

export type PerformanceParams = { readonly metric: 'accuracy' | 'f1' | 'rocAuc' | 'mae' | 'rmse'; readonly minLabels: number; readonly rocBins: number; readonly positiveClass: string; readonly maxClasses: number };
export type PerformanceSummary = { readonly confusion: Float64Array; readonly roc: Float64Array; readonly regression: Float64Array; readonly cbpe: Float64Array };

const ID = 'performance';
const SECTIONS = ['confusion', 'roc', 'regression', 'cbpe'] as const;
export const PERFORMANCE_DEFAULTS: PerformanceParams = Object.freeze({ metric: 'accuracy', minLabels: 50, rocBins: 1000, positiveClass: '', maxClasses: 64 });

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): PerformanceParams {
  return parseWith(ID, PERFORMANCE_DEFAULTS, {
    metric: oneOf(['accuracy', 'f1', 'rocAuc', 'mae', 'rmse']),
    minLabels: integerIn(1, 1 << 30),
    rocBins: integerIn(2, 100_000),
    positiveClass: (v) => (typeof v === 'string' && v.length <= 1024 ? null : 'a string of at most 1024 characters'),
    maxClasses: integerIn(2, 1024),
  }, raw);
}

/** A 53-bit hash of a class label (FNV-1a, two lanes), exact in a double. */
export function classHash(label: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ label.length;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);
}

interface Prepared {
  readonly classIds: Float64Array;
  readonly positive: number;
  readonly fit: IsotonicFit | null;
  readonly metrics: Float64Array; // accuracy, f1, rocAuc, mae, rmse, cbpeAccuracy
}

function readPrepared(reference: ReferenceProfile): Prepared | null {
  const d = reference.detectorData?.[ID];
  if (d === undefined) return null;
  const fx = d['fitX']!;
  return { classIds: d['classIds']!, positive: d['positive']![0]!, fit: fx.length === 0 ? null : { x: fx, y: d['fitY']! }, metrics: d['metrics']! };
}

/** Per-batch code → reference class index (K for a class the reference did not see, -1 for absent). */
function codeMap(column: CodedColumn | undefined, classIds: Float64Array): (code: number) => number {
  if (column === undefined) return () => -1;
  const map = column.values.map((v) => {
    const k = classIds.indexOf(classHash(v));
    return k < 0 ? classIds.length : k;
  });
  return (code) => (code >= 0 && code < map.length ? map[code]! : -1);
}

/** Column offset of the positive class's probabilities, or -1. */
function positiveColumn(columns: NumericColumns, prepared: Prepared): number {
  const probs = columns.classProbabilities;
  if (probs === undefined || prepared.classIds.length !== 2) return -1;
  const want = prepared.classIds[prepared.positive]!;
  const c = probs.classes.findIndex((name) => classHash(name) === want);
  return c < 0 || probs.values.length !== probs.classes.length * columns.count ? -1 : c * columns.count;
}

function empty(reference: ReferenceProfile, params: PerformanceParams): PerformanceSummary {
  const k = readPrepared(reference)?.classIds.length ?? 0;
  return { confusion: new Float64Array((k + 1) * (k + 1)), roc: new Float64Array(2 * params.rocBins), regression: new Float64Array(3), cbpe: new Float64Array(2) };
}

function summarize(columns: NumericColumns, reference: ReferenceProfile, params: PerformanceParams): PerformanceSummary {
  return summarizeWith(columns, readPrepared(reference), params);
}

function summarizeWith(columns: NumericColumns, prepared: Prepared | null, params: PerformanceParams): PerformanceSummary {
  const k0 = prepared?.classIds.length ?? 0;
  const s = { confusion: new Float64Array((k0 + 1) * (k0 + 1)), roc: new Float64Array(2 * params.rocBins), regression: new Float64Array(3), cbpe: new Float64Array(2) };
  const n = columns.count;
  const labels = columns.labels;
  if (labels !== undefined && labels.numeric.length === n) {
    for (let i = 0; i < n; i++) {
      const e = labels.numeric[i]! - columns.scores[i]!;
      if (e !== e) continue;
      s.regression[0]!++;
      s.regression[1]! += Math.abs(e);
      s.regression[2]! += e * e;
    }
  }
  if (prepared === null) return s;
  const k = prepared.classIds.length;
  const truthOf = codeMap(labels?.classes, prepared.classIds);
  const predOf = codeMap(columns.predicted, prepared.classIds);
  const truthCodes = labels?.classes.codes;
  const predCodes = columns.predicted?.codes;
  const probAt = positiveColumn(columns, prepared);
  const bins = params.rocBins;
  let cbpeRows = 0;
  let cbpeCorrect = 0;
  for (let i = 0; i < n; i++) {
    const t = truthCodes !== undefined && truthCodes.length === n ? truthOf(truthCodes[i]!) : -1;
    const p = predCodes !== undefined && predCodes.length === n ? predOf(predCodes[i]!) : -1;
    if (t >= 0 && p >= 0) s.confusion[t * (k + 1) + p]!++;
    if (k !== 2) continue;
    const score = probAt >= 0 ? columns.classProbabilities!.values[probAt + i]! : columns.scores[i]!;
    if (t >= 0 && t < 2 && score >= 0 && score <= 1) {
      const bin = Math.min(bins - 1, Math.floor(score * bins));
      s.roc[(t === prepared.positive ? bins : 0) + bin]!++;
    }
    if (probAt >= 0 && p >= 0 && p < 2 && score === score) {
      const cal = prepared.fit === null ? score : calibrate(prepared.fit, score);
      cbpeRows++;
      cbpeCorrect += p === prepared.positive ? cal : 1 - cal;
    }
  }
  s.cbpe[0] = cbpeRows;
  s.cbpe[1] = cbpeCorrect;
  return s;
}

/** Metrics of a summary: [accuracy, f1, rocAuc, mae, rmse, cbpe accuracy, labelled rows]. */
function metricsOf(s: PerformanceSummary, k: number, positive: number): number[] {
  const w = k + 1;
  let total = 0;
  let hits = 0;
  for (let t = 0; t < w; t++) for (let p = 0; p < w; p++) {
    const c = s.confusion[t * w + p]!;
    total += c;
    if (t === p && t < k) hits += c;
  }
  let f1 = NaN;
  if (total > 0) {
    const f1Class = (c: number): number => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let x = 0; x < w; x++) {
        if (x === c) tp = s.confusion[c * w + c]!;
        else {
          fp += s.confusion[x * w + c]!;
          fn += s.confusion[c * w + x]!;
        }
      }
      return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    };
    if (k === 2) f1 = f1Class(positive);
    else {
      let sum = 0;
      let classes = 0;
      for (let c = 0; c < w; c++) {
        let seen = 0;
        for (let x = 0; x < w; x++) seen += s.confusion[c * w + x]! + s.confusion[x * w + c]!;
        if (seen === 0) continue;
        classes++;
        sum += f1Class(c);
      }
      f1 = sum / classes;
    }
  }
  // AUC from binned scores: Mann–Whitney with ties within a bin counted one half.
  const bins = s.roc.length / 2;
  let neg = 0;
  let pos = 0;
  let u = 0;
  for (let b = 0; b < bins; b++) {
    const nb = s.roc[b]!;
    const pb = s.roc[bins + b]!;
    u += pb * (neg + nb / 2);
    neg += nb;
    pos += pb;
  }
  const auc = neg > 0 && pos > 0 ? u / (neg * pos) : NaN;
  const [rn, abs, sq] = [s.regression[0]!, s.regression[1]!, s.regression[2]!];
  return [total > 0 ? hits / total : NaN, f1, auc, rn > 0 ? abs / rn : NaN, rn > 0 ? Math.sqrt(sq / rn) : NaN, s.cbpe[0]! > 0 ? s.cbpe[1]! / s.cbpe[0]! : NaN, total];
}

function prepareReference(columns: NumericColumns, _reference: ReferenceProfile, params: PerformanceParams): Summary {
  const names = new Set<string>();
  const add = (col: CodedColumn | undefined): void => {
    if (col === undefined) return;
    const used = new Set<number>();
    for (const c of col.codes) if (c >= 0) used.add(c);
    for (const c of used) if (col.values[c] !== undefined) names.add(col.values[c]!);
  };
  add(columns.labels?.classes);
  add(columns.predicted);
  const sorted = [...names].sort().slice(0, params.maxClasses);
  const classIds = Float64Array.from(sorted.map(classHash));
  let positive = 1;
  if (params.positiveClass !== '') {
    positive = sorted.indexOf(params.positiveClass);
    if (positive < 0 && sorted.length === 2) throw new RangeError(`${ID}: parameter "positiveClass" "${params.positiveClass}" is not a class of the reference (${sorted.join(', ')})`);
  }
  const base: Prepared = { classIds, positive, fit: null, metrics: new Float64Array(6) };
  // Calibration on the reference's labelled binary rows: positive-class probability against truth.
  let fit: IsotonicFit | null = null;
  const at = positiveColumn(columns, base);
  const truth = columns.labels?.classes;
  if (at >= 0 && truth !== undefined && truth.codes.length === columns.count) {
    const truthOf = codeMap(truth, classIds);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < columns.count; i++) {
      const t = truthOf(truth.codes[i]!);
      const p = columns.classProbabilities!.values[at + i]!;
      if (t < 0 || t > 1 || p !== p) continue;
      xs.push(p);
      ys.push(t === positive ? 1 : 0);
    }
    fit = fitIsotonic(xs, ys);
  }
  const m = metricsOf(summarizeWith(columns, { ...base, fit }, params), classIds.length, positive);
  const metrics = Float64Array.from(m.slice(0, 6));
  const fitX = fit === null ? new Float64Array(0) : Float64Array.from(fit.x);
  const fitY = fit === null ? new Float64Array(0) : Float64Array.from(fit.y);
  return { classIds, positive: Float64Array.of(positive), fitX, fitY, metrics };
}

const METRIC_INDEX = { accuracy: 0, f1: 1, rocAuc: 2, mae: 3, rmse: 4 } as const;

function score(summary: PerformanceSummary, reference: ReferenceProfile, params: PerformanceParams): DetectorScore[] {
  const prepared = readPrepared(reference);
  const k = prepared?.classIds.length ?? 0;
  const m = metricsOf(summary, k, prepared?.positive ?? 1);
  const labelled = params.metric === 'mae' || params.metric === 'rmse' ? summary.regression[0]! : m[6]!;
  const idx = METRIC_INDEX[params.metric];
  const refMetrics = prepared?.metrics ?? new Float64Array(6).fill(NaN);
  let source = 'labels';
  let value = m[idx]!;
  let refValue = refMetrics[idx]!;
  if (labelled < params.minLabels) {
    if (params.metric !== 'accuracy' || !(summary.cbpe[0]! >= params.minLabels)) return [];
    source = 'cbpe';
    value = m[5]!;
    refValue = refMetrics[5]!;
  }
  const worse = params.metric === 'mae' || params.metric === 'rmse' ? value - refValue : refValue - value;
  if (!Number.isFinite(worse)) return [];
  const names = ['accuracy', 'f1', 'rocAuc', 'mae', 'rmse', 'cbpeAccuracy'];
  const evidence: Record<string, string> = { metric: params.metric, source, value: String(value), referenceValue: String(refValue), labelledRows: String(labelled), cbpeRows: String(summary.cbpe[0]) };
  names.forEach((name, i) => {
    evidence[`window.${name}`] = String(m[i]);
    evidence[`reference.${name}`] = String(refMetrics[i]);
  });
  if (params.metric === 'rocAuc') evidence['rocBins'] = String(summary.roc.length / 2);
  return [{ detector: ID, feature: null, score: worse, evidence }];
}

function decode(bytes: Uint8Array): PerformanceSummary {
  const s = decodeSections(ID, 1, SECTIONS, bytes) as PerformanceSummary;
  const side = Math.round(Math.sqrt(s.confusion.length));
  if (side * side !== s.confusion.length || side < 1) throw new RangeError(`${ID}: invalid summary bytes (confusion of ${s.confusion.length} cells is not a square)`);
  if (s.roc.length % 2 !== 0 || s.roc.length < 4 || s.regression.length !== 3 || s.cbpe.length !== 2) throw new RangeError(`${ID}: invalid summary bytes (section lengths ${s.roc.length}, ${s.regression.length}, ${s.cbpe.length})`);
  for (const name of ['confusion', 'roc'] as const) {
    for (const c of s[name]) if (!(Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`${ID}: invalid summary bytes (${name} count ${c})`);
  }
  return s;
}

export const performanceDetector: WindowDetector<PerformanceSummary, PerformanceParams> = Object.freeze({
  id: ID,
  kind: 'PERFORMANCE' as const,
  // Realised metrics need the label of every row: the detector judges the labelled stream.
  stream: 'labelled' as const,
  // A drop of 5 (10) points of accuracy, F1 or AUC, or that much more error, against the reference.
  thresholds: Object.freeze({ warning: 0.05, critical: 0.1 }),
  stateVersion: 1,
  description: 'Model performance against the reference: realised accuracy, F1, ROC AUC, MAE or RMSE from joined labels; CBPE expected accuracy without them',
  parseParams,
  empty,
  summarize,
  merge: (a: PerformanceSummary, b: PerformanceSummary): PerformanceSummary => sumSections(ID, SECTIONS, a, b) as PerformanceSummary,
  score,
  prepareReference,
  encode: (summary: PerformanceSummary) => encodeSections(ID, 1, SECTIONS, summary),
  decode,
});
