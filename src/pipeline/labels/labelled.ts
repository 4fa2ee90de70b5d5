/**
 * The labelled stream of a partition: inference events of the models that watch their performance
 * wait (bounded, by event time) for their delayed ground truth from `vigil.labels`, or the label waits
 * for its event; each pair that meets becomes a row of a labelled batch (the event's prediction, score
 * and class probabilities, with its label) that the engine windows and scores like any batch, with
 * the detectors that read labels.
 *
 * Rows cite the offsets of their inference events, in offset order within a batch, so a labelled
 * window's evidence points at the events it judged. Join keys carry the model id: eventIds are unique
 * per model, not across models.
 */
import type { ColumnarBatch } from '../../contracts/batch.js';
import type { GroundTruth } from '../../contracts/records.js';
import type { DecodedLabel } from './decode.js';
import { LabelJoin, type LabelJoinCounts, type LabelJoinOptions } from './join.js';

/** What is kept of an event while it waits for its label. */
export interface EventPayload {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly offset: string;
  readonly score: number;
  readonly predicted: string | null;
  readonly probabilities: readonly (readonly [string, number])[] | null;
}

export interface JoinedRow {
  readonly eventId: string;
  readonly eventTime: number;
  readonly payload: EventPayload;
  readonly label: number | string;
}

function joinKey(modelId: string, eventId: string): string {
  return `${modelId.length}:${modelId}${eventId}`;
}

export class LabelledStream {
  readonly #join: LabelJoin<EventPayload & { readonly eventId: string }>;

  constructor(options: LabelJoinOptions = {}) {
    this.#join = new LabelJoin(options);
  }

  counts(): LabelJoinCounts {
    return this.#join.counts();
  }

  /** Offers the rows of a decoded batch; returns the rows whose label was already waiting. */
  offerEvents(batch: ColumnarBatch): JoinedRow[] {
    const joined: JoinedRow[] = [];
    const predicted = batch.predicted;
    const probabilities = batch.classProbabilities;
    for (let i = 0; i < batch.count; i++) {
      const code = predicted?.codes[i] ?? -1;
      let probs: [string, number][] | null = null;
      if (probabilities !== undefined) {
        for (let c = 0; c < probabilities.classes.length; c++) {
          const p = probabilities.values[c * batch.count + i]!;
          if (!Number.isNaN(p)) (probs ??= []).push([probabilities.classes[c]!, p]);
        }
      }
      const eventId = batch.eventIds[i]!;
      const payload = {
        eventId,
        modelId: batch.modelId,
        modelVersion: batch.modelVersion,
        offset: batch.offsets[i]!,
        score: batch.scores[i]!,
        predicted: code >= 0 ? predicted!.values[code]! : null,
        probabilities: probs,
      };
      const pair = this.#join.offerEvent(joinKey(batch.modelId, eventId), batch.timestamps[i]!, payload);
      if (pair !== null) joined.push({ eventId, eventTime: pair.eventTime, payload: pair.payload, label: pair.label });
    }
    return joined;
  }

  /** Offers decoded labels, in order; returns the pairs made with waiting events. */
  offerLabels(labels: readonly DecodedLabel[]): JoinedRow[] {
    const joined: JoinedRow[] = [];
    for (const { label } of labels) {
      const keyed: GroundTruth = { ...label, eventId: joinKey(label.modelId, label.eventId) };
      const pair = this.#join.offerLabel(keyed);
      if (pair !== null) joined.push({ eventId: pair.payload.eventId, eventTime: pair.eventTime, payload: pair.payload, label: pair.label });
    }
    return joined;
  }
}

/**
 * Joined rows as columnar batches, one per model version (in order of first appearance), rows in
 * the offset order of their events. A batch has no feature columns: scores, predicted classes, class
 * probabilities and labels are what the performance detectors read.
 */
export function labelledBatches(rows: readonly JoinedRow[], source: { readonly topic: string; readonly partition: number }): ColumnarBatch[] {
  const groups = new Map<string, JoinedRow[]>();
  for (const row of rows) {
    const key = `${row.payload.modelId.length}:${row.payload.modelId}${row.payload.modelVersion}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(row);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => {
      const d = BigInt(a.payload.offset) - BigInt(b.payload.offset);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    });
    const n = sorted.length;
    const predictedValues: string[] = [];
    const predictedCodes = new Int32Array(n).fill(-1);
    const labelValues: string[] = [];
    const labelCodes = new Int32Array(n).fill(-1);
    const numeric = new Float64Array(n).fill(Number.NaN);
    const classes: string[] = [];
    const classIndex = new Map<string, number>();
    const code = (values: string[], value: string): number => {
      const at = values.indexOf(value);
      if (at >= 0) return at;
      values.push(value);
      return values.length - 1;
    };
    sorted.forEach((row, i) => {
      if (row.payload.predicted !== null) predictedCodes[i] = code(predictedValues, row.payload.predicted);
      if (typeof row.label === 'number') numeric[i] = row.label;
      else labelCodes[i] = code(labelValues, row.label);
      for (const [name] of row.payload.probabilities ?? []) {
        if (!classIndex.has(name)) {
          classIndex.set(name, classes.length);
          classes.push(name);
        }
      }
    });
    const probabilities = new Float64Array(classes.length * n).fill(Number.NaN);
    sorted.forEach((row, i) => {
      for (const [name, p] of row.payload.probabilities ?? []) probabilities[classIndex.get(name)! * n + i] = p;
    });
    const first = sorted[0]!.payload;
    const offsets = sorted.map((r) => r.payload.offset);
    return {
      count: n,
      featureCount: 0,
      features: new Float64Array(0),
      scores: Float64Array.from(sorted, (r) => r.payload.score),
      latencies: new Float64Array(n).fill(Number.NaN),
      statuses: new Uint8Array(n),
      timestamps: Float64Array.from(sorted, (r) => r.eventTime),
      ...(predictedValues.length > 0 ? { predicted: { codes: predictedCodes, values: predictedValues } } : {}),
      ...(classes.length > 0 ? { classProbabilities: { classes, values: probabilities } } : {}),
      labels: { numeric, classes: { codes: labelCodes, values: labelValues } },
      modelId: first.modelId,
      modelVersion: first.modelVersion,
      featureNames: [],
      eventIds: sorted.map((r) => r.eventId),
      offsets,
      source: { topic: source.topic, partition: source.partition, firstOffset: offsets[0]!, lastOffset: offsets[n - 1]! },
    };
  });
}
