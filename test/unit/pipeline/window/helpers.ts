/**
 * Builders for window tests: columnar batches from rows, and a toy "detector" whose summary is the
 * list of the rows' first feature values (merged by concatenation, which is order-sensitive, so a
 * wrong merge order or a misplaced row shows up in the bytes).
 */
import type { ColumnarBatch } from '../../../../src/contracts/batch.js';
import type { ClosedWindow, MergeSummaries, Summaries, WindowSlice } from '../../../../src/pipeline/window/types.js';
import type { ModelWindows } from '../../../../src/pipeline/window/window.js';

export const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

export interface Row {
  readonly ts: number;
  /** Feature values, by position in the batch's feature names (missing: NaN). */
  readonly values: readonly number[];
}

export interface BatchOptions {
  readonly modelId?: string;
  readonly modelVersion?: string;
  readonly featureNames?: readonly string[];
  readonly firstOffset?: number;
  readonly partition?: number;
}

export function makeBatch(rows: readonly Row[], options: BatchOptions = {}): ColumnarBatch {
  const featureNames = options.featureNames ?? ['x'];
  const n = rows.length;
  const f = featureNames.length;
  const features = new Float64Array(n * f);
  rows.forEach((row, i) => {
    for (let c = 0; c < f; c++) features[c * n + i] = row.values[c] ?? Number.NaN;
  });
  const first = options.firstOffset ?? 0;
  return {
    modelId: options.modelId ?? 'credit-risk',
    modelVersion: options.modelVersion ?? '3.2.0',
    count: n,
    featureCount: f,
    featureNames,
    features,
    scores: new Float64Array(n).fill(0.5),
    latencies: new Float64Array(n).fill(12),
    statuses: new Uint8Array(n),
    timestamps: Float64Array.from(rows, (r) => r.ts),
    eventIds: rows.map((_, i) => `e${first + i}`),
    principals: rows.map(() => 'svc'),
    endpoints: rows.map(() => null),
    predictedClasses: rows.map(() => null),
    llm: rows.map(() => null),
    attributes: rows.map(() => ({})),
    offsets: Array.from({ length: n }, (_, i) => String(first + i)),
    source: { topic: 'vigil.inference', partition: options.partition ?? 0, firstOffset: String(first), lastOffset: String(first + Math.max(n - 1, 0)) },
  };
}

/** `count` rows, one every `stepMs`, with value = position in the stream (from `from`). */
export function stream(count: number, options: { from?: number; stepMs?: number; start?: number } = {}): Row[] {
  const from = options.from ?? 0;
  const step = options.stepMs ?? 10;
  const start = options.start ?? T0;
  return Array.from({ length: count }, (_, i) => ({ ts: start + (from + i) * step, values: [from + i] }));
}

/** Splits rows into consecutive batches of the given sizes (the last size repeats). */
export function batchesOf(rows: readonly Row[], sizes: readonly number[], options: BatchOptions = {}): ColumnarBatch[] {
  const out: ColumnarBatch[] = [];
  let at = 0;
  let k = 0;
  while (at < rows.length) {
    const size = sizes[Math.min(k++, sizes.length - 1)] ?? 1;
    out.push(makeBatch(rows.slice(at, at + size), { ...options, firstOffset: (options.firstOffset ?? 0) + at }));
    at += size;
  }
  return out;
}

/** The toy summaries of rows [start, end): detector `values` (f64 of feature 0) and `n` (u32 count). */
export function summarise(batch: ColumnarBatch, slice: WindowSlice): Summaries {
  const [start, end] = slice.rows;
  const values = new Uint8Array(new Float64Array(batch.features.subarray(start, end)).buffer);
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, end - start, true);
  return { values, n };
}

export const merge: MergeSummaries = (detector, earlier, later) => {
  if (detector === 'n') {
    const out = new Uint8Array(4);
    const read = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
    new DataView(out.buffer).setUint32(0, read(earlier) + read(later), true);
    return out;
  }
  const out = new Uint8Array(earlier.length + later.length);
  out.set(earlier, 0);
  out.set(later, earlier.length);
  return out;
};

export function valuesOf(window: ClosedWindow): number[] {
  const bytes = window.summaries['values'];
  if (bytes === undefined) return [];
  return Array.from(new Float64Array(bytes.slice().buffer));
}

export interface Driven {
  readonly closed: ClosedWindow[];
  readonly slices: WindowSlice[];
}

/**
 * Feeds batches like the engine does; with `reverse`, each batch's summaries come back last-first
 * (as a pool may answer), which must not change anything.
 */
export function drive(windows: ModelWindows, batches: readonly ColumnarBatch[], options: { reverse?: boolean } = {}): Driven {
  const closed: ClosedWindow[] = [];
  const slices: WindowSlice[] = [];
  for (const batch of batches) {
    const assignment = windows.assign(batch);
    closed.push(...assignment.closed);
    slices.push(...assignment.slices);
    const order = options.reverse === true ? [...assignment.slices].reverse() : assignment.slices;
    for (const slice of order) closed.push(...windows.addSummary(slice, summarise(batch, slice)));
  }
  return { closed, slices };
}

/** What must not depend on batching: everything but the source offsets. */
export function shape(window: ClosedWindow): Record<string, unknown> {
  return {
    windowIndex: window.windowIndex,
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
    eventCount: window.eventCount,
    closedBy: window.closedBy,
    values: valuesOf(window),
    n: Buffer.from(window.summaries['n'] ?? new Uint8Array()).toString('hex'),
  };
}
