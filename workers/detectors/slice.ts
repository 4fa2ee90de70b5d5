/** Rows `[start, end)` of a columnar batch as a fresh NumericColumns (own buffers, safe to transfer). */
import type { NumericColumns } from '../../src/contracts/batch.js';
import { sliceOptional } from './optional.js';

export function sliceColumns(batch: NumericColumns, start: number, end: number): NumericColumns {
  const count = end - start;
  const features = new Float64Array(count * batch.featureCount);
  for (let f = 0; f < batch.featureCount; f++) {
    features.set(batch.features.subarray(f * batch.count + start, f * batch.count + end), f * count);
  }
  return {
    count,
    featureCount: batch.featureCount,
    features,
    scores: batch.scores.slice(start, end),
    latencies: batch.latencies.slice(start, end),
    statuses: batch.statuses.slice(start, end),
    timestamps: batch.timestamps.slice(start, end),
    ...sliceOptional(batch, batch.count, start, end),
  };
}
