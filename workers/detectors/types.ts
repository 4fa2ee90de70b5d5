/**
 * The one interface every window detector implements (drift, performance, anomaly, hallucination).
 *
 * A detector works in three steps, so batches can be processed in parallel and windows can be kept in
 * a Kafka changelog:
 *   1. `summarize` one batch into a Summary: a small, mergeable partial made only of Float64Arrays, so
 *      it crosses threads by transfer and encodes to bytes without a schema;
 *   2. `merge` summaries of batches of the same window (associative, with `empty` as the identity);
 *   3. `score` the merged summary of a window against the reference.
 * `test/unit/workers/detectors/contract.test.ts` checks these laws for every registered detector.
 */
import type { NumericColumns } from '../../src/contracts/batch.js';
import type { AlertKind } from '../../src/contracts/records.js';
import type { ReferenceProfile } from './reference.js';

export type { ReferenceProfile } from './reference.js';

/** The alert kinds a window detector can raise (the others come from governance and the engine). */
export type DetectorKind = Extract<AlertKind, 'DRIFT' | 'PERFORMANCE' | 'ANOMALY' | 'HALLUCINATION'>;

/**
 * A detector's partial result: named Float64Array sections (counts stay exact up to 2^53). Plain
 * typed arrays only, so a summary can be transferred between threads and encoded section by section.
 */
export type Summary = { readonly [section: string]: Float64Array };

/** Detector parameters after validation: flat, JSON-like, frozen. */
export type DetectorParams = { readonly [name: string]: number | string | boolean };

/** One statistic of a window. `feature` is null when the score is about the model as a whole. */
export interface DetectorScore {
  /** The detector's id. */
  detector: string;
  /** Name of the feature scored, from the reference's feature index; null for model-level scores. */
  feature: string | null;
  /** The statistic, in the detector's units; always finite. */
  score: number;
  /** How the score was obtained, as strings (goes into Alert.evidence). */
  evidence: Record<string, string>;
}

export interface WindowDetector<S extends Summary = Summary, P extends DetectorParams = DetectorParams> {
  /** Stable id, used in configuration, the registry, DetectorScore.detector and state keys. */
  readonly id: string;
  readonly kind: DetectorKind;
  /** Format version of `encode`'s bytes (StateRecord.version); bump it when the layout changes. */
  readonly stateVersion: number;
  /** One line for documentation and the admin API. */
  readonly description: string;
  /**
   * Which rows the detector judges: `events` (default), the inference events as they arrive, or
   * `labelled`, the events joined with their delayed ground truth from `vigil.labels` (performance).
   */
  readonly stream?: 'events' | 'labelled';
  /**
   * Default alert thresholds on `score` (configuration may override them). Scores are oriented so
   * that higher is always worse (a p-value is reported as 1 - p or -log10 p), and a score at or above
   * a threshold crosses it. Without thresholds a detector only reports, it never alerts by itself.
   */
  readonly thresholds?: { readonly warning: number; readonly critical: number };
  /**
   * Optional: the id of another detector whose configured parameters this one takes as defaults
   * (its own configured parameters win), for a detector that reuses another's per-event score with
   * the same settings. It must accept every parameter of that detector.
   */
  readonly paramsFrom?: string;
  /**
   * Validated parameters from configuration: defaults for missing keys, unknown keys and bad values
   * rejected with a RangeError naming the parameter. `undefined` means all defaults.
   */
  parseParams(raw: Readonly<Record<string, unknown>> | undefined): P;
  /** The summary of no events: the identity of `merge`. */
  empty(reference: ReferenceProfile, params: P): S;
  /**
   * Summarizes one batch. The batch may have more feature columns than the reference (the feature
   * index only appends); columns beyond the reference are ignored. Never mutates `columns`.
   */
  summarize(columns: NumericColumns, reference: ReferenceProfile, params: P): S;
  /** Combines two summaries of the same reference into a new one; associative; inputs untouched. */
  merge(a: S, b: S): S;
  /** Scores a (merged) window summary; only finite scores are returned, in feature order. */
  score(summary: S, reference: ReferenceProfile, params: P): DetectorScore[];
  /** The summary as bytes for the state changelog. */
  encode(summary: S): Uint8Array;
  /** The inverse of `encode`; throws a RangeError on bytes that are not a valid summary of this detector. */
  decode(bytes: Uint8Array): S;
  /**
   * Optional: what this detector needs from the reference data beyond the shared profile (sorted
   * samples, category frequencies, a covariance, trees, an embedding sample). Computed once from the
   * reference batch when the profile is built, deterministic for the same columns and params, then
   * read-only: `summarize` and `score` find it at `reference.detectorData[id]`.
   */
  prepareReference?(columns: NumericColumns, reference: ReferenceProfile, params: P): Summary;
}

/** One event an EventDetector flags: the row in the batch, its score in [0, 1], and why. */
export interface FlaggedEvent {
  readonly row: number;
  readonly score: number;
  readonly evidence: Record<string, string>;
}

/** Per-event scores of one batch. */
export interface EventScores {
  /** One value per row in [0, 1] (higher = riskier); NaN where the detector does not apply to the row. */
  readonly scores: Float64Array;
  /** Rows at or over the detector's threshold, in row order, each with its per-signal evidence. */
  readonly flagged: readonly FlaggedEvent[];
}

/**
 * A detector that scores every event of a batch on its own (anomalies, hallucination risk), as
 * opposed to a window's distribution. It runs in the pool over whole batches like a window detector;
 * the engine turns flagged events into alerts and tracks the flagged rate per window.
 */
export interface EventDetector<P extends DetectorParams = DetectorParams> {
  readonly id: string;
  readonly kind: Extract<DetectorKind, 'ANOMALY' | 'HALLUCINATION'>;
  readonly description: string;
  /** As WindowDetector.thresholds, on the per-event score in [0, 1]. */
  readonly thresholds?: { readonly warning: number; readonly critical: number };
  parseParams(raw: Readonly<Record<string, unknown>> | undefined): P;
  /** As WindowDetector.prepareReference; stored at `reference.detectorData[id]`. */
  prepareReference?(columns: NumericColumns, reference: ReferenceProfile, params: P): Summary;
  /** Scores every row; never mutates `columns`; rows it cannot score get NaN, never a throw. */
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: P): EventScores;
}

export type AnyEventDetector = EventDetector<DetectorParams>;

/** A detector of any summary and parameter type, as held by the registry. */
export type AnyWindowDetector = WindowDetector<Summary, DetectorParams>;
