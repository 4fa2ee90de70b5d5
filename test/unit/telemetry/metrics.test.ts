import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BatchHistogram } from '../../../src/telemetry/batch-histogram.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

describe('BatchHistogram', () => {
  it('exposes exactly what prom-client’s own histogram exposes for the same values', async () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 3001) / 3 - 5);
    const buckets = [0, 1, 10, 100, 500, 1000];
    const ours = new Registry();
    const theirs = new Registry();
    const batch = new BatchHistogram({ name: 'h', help: 'x', buckets, labelNames: ['model'], registry: ours });
    const reference = new Histogram({ name: 'h', help: 'x', buckets, labelNames: ['model'], registers: [theirs] });
    batch.observeMany({ model: 'a' }, values, 0, 2500);
    batch.observeMany({ model: 'a' }, values, 2500);
    for (const v of values) reference.observe({ model: 'a' }, v);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('skips non-finite values', async () => {
    const registry = new Registry();
    const h = new BatchHistogram({ name: 'h', help: 'x', buckets: [1], labelNames: [], registry });
    h.observeMany({}, [Number.NaN, Number.POSITIVE_INFINITY, 0.5]);
    expect(await registry.metrics()).toMatch(/h_count 1\n/);
  });
});

describe('engine metrics', () => {
  it('caps the number of model-version series; the rest share one label', () => {
    const metrics = createMetrics({ maxModelSeries: 2, defaultMetrics: false });
    expect(metrics.modelLabels('a', '1')).toEqual({ model: 'a', version: '1' });
    expect(metrics.modelLabels('b', '1')).toEqual({ model: 'b', version: '1' });
    expect(metrics.modelLabels('c', '1')).toEqual({ model: '_other', version: '_other' });
    expect(metrics.modelLabels('a', '1')).toEqual({ model: 'a', version: '1' });
  });

  it('keeps each engine’s counters apart (no process-global registry)', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.consumed.inc({ topic: 't' }, 5);
    expect(await b.registry.metrics()).not.toMatch(/vigil_events_consumed_total\{topic="t"\}/);
  });
});
