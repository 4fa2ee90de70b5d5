/**
 * The named tasks the scoring pool runs (a Piscina worker module: `pool.run(task, { name })`). Every task
 * takes a whole batch or window, never a single event: a dispatch costs about as much as 30 Avro
 * decodes, so it only pays over thousands of values.
 *
 *   buildReference  columns of a reference batch → ReferenceProfile (SharedArrayBuffer-backed, so the
 *                   result and every later task share its memory instead of copying it)
 *   decodeBatch     the raw values of one Kafka batch → column-wise groups per model version and the
 *                   failures (workers/decode): the heaviest per-event work, kept off the main thread
 *   summarize       columns of one batch → one Summary per detector, transferred back, not cloned
 *   summarizeRanges columns of one batch and row ranges [start, end) → one Summaries per range: how the
 *                   engine sends a batch that spans several windows, in one dispatch
 *   scoreWindow     merged Summaries of a window → DetectorScore[]
 *   scoreWindows    several windows' scoreWindow tasks → one DetectorScore[] each: every window a
 *                   batch closed, in one round trip instead of one per window
 *   scoreEvents     columns of one batch and row ranges → what each event detector flagged
 *   scoreBatch      summarizeRanges and scoreEvents over the same columns in one dispatch (what the
 *                   engine sends per batch: one copy of the columns, one round trip)
 *
 * Inputs are shape-checked here once per task (O(features)); detectors then index without checks.
 * Each task export runs its `run…` implementation through `timed` (workers/busy.ts): the pool's threads
 * count their own busy time, which the pool reports as its utilisation.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { NumericColumns } from '../src/contracts/batch.js';
import { timed } from './busy.js';
import { assertColumns } from './detectors/columns.js';
import { decodeBatch as decodeRecords, resultBuffers, type DecodeBatchResult, type DecodeBatchTask } from './decode/batch.js';
import { sliceColumns } from './detectors/slice.js';
import { assertReferenceProfile, buildReferenceProfile } from './detectors/reference.js';
import type { BuildReferenceInput, ReferenceProfile } from './detectors/reference.js';
import { detectorRegistry, getDetector, getEventDetector } from './detectors/registry.js';
import { summaryBuffers } from './detectors/summary.js';
import type { AnyEventDetector, AnyWindowDetector, DetectorScore, FlaggedEvent, Summary } from './detectors/types.js';

/** Raw (unvalidated) parameters per detector id; each detector validates its own. */
export type DetectorParamsById = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** One Summary per detector id. */
export type Summaries = Record<string, Summary>;

export interface BuildReferenceTask extends BuildReferenceInput {
  /** Detectors (window or event) whose `prepareReference` runs over the reference batch. */
  readonly detectors?: readonly string[];
  readonly params?: DetectorParamsById;
}

export interface SummarizeTask {
  readonly columns: NumericColumns;
  readonly reference: ReferenceProfile;
  /** Detector ids, from the registry. */
  readonly detectors: readonly string[];
  readonly params?: DetectorParamsById;
}

export interface SummarizeRangesTask extends SummarizeTask {
  /** Row ranges as flat pairs: start0, end0, start1, end1, … (each 0 <= start < end <= count). */
  readonly ranges: readonly number[];
}

export interface ScoreWindowTask {
  /** The window's merged summary for each detector in `detectors`. */
  readonly summaries: Readonly<Summaries>;
  readonly reference: ReferenceProfile;
  readonly detectors: readonly string[];
  readonly params?: DetectorParamsById;
}

export interface ScoreEventsTask {
  readonly columns: NumericColumns;
  readonly reference: ReferenceProfile;
  /** Event detector ids, from the registry. */
  readonly detectors: readonly string[];
  readonly params?: DetectorParamsById;
  /** Rows [start, end) to score, as flat pairs; rows outside every range (the reference's) are not scored. */
  readonly ranges: readonly number[];
}

/** What one event detector flagged in a batch: rows are the batch's, in row order. */
export interface EventFindings {
  readonly detector: string;
  /** Rows the detector scored (not NaN) within the ranges. */
  readonly scored: number;
  readonly flagged: readonly FlaggedEvent[];
}

/** Several windows to score in one dispatch, each as its own scoreWindow task (a shared reference is sent once). */
export interface ScoreWindowsTask {
  readonly windows: readonly ScoreWindowTask[];
}

/** summarizeRanges and scoreEvents over one batch's columns; either detector list may be empty. */
export interface ScoreBatchTask {
  readonly columns: NumericColumns;
  readonly reference: ReferenceProfile;
  readonly windowDetectors: readonly string[];
  readonly eventDetectors: readonly string[];
  readonly params?: DetectorParamsById;
  /** Row ranges as flat pairs, as in SummarizeRangesTask. */
  readonly ranges: readonly number[];
}

export interface BatchScores {
  /** One Summaries per range (empty objects without window detectors). */
  readonly summaries: Summaries[];
  readonly findings: EventFindings[];
}

/** What each task's promise resolves to on the calling thread, by task name (types the pool). */
export interface ScoringTaskResults {
  buildReference: ReferenceProfile;
  decodeBatch: DecodeBatchResult;
  summarize: Summaries;
  summarizeRanges: Summaries[];
  scoreWindow: DetectorScore[];
  scoreWindows: DetectorScore[][];
  scoreEvents: EventFindings[];
  scoreBatch: BatchScores;
}

/** The input of each task, by task name. */
export interface ScoringTasks {
  buildReference: BuildReferenceTask;
  decodeBatch: DecodeBatchTask;
  summarize: SummarizeTask;
  summarizeRanges: SummarizeRangesTask;
  scoreWindow: ScoreWindowTask;
  scoreWindows: ScoreWindowsTask;
  scoreEvents: ScoreEventsTask;
  scoreBatch: ScoreBatchTask;
}

export type ScoringTaskName = keyof ScoringTasks;

/** A task result marked for Piscina to transfer `transfer` instead of cloning it; the caller receives `value`. */
export interface Moved<T> {
  readonly [transferableSymbol]: ArrayBuffer[];
  readonly [valueSymbol]: T;
}

function resolveDetectors(where: string, ids: readonly string[], params: DetectorParamsById | undefined): [AnyWindowDetector, ReturnType<AnyWindowDetector['parseParams']>][] {
  if (!Array.isArray(ids) || ids.length === 0) throw new RangeError(`${where}: detectors must be a non-empty array of detector ids`);
  if (new Set(ids).size !== ids.length) throw new RangeError(`${where}: detectors lists an id twice`);
  return ids.map((id) => {
    const detector = getDetector(id);
    return [detector, detector.parseParams(params?.[id])];
  });
}

export function buildReference(task: BuildReferenceTask): ReferenceProfile {
  return timed(() => runBuildReference(task));
}

function runBuildReference(task: BuildReferenceTask): ReferenceProfile {
  const profile = buildReferenceProfile(task);
  const detectorData: Record<string, Summary> = {};
  for (const id of task.detectors ?? []) {
    const detector: AnyWindowDetector | AnyEventDetector = detectorRegistry.get(id) ?? getEventDetector(id);
    if (detector.prepareReference === undefined) continue;
    const prepared = detector.prepareReference(task.columns, profile, detector.parseParams(task.params?.[id]));
    detectorData[id] = shareSections(prepared);
  }
  return Object.keys(detectorData).length === 0 ? profile : { ...profile, detectorData: Object.freeze(detectorData) };
}

/** A summary's sections copied into one SharedArrayBuffer, so every task shares them instead of a copy. */
function shareSections(summary: Summary): Summary {
  const names = Object.keys(summary);
  let total = 0;
  for (const name of names) {
    const section = summary[name];
    if (!(section instanceof Float64Array)) throw new TypeError(`prepareReference: section "${name}" is not a Float64Array`);
    total += section.length;
  }
  const buffer = new SharedArrayBuffer(8 * total);
  const out: Record<string, Float64Array> = {};
  let at = 0;
  for (const name of names) {
    const section = summary[name]!;
    const view = new Float64Array(buffer, 8 * at, section.length);
    view.set(section);
    out[name] = view;
    at += section.length;
  }
  return Object.freeze(out);
}

/** Pure form of `summarize` (the value the calling thread receives). */
export function summarizeBatch(task: SummarizeTask): Summaries {
  assertColumns(task.columns, 'summarize');
  assertReferenceProfile(task.reference, 'summarize');
  const summaries: Summaries = {};
  for (const [detector, params] of resolveDetectors('summarize', task.detectors, task.params)) {
    summaries[detector.id] = detector.summarize(task.columns, task.reference, params);
  }
  return summaries;
}

export function summarize(task: SummarizeTask): Moved<Summaries> {
  return timed(() => runSummarize(task));
}

function runSummarize(task: SummarizeTask): Moved<Summaries> {
  const summaries = summarizeBatch(task);
  const buffers = [...new Set(Object.values(summaries).flatMap(summaryBuffers))];
  const result: Moved<Summaries> = { [transferableSymbol]: buffers, [valueSymbol]: summaries };
  return move(result) as Moved<Summaries>;
}

export function decodeBatch(task: DecodeBatchTask): Moved<DecodeBatchResult> {
  return timed(() => runDecodeBatch(task));
}

function runDecodeBatch(task: DecodeBatchTask): Moved<DecodeBatchResult> {
  const result = decodeRecords(task);
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as Moved<DecodeBatchResult>) as Moved<DecodeBatchResult>;
}

/** Pure form of `summarizeRanges`. */
export function summarizeRangesOf(task: SummarizeRangesTask): Summaries[] {
  assertColumns(task.columns, 'summarizeRanges');
  const { ranges } = task;
  if (!Array.isArray(ranges) || ranges.length === 0 || ranges.length % 2 !== 0) {
    throw new RangeError('summarizeRanges: ranges must be a non-empty list of start/end pairs');
  }
  const results: Summaries[] = [];
  for (let r = 0; r < ranges.length; r += 2) {
    const start = ranges[r]!;
    const end = ranges[r + 1]!;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > task.columns.count) {
      throw new RangeError(`summarizeRanges: range ${start}..${end} is not within 0..${task.columns.count}`);
    }
    results.push(summarizeBatch({ ...task, columns: sliceColumns(task.columns, start, end) }));
  }
  return results;
}

function summariesBuffers(results: readonly Summaries[]): ArrayBuffer[] {
  return [...new Set(results.flatMap((summaries) => Object.values(summaries).flatMap(summaryBuffers)))];
}

export function summarizeRanges(task: SummarizeRangesTask): Moved<Summaries[]> {
  return timed(() => runSummarizeRanges(task));
}

function runSummarizeRanges(task: SummarizeRangesTask): Moved<Summaries[]> {
  const results = summarizeRangesOf(task);
  return move({ [transferableSymbol]: summariesBuffers(results), [valueSymbol]: results } as Moved<Summaries[]>) as Moved<Summaries[]>;
}

/** Pure form of `scoreBatch`. */
export function scoreBatchOf(task: ScoreBatchTask): BatchScores {
  const { windowDetectors, eventDetectors, ranges } = task;
  if (!Array.isArray(windowDetectors) || !Array.isArray(eventDetectors)) throw new RangeError('scoreBatch: windowDetectors and eventDetectors must be arrays of detector ids');
  const common = { columns: task.columns, reference: task.reference, ranges, ...(task.params !== undefined ? { params: task.params } : {}) };
  const summaries = windowDetectors.length > 0 ? summarizeRangesOf({ ...common, detectors: windowDetectors }) : Array.from({ length: Array.isArray(ranges) ? ranges.length >> 1 : 0 }, (): Summaries => ({}));
  const findings = eventDetectors.length > 0 ? scoreEvents({ ...common, detectors: eventDetectors }) : [];
  return { summaries, findings };
}

export function scoreBatch(task: ScoreBatchTask): Moved<BatchScores> {
  return timed(() => runScoreBatch(task));
}

function runScoreBatch(task: ScoreBatchTask): Moved<BatchScores> {
  const result = scoreBatchOf(task);
  return move({ [transferableSymbol]: summariesBuffers(result.summaries), [valueSymbol]: result } as Moved<BatchScores>) as Moved<BatchScores>;
}

export function scoreWindow(task: ScoreWindowTask): DetectorScore[] {
  return timed(() => runScoreWindow(task));
}

function runScoreWindow(task: ScoreWindowTask): DetectorScore[] {
  assertReferenceProfile(task.reference, 'scoreWindow');
  if (task.summaries === null || typeof task.summaries !== 'object') throw new TypeError('scoreWindow: summaries must be an object keyed by detector id');
  const scores: DetectorScore[] = [];
  for (const [detector, params] of resolveDetectors('scoreWindow', task.detectors, task.params)) {
    const summary = task.summaries[detector.id];
    if (summary === undefined) throw new RangeError(`scoreWindow: no summary for detector "${detector.id}"`);
    for (const s of detector.score(summary, task.reference, params)) scores.push(s);
  }
  return scores;
}

export function scoreWindows(task: ScoreWindowsTask): DetectorScore[][] {
  return timed(() => runScoreWindows(task));
}

function runScoreWindows(task: ScoreWindowsTask): DetectorScore[][] {
  if (task === null || typeof task !== 'object' || !Array.isArray(task.windows)) throw new TypeError('scoreWindows: windows must be an array of scoreWindow tasks');
  return task.windows.map((window, i) => {
    if (window === null || typeof window !== 'object') throw new TypeError(`scoreWindows: window ${i} is not a scoreWindow task`);
    return scoreWindow(window);
  });
}

export function scoreEvents(task: ScoreEventsTask): EventFindings[] {
  return timed(() => runScoreEvents(task));
}

/**
 * Scores every row of a batch within `ranges` with each event detector, in one dispatch. Flagged rows
 * outside the ranges (the rows that went into the reference) are dropped.
 */
function runScoreEvents(task: ScoreEventsTask): EventFindings[] {
  assertColumns(task.columns, 'scoreEvents');
  assertReferenceProfile(task.reference, 'scoreEvents');
  const { ranges } = task;
  if (!Array.isArray(ranges) || ranges.length % 2 !== 0) throw new RangeError('scoreEvents: ranges must be a list of start/end pairs');
  const inRange = new Uint8Array(task.columns.count);
  for (let r = 0; r < ranges.length; r += 2) {
    const start = ranges[r]!;
    const end = ranges[r + 1]!;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > task.columns.count) {
      throw new RangeError(`scoreEvents: range ${start}..${end} is not within 0..${task.columns.count}`);
    }
    inRange.fill(1, start, end);
  }
  if (!Array.isArray(task.detectors) || new Set(task.detectors).size !== task.detectors.length) throw new RangeError('scoreEvents: detectors must list distinct ids');
  return task.detectors.map((id) => {
    const detector = getEventDetector(id);
    const { scores, flagged } = detector.scoreEvents(task.columns, task.reference, detector.parseParams(task.params?.[id]));
    let scored = 0;
    for (let i = 0; i < scores.length; i++) if (inRange[i] === 1 && !Number.isNaN(scores[i]!)) scored++;
    return { detector: id, scored, flagged: flagged.filter((f) => inRange[f.row] === 1) };
  });
}
