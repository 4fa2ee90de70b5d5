/**
 * Delayed ground truth on the real stack: labels on `vigil.labels` join their inference events by
 * eventId, whichever comes first, and a drop in realised accuracy raises PERFORMANCE alerts that cite
 * the events judged. A malformed label goes to the dead-letter topic with its headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, GroundTruth, InferenceEvent } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { mulberry32 } from '../../src/demo/random.js';
import type { Engine } from '../../src/engine.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, stack, testKafka, uniquePrefix } from './helpers.js';

const EVENTS = 2400;
const DEGRADED_FROM = 1200;

describe('delayed labels and performance', () => {
  const prefix = uniquePrefix('labels');
  let rig: EngineRig | undefined;
  let engine: Engine;
  let events: AvroProducer<InferenceEvent>;
  let labels: AvroProducer<GroundTruth>;

  beforeAll(async () => {
    rig = await startEngineRig(prefix, 2, {
      engine: { windows: { count: 300, timeMs: 3_600_000 }, reference: { events: 300 } },
      detectors: { psi: { enabled: false }, performance: { enabled: true } },
    });
    engine = rig.engine;
    events = rig.producer;
    labels = await avroProducer<GroundTruth>({ ...stack(), topic: `${prefix}labels`, schema: 'GroundTruth' });
  });

  afterAll(async () => {
    await labels?.close();
    await rig?.stop();
  });

  it('joins labels that come after or before their events and alerts when accuracy drops', async () => {
    const stream = new EventGenerator({ modelId: 'churn', modelVersion: '3', seed: 21, features: 4 }).take(EVENTS);
    const rng = mulberry32(5);
    // Right 95 % of the time at first, 55 % from DEGRADED_FROM on.
    const truth: GroundTruth[] = stream.map((e, i) => {
      const right = rng() < (i < DEGRADED_FROM ? 0.95 : 0.55);
      const other = e.predictedClass === 'positive' ? 'negative' : 'positive';
      return { eventId: e.eventId, modelId: e.modelId, timestamp: e.timestamp + 60_000, label: right ? e.predictedClass! : other };
    });
    const send = <T extends { modelId: string }>(p: AvroProducer<T>, values: readonly T[]) => p.send(values.map((value) => ({ key: value.modelId, value })));
    // The first half: events, then their labels. The second half: labels first, then their events.
    await send(events, stream.slice(0, DEGRADED_FROM));
    await send(labels, truth.slice(0, DEGRADED_FROM));
    await send(labels, truth.slice(DEGRADED_FROM));
    await send(events, stream.slice(DEGRADED_FROM));
    // One label that is not Avro at all.
    const raw = testKafka('raw').producer();
    await raw.connect();
    await raw.send({ topic: `${prefix}labels`, messages: [{ key: 'churn', value: Buffer.from('not a label') }] });
    await raw.disconnect();
    await consumedAll(engine, 2 * EVENTS + 1, 120_000);

    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.some((a) => a.value!.severity === 'CRITICAL'), 20_000)).map((r) => r.value!);
    const performance = alerts.filter((a) => a.kind === 'PERFORMANCE');
    expect(performance.length).toBeGreaterThan(0);
    for (const a of performance) {
      expect(a).toMatchObject({ modelId: 'churn', modelVersion: '3', detector: 'performance', feature: null });
      expect(a.source.topic).toBe(`${prefix}inference`);
      // Only windows of events from the degraded half: the first half's windows are as good as the reference.
      expect(a.source.firstOffset).toBeGreaterThanOrEqual(DEGRADED_FROM);
      expect(a.evidence).toMatchObject({ metric: 'accuracy' });
    }
    expect(performance.some((a) => a.severity === 'CRITICAL' && a.status === 'FIRING')).toBe(true);

    const dlq = await collect<null>(`${prefix}dlq`, null, (r) => r.length >= 1, 20_000);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers).toMatchObject({ 'vigil.error.code': 'VIGIL_DECODE_MAGIC', 'vigil.source.topic': `${prefix}labels` });
    expect(dlq[0]!.raw?.toString()).toBe('not a label');
  }, 180_000);
});
