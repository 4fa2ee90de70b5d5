/**
 * The in-thread batch packer of the reference decode stage: groups decoded InferenceEvent objects by
 * source partition and model version and packs them column-wise (the engine packs in the pool,
 * workers/decode/groups.ts).
 */
import { VigilError } from '../../../src/errors.js';
import { STATUS_CODE } from '../../../src/contracts/batch.js';
import type { ColumnarBatch } from '../../../src/contracts/batch.js';
import type { InferenceEvent, LlmTrace } from '../../../src/contracts/records.js';
import type { FeatureCatalog, FeatureIndex } from '../../../src/pipeline/decode/columnar.js';

/** Where a record was read from. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

interface Group {
  readonly topic: string;
  readonly partition: number;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly index: FeatureIndex;
  readonly events: InferenceEvent[];
  readonly offsets: string[];
}

/**
 * Collects the events of one input batch and packs them. A ColumnarBatch has one source span, so
 * events are grouped by (topic, partition, modelId, modelVersion); groups come out in order of first
 * appearance, rows in input order, which keeps the output deterministic.
 */
export class BatchBuilder {
  readonly #catalog: FeatureCatalog;
  readonly #groups = new Map<string, Group>();
  #count = 0;

  constructor(catalog: FeatureCatalog) {
    this.#catalog = catalog;
  }

  /** Events added so far. */
  get size(): number {
    return this.#count;
  }

  /** Adds a valid event; returns the error (VIGIL_DECODE_OVERSIZED) when it must be dead-lettered instead. */
  add(event: InferenceEvent, position: RecordPosition): VigilError | undefined {
    const { modelId, modelVersion } = event;
    const index = this.#catalog.indexFor(modelId, modelVersion);
    if (index instanceof VigilError) return index;
    const error = index.admit(event.features, this.#catalog.options.maxFeatureNameLength, `${modelId}@${modelVersion}`);
    if (error !== undefined) return error;
    const { topic, partition } = position;
    // Length-prefixed parts: unambiguous whatever characters the ids contain.
    const key = `${topic.length}:${topic}${partition}:${modelId.length}:${modelId}${modelVersion}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { topic, partition, modelId, modelVersion, index, events: [], offsets: [] };
      this.#groups.set(key, group);
    }
    group.events.push(event);
    group.offsets.push(position.offset);
    this.#count++;
    return undefined;
  }

  /** Packs every group into one or more batches (split so no feature matrix passes `maxBatchCells`). */
  build(): ColumnarBatch[] {
    const out: ColumnarBatch[] = [];
    const maxCells = this.#catalog.options.maxBatchCells;
    for (const group of this.#groups.values()) {
      const names = group.index.names();
      const rowsPerBatch = Math.max(1, Math.floor(maxCells / Math.max(1, names.length)));
      for (let from = 0; from < group.events.length; from += rowsPerBatch) {
        out.push(pack(group, names, from, Math.min(group.events.length, from + rowsPerBatch)));
      }
    }
    return out;
  }
}

function pack(group: Group, names: readonly string[], from: number, to: number): ColumnarBatch {
  const count = to - from;
  const featureCount = names.length;
  const features = new Float64Array(featureCount * count).fill(Number.NaN);
  const scores = new Float64Array(count);
  const latencies = new Float64Array(count);
  const statuses = new Uint8Array(count);
  const timestamps = new Float64Array(count);
  const eventIds: string[] = new Array<string>(count);
  const principals: string[] = new Array<string>(count);
  const endpoints: (string | null)[] = new Array<string | null>(count);
  const predictedClasses: (string | null)[] = new Array<string | null>(count);
  const llm: (LlmTrace | null)[] = new Array<LlmTrace | null>(count);
  const attributes: Record<string, string>[] = new Array<Record<string, string>>(count);
  const index = group.index;
  for (let row = 0; row < count; row++) {
    const event = group.events[from + row]!;
    const values = event.features;
    for (const name in values) {
      // Every name was admitted before the row was added, so the column exists and is < featureCount.
      features[index.columnOf(name)! * count + row] = values[name]!;
    }
    scores[row] = event.score ?? Number.NaN;
    latencies[row] = event.latencyMs;
    statuses[row] = STATUS_CODE[event.status];
    timestamps[row] = event.timestamp;
    eventIds[row] = event.eventId;
    principals[row] = event.principal;
    endpoints[row] = event.endpoint;
    predictedClasses[row] = event.predictedClass;
    llm[row] = event.llm;
    attributes[row] = event.attributes;
  }
  return {
    count,
    featureCount,
    features,
    scores,
    latencies,
    statuses,
    timestamps,
    modelId: group.modelId,
    modelVersion: group.modelVersion,
    featureNames: names,
    eventIds,
    offsets: group.offsets.slice(from, to),
    principals,
    endpoints,
    predictedClasses,
    llm,
    attributes,
    // Records of one partition arrive in offset order, so input order gives the span.
    source: { topic: group.topic, partition: group.partition, firstOffset: group.offsets[from]!, lastOffset: group.offsets[to - 1]! },
  };
}
