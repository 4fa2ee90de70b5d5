/**
 * Types of the per-model-version window state. The window module never computes statistics: the
 * detectors (in the pool) encode a summary per slice of rows, and the window merges them with a
 * callback it is given, in slice order, so the merged bytes do not depend on which task finished first.
 */
import type { NumericColumns, SourceSpan } from '../../contracts/batch.js';

/** Encoded per-detector summaries of some rows, by detector name. */
export type Summaries = Readonly<Record<string, Uint8Array>>;

/** Merges the summary of later rows into that of earlier rows (for one detector); returns the result. */
export type MergeSummaries = (detector: string, earlier: Uint8Array, later: Uint8Array) => Uint8Array;

/** Rows `[start, end)` of a batch. */
export type RowRange = readonly [start: number, end: number];

export type WindowPhase = 'collecting-reference' | 'ready';

/** Why a window closed. */
export type CloseReason =
  /** it reached `count` events */
  | 'count'
  /** an event at or after windowStart + timeMs arrived */
  | 'time'
  /** events of the version arrived from another topic-partition (a window never spans two) */
  | 'source';

/** Rows of one batch that belong to one window; the pool summarises them, then `addSummary`. */
export interface WindowSlice {
  /** Identifies the window within this model version (`<modelId>/<modelVersion>/w<index>`). */
  readonly windowKey: string;
  /** Position of the window since the version's reference completed, from 0. */
  readonly windowIndex: number;
  /** Position of this slice within its window, from 0: summaries are merged in this order. */
  readonly part: number;
  readonly rows: RowRange;
  /** The window is sealed at the end of this slice (it still closes only once every summary is in). */
  readonly closesWindow: boolean;
}

/** A window whose rows are all assigned and whose summaries are all merged. */
export interface ClosedWindow {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly windowKey: string;
  readonly windowIndex: number;
  /** Inclusive, event time (ms). Strictly increasing from one window to the next. */
  readonly windowStart: number;
  /** Exclusive, event time (ms). */
  readonly windowEnd: number;
  readonly eventCount: number;
  readonly closedBy: CloseReason;
  /** The version's feature index when the window closed (summaries refer to columns by this index). */
  readonly featureNames: readonly string[];
  /**
   * Offsets spanning the window's events: from the first offset of the first batch that contributed
   * to the last offset of the last one (a batch split between windows is counted in both).
   */
  readonly source: SourceSpan;
  readonly summaries: Summaries;
}

/** What `assign` did with a batch. */
export interface Assignment {
  /** Rows taken into the reference, and whether they completed it (then `reference()` is set). */
  readonly reference: { readonly rows: RowRange; readonly completed: boolean } | null;
  /** Rows assigned to windows, in row order; summarise each and pass it to `addSummary`. */
  readonly slices: readonly WindowSlice[];
  /**
   * Windows this batch closed whose summaries were already all merged (a window closed by time when
   * this batch's first event lies past its end). Other windows close from `addSummary`.
   */
  readonly closed: readonly ClosedWindow[];
}

/** The raw reference rows of a model version: what its reference profile is computed from. */
export interface ReferenceData extends NumericColumns {
  /** SHA-256 (hex) of the reference's content: the `referenceId` of alerts. */
  readonly referenceId: string;
  /** Names of the feature columns, `featureCount` of them. */
  readonly featureNames: readonly string[];
  /** Where the rows were read from; null when they came from a file. */
  readonly source: SourceSpan | null;
}

export interface WindowOptions {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly windows: { readonly count: number; readonly timeMs: number };
  /** Events in the reference (the first N after the version starts serving). */
  readonly referenceEvents: number;
  /** A reference given up front (from `reference.file`): the state starts `ready`. */
  readonly reference?: ReferenceData;
  readonly merge: MergeSummaries;
}
