/**
 * The columnar batch: events of one model version packed column by column into typed arrays. The
 * numeric columns are what crosses into the worker pool (transferred, never cloned); the string
 * columns stay on the main thread.
 */
import type { InferenceStatus, LlmTrace } from './records.js';

/** Status codes in the `statuses` column, in the order of the Avro enum. */
export const STATUS_CODE: Readonly<Record<InferenceStatus, number>> = Object.freeze({ OK: 0, ERROR: 1, TIMEOUT: 2, FALLBACK: 3 });

/** The typed-array part of a batch: plain data, safe to transfer to a worker thread. */
export interface NumericColumns {
  /** Number of events (rows). */
  readonly count: number;
  /** Number of feature columns; the names are the model version's feature index, in order. */
  readonly featureCount: number;
  /**
   * Column-major feature matrix: the value of feature `f` for row `i` is `features[f * count + i]`.
   * NaN where the event does not carry the feature.
   */
  readonly features: Float64Array;
  /** `score`, NaN where null. */
  readonly scores: Float64Array;
  /** `latencyMs`. */
  readonly latencies: Float64Array;
  /** `status` as STATUS_CODE. */
  readonly statuses: Uint8Array;
  /** `timestamp`, epoch milliseconds. */
  readonly timestamps: Float64Array;
}

/** Where a batch's events came from, so a window's evidence can be replayed. */
export interface SourceSpan {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
}

export interface ColumnarBatch extends NumericColumns {
  readonly modelId: string;
  readonly modelVersion: string;
  /** The feature index of the model version at the time the batch was built (prefix-stable: names only get appended). */
  readonly featureNames: readonly string[];
  readonly eventIds: readonly string[];
  /** Kafka offset of each row (rows are in offset order): windows cite exactly the offsets of their events. */
  readonly offsets: readonly string[];
  /**
   * The string and LLM columns, when the stage that built the batch carries them (the pooled decoder
   * leaves them in the pool thread: no detector of the main thread reads them).
   */
  readonly principals?: readonly string[];
  readonly endpoints?: readonly (string | null)[];
  readonly predictedClasses?: readonly (string | null)[];
  readonly llm?: readonly (LlmTrace | null)[];
  readonly attributes?: readonly Readonly<Record<string, string>>[];
  readonly source: SourceSpan;
}

/** The typed arrays of a NumericColumns value, for a `transferList`. */
export function transferablesOf(columns: NumericColumns): ArrayBuffer[] {
  return [columns.features, columns.scores, columns.latencies, columns.statuses, columns.timestamps]
    .map((a) => a.buffer)
    .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
