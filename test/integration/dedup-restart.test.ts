import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { collect, consumedAll, stack, testAuditKey, uniquePrefix } from './helpers.js';

describe('duplicate detection across a restart', () => {
  const prefix = uniquePrefix('dedup');
  const auditKey = testAuditKey();
  const config = buildConfig({ engine: { groupId: `${prefix}engine`, windows: { count: 500 }, reference: { events: 500 } } }, 'test');
  const infra = { brokers: stack().brokers, registryUrl: stack().registryUrl, topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 };
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 1);
    producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  });
  afterAll(async () => {
    await producer?.close();
  });

  it('recognises an event sent again after the engine restarted', async () => {
    const events = new EventGenerator({ modelId: 'dedup-model', modelVersion: '1', seed: 11 }).take(1200);
    const first = new Engine({ config, infra, auditKey, listen: false });
    await first.start();
    await producer.send(events.slice(0, 1000).map((value) => ({ key: value.modelId, value })));
    await consumedAll(first, 1000, 60_000);
    await first.stop();

    const second = new Engine({ config, infra, auditKey, listen: false });
    await second.start();
    try {
      // Two events seen before the restart, then new ones.
      const again = [events[10]!, events[999]!];
      await producer.send([...again, ...events.slice(1000)].map((value) => ({ key: value.modelId, value })));
      await consumedAll(second, 202, 60_000);
      const dlq = await collect<null>(`${prefix}dlq`, null, (r) => r.length >= 2, 20_000);
      expect(dlq.map((r) => r.headers['vigil.error.code'])).toEqual(['VIGIL_EVENT_DUPLICATE', 'VIGIL_EVENT_DUPLICATE']);
      expect(dlq.map((r) => r.headers['vigil.source.offset'])).toEqual(['1000', '1001']);
      expect((await second.metrics.decoded.get()).values.reduce((n, v) => n + v.value, 0)).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
