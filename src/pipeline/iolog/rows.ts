/**
 * The I/O log of a partition's batches: each event the model's I/O log settings select (sampled by
 * its id, or always when it raised an alert) is rebuilt from its batch row, redacted and encrypted by
 * the I/O log builder, and written to `vigil.iolog` in the batch's transaction.
 *
 * A batch row carries what the log needs: ids, time, model version, caller and endpoint, features
 * (absent ones left out), categorical inputs, embedding, score, predicted class, class probabilities,
 * latency, status and the LLM trace. Free-form attributes are not carried by batches and are not logged.
 */
import { STATUS_CODE, type ColumnarBatch } from '../../contracts/batch.js';
import type { InferenceEvent, InferenceStatus, IoLogRecord } from '../../contracts/records.js';
import type { IoLogBuilder } from '../../iolog/builder.js';

const STATUS_OF: readonly InferenceStatus[] = (Object.entries(STATUS_CODE) as [InferenceStatus, number][]).sort((a, b) => a[1] - b[1]).map(([s]) => s);

/** Row `i` of a batch as the InferenceEvent it was decoded from (less its attributes). */
export function eventOfRow(batch: ColumnarBatch, i: number): InferenceEvent {
  const n = batch.count;
  const features: Record<string, number> = {};
  for (let f = 0; f < batch.featureCount; f++) {
    const v = batch.features[f * n + i]!;
    if (!Number.isNaN(v)) features[batch.featureNames[f]!] = v;
  }
  const categorical: Record<string, string> = {};
  const c = batch.categorical;
  if (c !== undefined) {
    c.names.forEach((name, f) => {
      const code = c.codes[f * n + i]!;
      if (code >= 0) categorical[name] = c.dictionaries[f]![code]!;
    });
  }
  const e = batch.embedding;
  const p = batch.classProbabilities;
  let classProbabilities: Record<string, number> | null = null;
  if (p !== undefined) {
    p.classes.forEach((name, k) => {
      const v = p.values[k * n + i]!;
      if (!Number.isNaN(v)) (classProbabilities ??= {})[name] = v;
    });
  }
  const predictedCode = batch.predicted?.codes[i] ?? -1;
  const score = batch.scores[i]!;
  return {
    eventId: batch.eventIds[i]!,
    timestamp: batch.timestamps[i]!,
    modelId: batch.modelId,
    modelVersion: batch.modelVersion,
    endpoint: batch.endpoints?.[i] ?? null,
    principal: batch.principals?.[i] ?? '',
    features,
    categorical,
    embedding: e !== undefined && e.present[i] === 1 ? Array.from(e.values.subarray(i * e.dim, (i + 1) * e.dim)) : null,
    score: Number.isNaN(score) ? null : score,
    predictedClass: predictedCode >= 0 ? batch.predicted!.values[predictedCode]! : null,
    classProbabilities,
    latencyMs: batch.latencies[i]!,
    status: STATUS_OF[batch.statuses[i]!] ?? 'OK',
    llm: batch.llm?.[i] ?? null,
    attributes: {},
  };
}

/** The I/O log records of a batch's selected events, in row order. */
export async function ioLogRecords(builder: IoLogBuilder, batch: ColumnarBatch, alerted: ReadonlySet<string>): Promise<IoLogRecord[]> {
  const records: IoLogRecord[] = [];
  for (let i = 0; i < batch.count; i++) {
    const eventId = batch.eventIds[i]!;
    const reason = builder.decide({ modelId: batch.modelId, eventId }, alerted.has(eventId));
    if (reason !== null) records.push(await builder.record(eventOfRow(batch, i), reason));
  }
  return records;
}
