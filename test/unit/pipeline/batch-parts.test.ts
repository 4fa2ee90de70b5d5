import { describe, expect, it } from 'vitest';
import { copyColumns } from '../../../src/pipeline/batch-parts.js';
import type { NumericColumns } from '../../../src/contracts/batch.js';

function columns(features: Float64Array): NumericColumns {
  return {
    count: 2,
    featureCount: 2,
    features,
    scores: Float64Array.of(0.1, 0.2),
    latencies: Float64Array.of(5, 6),
    statuses: Uint8Array.of(0, 1),
    timestamps: Float64Array.of(1, 2),
  };
}

describe('copyColumns', () => {
  it('copies every column of ordinary memory (the copies are transferred to the pool)', () => {
    const batch = columns(Float64Array.of(1, 2, 3, 4));
    const copy = copyColumns(batch);
    expect(copy).toEqual(batch);
    for (const key of ['features', 'scores', 'latencies', 'statuses', 'timestamps'] as const) expect(copy[key].buffer).not.toBe(batch[key].buffer);
  });

  it('shares features in shared memory, as the pool decodes them, and copies the rest', () => {
    const features = new Float64Array(new SharedArrayBuffer(32));
    features.set([1, 2, 3, 4]);
    const batch = columns(features);
    const copy = copyColumns(batch);
    expect(copy.features).toBe(features);
    expect(copy.scores.buffer).not.toBe(batch.scores.buffer);
    expect(copy).toEqual(batch);
  });
});
