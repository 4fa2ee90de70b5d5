/**
 * `vigil replay` against the live engine: the same events go to the real stack (the engine, in
 * process, on two partitions) and through a replay (one processor, no Kafka), with the same
 * configuration, including non-default alert semantics. The alerts (ids, statuses, severities,
 * scores, windows, everything but where the evidence was read) and the commands must be equal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/config/canonical.js';
import { buildConfig } from '../../src/config/index.js';
import type { Alert, InferenceEvent, RollbackCommand } from '../../src/contracts/records.js';
import { avroType, type SchemaName } from '../../src/contracts/schemas.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { readEvents, replay } from '../../src/replay/index.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { readToEnd } from '../../src/pipeline/source/read-to-end.js';
import { consumedAll, stack, testAuditKey, testKafka, uniquePrefix } from './helpers.js';

describe('vigil replay gives the live engine results on the same events', () => {
  const prefix = uniquePrefix('replay');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-it-'));
  const document = {
    engine: { groupId: `${prefix}engine`, windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
    policy: { rollback: { consecutiveCriticalWindows: 2 }, lastApproved: { 'model-a': '1.0.0', 'model-b': '1.0.0' } },
    alerting: { hysteresis: { fireAfter: 2, of: 3, resolveAfter: 2 }, inhibition: { enabled: true } },
    response: { fallbackModel: 'rules-v1', rules: [{ action: 'FALLBACK', consecutiveWindows: 1 }, { action: 'ROLLBACK', consecutiveWindows: 2 }] },
  };
  const events: InferenceEvent[] = [
    ...new EventGenerator({ modelId: 'model-a', modelVersion: '2.0.0', seed: 7, driftFrom: 2500, driftSigma: 1.5, driftedFeatures: 4 }).take(5000),
    ...new EventGenerator({ modelId: 'model-b', modelVersion: '2.0.0', seed: 8, driftFrom: 3000, driftSigma: 0.4, driftedFeatures: 6 }).take(5000),
  ];
  let engine: Engine;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 2);
    engine = new Engine({ config: buildConfig(document, 'test'), infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey: testAuditKey(), listen: false });
    await engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function read<T>(topic: string, schema: SchemaName): Promise<T[]> {
    const type = avroType(schema);
    const out: T[] = [];
    await readToEnd(testKafka('replay-test'), {
      topic,
      onMessage: (_p, m) => {
        if (m.value !== null) out.push(JSON.parse(JSON.stringify(type.fromBuffer(m.value.subarray(5)))) as T);
      },
    });
    return out;
  }

  /** An alert without where its evidence was read (topic, partition and offsets differ by design). */
  const comparable = (alerts: readonly Alert[]): string[] => alerts.map(({ source: _source, ...rest }) => canonicalJson(rest)).sort();

  it('raises the same alerts with the same ids, and the same commands', async () => {
    const producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
    try {
      // Interleaved in chunks, as two model servers would write.
      for (let at = 0; at < 5000; at += 700) {
        for (const offset of [0, 5000]) await producer.send(events.slice(offset + at, offset + Math.min(5000, at + 700)).map((value) => ({ key: value.modelId, value })));
      }
    } finally {
      await producer.close();
    }
    await consumedAll(engine, events.length, 90_000);
    const live = { alerts: await read<Alert>(`${prefix}alerts`, 'Alert'), commands: await read<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand') };

    const file = join(dir, 'events.jsonl');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const configFile = join(dir, 'vigil.yaml');
    writeFileSync(configFile, JSON.stringify(document));
    const replayed = await replay({ config: buildConfig(document, configFile), events: readEvents(file), topicPrefix: prefix });

    // The input exercises the policy: alerts after hysteresis, then a fallback and a rollback.
    expect(live.alerts.some((a) => a.modelId === 'model-a')).toBe(true);
    expect(live.commands.filter((c) => c.modelId === 'model-a').map((c) => c.action)).toEqual(['FALLBACK', 'ROLLBACK']);
    expect(replayed.alerts.map((a) => a.alertId).sort()).toEqual(live.alerts.map((a) => a.alertId).sort());
    expect(comparable(replayed.alerts)).toEqual(comparable(live.alerts));
    expect(replayed.commands.map((c) => canonicalJson(c)).sort()).toEqual(live.commands.map((c) => canonicalJson(c)).sort());
  }, 150_000);
});
