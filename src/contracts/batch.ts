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
  /*
   * The columns below are optional: a stage fills those its model's detectors read. A detector that
   * needs one and does not find it scores nothing (it never throws on a batch without it).
   */
  /** `categorical`: one coded column per categorical feature. */
  readonly categorical?: CategoricalColumns;
  /** `embedding`: the input embeddings. */
  readonly embedding?: VectorColumn;
  /** `predictedClass`, coded. */
  readonly predicted?: CodedColumn;
  /** `classProbabilities`, one column per class. */
  readonly classProbabilities?: ClassProbabilityColumns;
  /** Ground truth from `vigil.labels`, joined by eventId (absent until a label arrives). */
  readonly labels?: LabelColumns;
  /** `llm`, one trace per row (null for rows without one). Structured-cloned, not transferred. */
  readonly llm?: readonly (LlmTrace | null)[];
}

/** A string column coded against a dictionary: row i has `values[codes[i]]`, or nothing where the code is -1. */
export interface CodedColumn {
  readonly codes: Int32Array;
  readonly values: readonly string[];
}

/**
 * Categorical inputs, column-major: feature `f` (named `names[f]`) of row `i` is
 * `dictionaries[f][codes[f * count + i]]`, absent where the code is -1. Dictionaries are per batch
 * (codes are not comparable across batches; compare the strings).
 */
export interface CategoricalColumns {
  readonly names: readonly string[];
  readonly codes: Int32Array;
  readonly dictionaries: readonly (readonly string[])[];
}

/**
 * Vectors of one dimension, row-major: row `i` is `values[i * dim .. (i + 1) * dim)`. Rows without a
 * vector (or with one of another dimension) have `present[i] = 0` and NaN values.
 */
export interface VectorColumn {
  readonly dim: number;
  readonly values: Float32Array;
  readonly present: Uint8Array;
}

/** Class probabilities, column-major: class `c` of row `i` at `values[c * count + i]`, NaN where absent. */
export interface ClassProbabilityColumns {
  readonly classes: readonly string[];
  readonly values: Float64Array;
}

/** Joined ground truth: a numeric label (NaN where none) and/or a class label (code -1 where none). */
export interface LabelColumns {
  readonly numeric: Float64Array;
  readonly classes: CodedColumn;
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
  /** The `vigil.env.hash` attribute of each row, null where the event has none. */
  readonly envHashes?: readonly (string | null)[];
  readonly attributes?: readonly Readonly<Record<string, string>>[];
  readonly source: SourceSpan;
}

/** The typed arrays of a NumericColumns value, for a `transferList`. */
export function transferablesOf(columns: NumericColumns): ArrayBuffer[] {
  return [columns.features, columns.scores, columns.latencies, columns.statuses, columns.timestamps]
    .map((a) => a.buffer)
    .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
