/**
 * Windows of one model version: `collecting-reference` (the first N events are copied into the
 * reference) then `ready` (events go into tumbling windows).
 *
 * Membership is a function of the version's event sequence alone, never of how Kafka batched it:
 * a window closes after exactly `count` events (a batch crossing the boundary is split), or when an
 * event's timestamp is at or past the end of the window's time slot. Slots are `timeMs` long and
 * aligned to the first windowed event's timestamp; a window closed by count is followed by one that
 * starts where it ended, inside the same slot, so window starts strictly increase (alert ids rely on
 * it). Late events (before the window start) join the window in progress.
 *
 * Typical use by the engine:
 *
 *     const { reference, slices, closed } = windows.assign(batch);
 *     if (reference?.completed) buildProfile(windows.reference());
 *     for (const s of slices) pool.summarise(batch, s.rows).then((sum) => emit(windows.addSummary(s, sum)));
 *     emit(closed);
 *
 * Closed windows are returned strictly in window order, and the summaries of a window are merged in
 * slice order whatever order the pool answers in, so the result is deterministic.
 */
import type { ColumnarBatch, SourceSpan } from '../../contracts/batch.js';
import { VigilError } from '../../errors.js';
import { optionalOf } from '../../../workers/detectors/optional.js';
import { isOffset, sameSourcePartition, widenSpan } from './columns.js';
import { ReferenceBuilder, referenceFromColumns } from './reference.js';
import { decodeWindowState, encodeWindowState } from './snapshot.js';
import type { WindowStateImage } from './snapshot.js';
import type { Assignment, ClosedWindow, CloseReason, MergeSummaries, ReferenceData, Summaries, WindowOptions, WindowPhase, WindowSlice } from './types.js';

interface Window {
  readonly index: number;
  readonly key: string;
  readonly start: number;
  eventCount: number;
  maxTs: number;
  source: SourceSpan | null;
  /** Slices handed out. */
  parts: number;
  /** Slices merged into `merged`, a prefix of the parts. */
  mergedParts: number;
  merged: Record<string, Uint8Array>;
  /** Summaries that arrived ahead of an earlier part. */
  readonly waiting: Map<number, Summaries>;
  closedBy: CloseReason | null;
  end: number;
}

export class ModelWindows {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly #merge: MergeSummaries;
  #count: number;
  #timeMs: number;
  #builder: ReferenceBuilder | null;
  #reference: ReferenceData | null;
  #featureNames: string[] = [];
  #origin: number | null = null;
  #nextStart: number | null = null;
  #nextIndex = 0;
  /** Windows not yet returned as closed, oldest first; only the last can still be open. */
  #windows: Window[] = [];

  constructor(options: WindowOptions) {
    this.modelId = options.modelId;
    this.modelVersion = options.modelVersion;
    this.#merge = options.merge;
    this.#count = options.windows.count;
    this.#timeMs = options.windows.timeMs;
    this.setWindowSettings(options.windows);
    this.#reference = options.reference ?? null;
    this.#builder = this.#reference === null ? new ReferenceBuilder(options.referenceEvents) : null;
  }

  get phase(): WindowPhase {
    return this.#reference === null ? 'collecting-reference' : 'ready';
  }

  /** The reference rows once collected (or given), else null. */
  reference(): ReferenceData | null {
    return this.#reference;
  }

  /** The version's feature index as seen so far. */
  get featureNames(): readonly string[] {
    return this.#featureNames;
  }

  /** Slices handed out by `assign` whose summary has not been added yet. */
  get pendingSlices(): number {
    return this.#windows.reduce((n, w) => n + w.parts - w.mergedParts, 0);
  }

  /** New window settings (a live override); they apply from the next event on. */
  setWindowSettings(windows: { readonly count: number; readonly timeMs: number }): void {
    for (const [name, value] of [['count', windows.count], ['timeMs', windows.timeMs]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new VigilError('VIGIL_INTERNAL', `window ${name} must be a positive integer, got ${value}`);
    }
    this.#count = windows.count;
    this.#timeMs = windows.timeMs;
  }

  /** Takes a batch of this model version: rows into the reference first, then into windows. */
  assign(batch: ColumnarBatch): Assignment {
    this.#check(batch);
    if (batch.featureNames.length > this.#featureNames.length) this.#featureNames = [...batch.featureNames];
    let row = 0;
    let reference: Assignment['reference'] = null;
    if (this.#builder !== null) {
      row = this.#builder.add(batch, 0, batch.count);
      const completed = this.#builder.full;
      if (completed) {
        this.#reference = this.#builder.build(this.#featureNames);
        this.#builder = null;
      }
      reference = { rows: [0, row], completed };
    }
    const slices: WindowSlice[] = [];
    let current = this.#openWindow();
    if (current !== null && row < batch.count && current.source !== null && !sameSourcePartition(current.source, batch.source)) {
      this.#seal(current, 'source', Math.max(current.maxTs + 1, current.start + 1));
      current = null;
    }
    let sliceStart = row;
    for (let i = row; i < batch.count; i++) {
      const ts = batch.timestamps[i] as number;
      if (current !== null && ts >= this.#slotEnd(current.start)) {
        if (i > sliceStart) slices.push(this.#slice(current, sliceStart, i, true, rowSpan(batch, sliceStart, i)));
        this.#seal(current, 'time', this.#slotEnd(current.start));
        current = null;
      }
      if (current === null) {
        current = this.#open(ts);
        sliceStart = i;
      }
      current.eventCount++;
      if (ts > current.maxTs) current.maxTs = ts;
      if (current.eventCount >= this.#count) {
        slices.push(this.#slice(current, sliceStart, i + 1, true, rowSpan(batch, sliceStart, i + 1)));
        this.#seal(current, 'count', Math.max(current.maxTs + 1, current.start + 1));
        current = null;
        sliceStart = i + 1;
      }
    }
    if (current !== null && sliceStart < batch.count) slices.push(this.#slice(current, sliceStart, batch.count, false, rowSpan(batch, sliceStart, batch.count)));
    return { reference, slices, closed: this.#drain() };
  }

  /** Adds the pool's summaries of one slice; returns the windows that are now complete, in order. */
  addSummary(slice: Pick<WindowSlice, 'windowKey' | 'part'>, summaries: Summaries): ClosedWindow[] {
    const window = this.#windows.find((w) => w.key === slice.windowKey);
    if (window === undefined) {
      throw new VigilError('VIGIL_INTERNAL', `no window ${slice.windowKey} awaits summaries in ${this.modelId}@${this.modelVersion} (closed already, or another version's)`);
    }
    const { part } = slice;
    if (!Number.isSafeInteger(part) || part < window.mergedParts || part >= window.parts || window.waiting.has(part)) {
      throw new VigilError('VIGIL_INTERNAL', `slice ${part} of window ${slice.windowKey} was not handed out or was summarised already`);
    }
    const copy: Record<string, Uint8Array> = {};
    for (const [detector, bytes] of Object.entries(summaries)) {
      if (!(bytes instanceof Uint8Array)) throw new VigilError('VIGIL_INTERNAL', `summary of detector ${detector} for ${slice.windowKey} is not bytes`);
      copy[detector] = bytes.slice();
    }
    window.waiting.set(part, copy);
    for (let next = window.waiting.get(window.mergedParts); next !== undefined; next = window.waiting.get(window.mergedParts)) {
      window.waiting.delete(window.mergedParts);
      for (const detector of Object.keys(next).sort()) {
        const later = next[detector] as Uint8Array;
        const earlier = window.merged[detector];
        window.merged[detector] = earlier === undefined ? later : this.#merge(detector, earlier, later);
      }
      window.mergedParts++;
    }
    return this.#drain();
  }

  /**
   * The whole state, as deterministic bytes for the `vigil.state` changelog. Only at rest: every
   * slice handed out must have its summary (the engine snapshots after a batch's summaries are in).
   */
  snapshot(options: { readonly externalReference?: boolean } = {}): Uint8Array {
    if (this.pendingSlices > 0) {
      throw new VigilError('VIGIL_INTERNAL', `cannot snapshot ${this.modelId}@${this.modelVersion}: ${this.pendingSlices} slice(s) still await their summary`);
    }
    const open = this.#openWindow();
    const image: WindowStateImage = {
      modelId: this.modelId,
      modelVersion: this.modelVersion,
      featureNames: this.#featureNames,
      reference:
        this.#builder !== null
          ? { phase: 'collecting-reference', target: this.#builder.target, featureNames: this.#featureNames, columns: this.#builder.columns(this.#featureNames.length) }
          : options.externalReference
            ? { phase: 'ready', target: (this.#reference as ReferenceData).count, featureNames: (this.#reference as ReferenceData).featureNames, columns: EMPTY_COLUMNS, external: (this.#reference as ReferenceData).referenceId }
            : { phase: 'ready', target: (this.#reference as ReferenceData).count, featureNames: (this.#reference as ReferenceData).featureNames, columns: columnsOf(this.#reference as ReferenceData) },
      origin: this.#origin,
      nextStart: this.#nextStart,
      nextIndex: this.#nextIndex,
      open: open === null ? null : { index: open.index, start: open.start, eventCount: open.eventCount, maxTs: open.maxTs, parts: open.parts, source: sourceOf(open), summaries: open.merged },
    };
    return encodeWindowState(image);
  }

  /**
   * Replaces the whole state with a snapshot of this model version; throws VIGIL_INPUT_INVALID if
   * corrupt. A snapshot taken with `externalReference` needs `references` to find its reference.
   */
  restore(bytes: Uint8Array, references: (referenceId: string) => ReferenceData | undefined = () => undefined): void {
    const image = decodeWindowState(bytes, { modelId: this.modelId, modelVersion: this.modelVersion });
    const { reference } = image;
    const builder = reference.phase === 'collecting-reference' ? new ReferenceBuilder(reference.target, reference.columns) : null;
    let data: ReferenceData | null = null;
    if (reference.external !== undefined) {
      data = references(reference.external) ?? null;
      if (data === null) {
        throw new VigilError('VIGIL_INPUT_INVALID', `window snapshot of ${this.modelId}@${this.modelVersion} refers to reference ${reference.external}, which is not available`);
      }
    } else if (builder === null) {
      data = referenceFromColumns(reference.featureNames, reference.columns);
    }
    this.#builder = builder;
    this.#reference = data;
    this.#featureNames = [...image.featureNames];
    this.#origin = image.origin;
    this.#nextStart = image.nextStart;
    this.#nextIndex = image.nextIndex;
    this.#windows = [];
    if (image.open !== null) {
      const o = image.open;
      this.#windows.push({
        index: o.index, key: this.#key(o.index), start: o.start, eventCount: o.eventCount, maxTs: o.maxTs, source: o.source,
        parts: o.parts, mergedParts: o.parts, merged: { ...o.summaries }, waiting: new Map(), closedBy: null, end: 0,
      });
    }
  }

  #key(index: number): string {
    return `${this.modelId}/${this.modelVersion}/w${index}`;
  }

  #openWindow(): Window | null {
    const last = this.#windows[this.#windows.length - 1];
    return last !== undefined && last.closedBy === null ? last : null;
  }

  #slotEnd(start: number): number {
    const origin = this.#origin ?? start;
    return origin + (Math.floor((start - origin) / this.#timeMs) + 1) * this.#timeMs;
  }

  #open(ts: number): Window {
    if (this.#origin === null) this.#origin = ts;
    const slotStart = this.#origin + Math.floor((ts - this.#origin) / this.#timeMs) * this.#timeMs;
    const start = Math.max(this.#nextStart ?? slotStart, slotStart);
    const index = this.#nextIndex++;
    const window: Window = {
      index, key: this.#key(index), start, eventCount: 0, maxTs: Number.NEGATIVE_INFINITY, source: null,
      parts: 0, mergedParts: 0, merged: {}, waiting: new Map(), closedBy: null, end: 0,
    };
    this.#windows.push(window);
    return window;
  }

  #seal(window: Window, reason: CloseReason, end: number): void {
    window.closedBy = reason;
    window.end = end;
    this.#nextStart = end;
  }

  #slice(window: Window, start: number, end: number, closesWindow: boolean, source: SourceSpan): WindowSlice {
    window.source = widenSpan(window.source, source);
    return { windowKey: window.key, windowIndex: window.index, part: window.parts++, rows: [start, end], closesWindow };
  }

  #drain(): ClosedWindow[] {
    const closed: ClosedWindow[] = [];
    for (let w = this.#windows[0]; w !== undefined && w.closedBy !== null && w.mergedParts === w.parts; w = this.#windows[0]) {
      this.#windows.shift();
      const summaries: Record<string, Uint8Array> = {};
      for (const detector of Object.keys(w.merged).sort()) summaries[detector] = w.merged[detector] as Uint8Array;
      closed.push(Object.freeze({
        modelId: this.modelId, modelVersion: this.modelVersion, windowKey: w.key, windowIndex: w.index,
        windowStart: w.start, windowEnd: w.end, eventCount: w.eventCount, closedBy: w.closedBy,
        featureNames: Object.freeze([...this.#featureNames]), source: sourceOf(w), summaries: Object.freeze(summaries),
      }));
    }
    return closed;
  }

  /** Everything that could make the state inconsistent is checked before anything changes. */
  #check(batch: ColumnarBatch): void {
    const where = `${batch.modelId}@${batch.modelVersion}`;
    if (batch.modelId !== this.modelId || batch.modelVersion !== this.modelVersion) {
      throw new VigilError('VIGIL_INTERNAL', `batch of ${where} sent to the windows of ${this.modelId}@${this.modelVersion}`);
    }
    const n = batch.count;
    const bad = (why: string): VigilError => new VigilError('VIGIL_INPUT_INVALID', `batch of ${where} is inconsistent: ${why}`, { details: { modelId: this.modelId } });
    if (!Number.isSafeInteger(n) || n < 0) throw bad(`count ${n}`);
    if (batch.featureCount !== batch.featureNames.length) throw bad(`featureCount ${batch.featureCount} but ${batch.featureNames.length} feature names`);
    if (batch.features.length !== n * batch.featureCount) throw bad(`features holds ${batch.features.length} values, not ${n} x ${batch.featureCount}`);
    for (const [name, column] of [['timestamps', batch.timestamps], ['scores', batch.scores], ['latencies', batch.latencies], ['statuses', batch.statuses]] as const) {
      if (column.length !== n) throw bad(`${name} holds ${column.length} values, not ${n}`);
    }
    const known = this.#featureNames;
    for (let f = 0; f < Math.min(known.length, batch.featureNames.length); f++) {
      if (known[f] !== batch.featureNames[f]) throw bad(`feature ${f} is ${JSON.stringify(batch.featureNames[f])}, earlier ${JSON.stringify(known[f])} (names may only be appended)`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isSafeInteger(batch.timestamps[i])) throw bad(`row ${i} has timestamp ${batch.timestamps[i]}, not an integer of milliseconds`);
    }
    const { source } = batch;
    if (!isOffset(source.firstOffset) || !isOffset(source.lastOffset) || BigInt(source.firstOffset) > BigInt(source.lastOffset)) {
      throw bad(`source offsets ${source.firstOffset}..${source.lastOffset}`);
    }
  }
}

/** The offsets of rows [start, end) of a batch (rows are in offset order). */
function rowSpan(batch: ColumnarBatch, start: number, end: number): SourceSpan {
  const first = batch.offsets[start];
  const last = batch.offsets[end - 1];
  if (first === undefined || last === undefined) return batch.source;
  return { topic: batch.source.topic, partition: batch.source.partition, firstOffset: first, lastOffset: last };
}

/** Every window has at least one slice, hence a source; anything else is a bug worth stopping on. */
function sourceOf(window: Window): SourceSpan {
  if (window.source === null) throw new VigilError('VIGIL_INTERNAL', `window ${window.key} has no source span`);
  return window.source;
}

const EMPTY_COLUMNS: WindowStateImage['reference']['columns'] = Object.freeze({
  count: 0,
  features: [],
  scores: new Float64Array(0),
  latencies: new Float64Array(0),
  statuses: new Uint8Array(0),
  timestamps: new Float64Array(0),
  source: null,
});

/** A ready reference alone, as bytes for the changelog (the snapshot format with no window). */
export function encodeReference(modelId: string, modelVersion: string, reference: ReferenceData): Uint8Array {
  return encodeWindowState({
    modelId,
    modelVersion,
    featureNames: reference.featureNames,
    reference: { phase: 'ready', target: reference.count, featureNames: reference.featureNames, columns: columnsOf(reference) },
    origin: null,
    nextStart: null,
    nextIndex: 0,
    open: null,
  });
}

export function decodeReference(bytes: Uint8Array, modelId: string, modelVersion: string): ReferenceData {
  const image = decodeWindowState(bytes, { modelId, modelVersion });
  if (image.reference.phase !== 'ready' || image.reference.external !== undefined) {
    throw new VigilError('VIGIL_INPUT_INVALID', `reference record of ${modelId}@${modelVersion} holds no ready reference`);
  }
  return referenceFromColumns(image.reference.featureNames, image.reference.columns);
}

function columnsOf(reference: ReferenceData): WindowStateImage['reference']['columns'] {
  const n = reference.count;
  const features: Float64Array[] = [];
  for (let f = 0; f < reference.featureCount; f++) features.push(reference.features.subarray(f * n, (f + 1) * n));
  const optional = optionalOf(reference);
  return {
    count: n, features, scores: reference.scores, latencies: reference.latencies, statuses: reference.statuses, timestamps: reference.timestamps, source: reference.source,
    ...(Object.keys(optional).length > 0 ? { optional } : {}),
  };
}
