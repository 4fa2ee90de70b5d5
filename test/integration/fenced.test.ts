/**
 * Transactions that fail after their batch was handed off: another producer takes the engine's
 * transactional id mid-stream (as a zombie instance would), so the transaction in flight and the
 * next one are refused. The engine must go back to the last committed offset, restore the partition
 * and go on: the committed outputs equal those of an undisturbed engine over the same input.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert, InferenceEvent } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { collect, eventually, stack, testAuditKey, testKafka, uniquePrefix } from './helpers.js';

const EVENTS = 6000;
const CHUNK = 500;

function engineFor(prefix: string, key: ReturnType<typeof testAuditKey>): Engine {
  const config = buildConfig(
    { engine: { groupId: `${prefix}engine`, windows: { count: 250, timeMs: 3_600_000 }, reference: { events: 500 } }, policy: { lastApproved: { 'fenced-model': '1' } } },
    'test',
  );
  return new Engine({ config, infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey: key, listen: false, logger: createLogger({ level: 'silent' }) });
}

async function committed(prefix: string): Promise<string | undefined> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId: `${prefix}engine`, topics: [`${prefix}inference`] });
    return group?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}

/** What identifies an alert whatever its topic names: the window, detector, feature and severity. */
const identity = (a: Alert) => `${a.modelVersion}|${a.windowStart}|${a.windowEnd}|${a.detector}|${a.feature ?? ''}|${a.severity}|${a.status}|${a.score}`;

describe('a transaction refused after its batch was handed off', () => {
  const engines: Engine[] = [];
  afterAll(async () => {
    for (const e of engines) await e.stop();
  });

  it('is redone from the last committed offset: outputs equal an undisturbed run, nothing twice', async () => {
    const calm = uniquePrefix('fenced-ref');
    const fenced = uniquePrefix('fenced');
    await ensureTopics(stack().brokers, calm, 1);
    await ensureTopics(stack().brokers, fenced, 1);
    const key = testAuditKey();
    const events = new EventGenerator({ modelId: 'fenced-model', modelVersion: '2', seed: 5, driftFrom: 2500 }).take(EVENTS);

    for (const prefix of [calm, fenced]) {
      const engine = engineFor(prefix, key);
      engines.push(engine);
      await engine.start();
    }
    const producers = await Promise.all([calm, fenced].map((prefix) => avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' })));
    const zombie = testKafka('zombie').producer({ transactionalId: `vigil-engine.${fenced}engine.${fenced}inference-0`, idempotent: true, maxInFlightRequests: 1 });
    let fences = 0;
    try {
      for (let at = 0; at < EVENTS; at += CHUNK) {
        const chunk = events.slice(at, at + CHUNK).map((value) => ({ key: value.modelId, value }));
        await Promise.all(producers.map((p) => p.send(chunk)));
        if (at > 0 && (at / CHUNK) % 3 === 0) {
          // Taking the transactional id bumps its epoch: the engine's transaction in flight, or its next, is refused.
          await zombie.connect();
          const transaction = await zombie.transaction();
          await transaction.abort();
          await zombie.disconnect();
          fences++;
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    } finally {
      await Promise.all(producers.map((p) => p.close()));
    }
    expect(fences).toBeGreaterThanOrEqual(3);
    for (const prefix of [calm, fenced]) await eventually(async () => ((await committed(prefix)) === String(EVENTS) ? true : undefined), 90_000, `${prefix} to commit every offset`);

    const [calmAlerts = [], fencedAlerts = []] = await Promise.all(
      [calm, fenced].map((prefix) => collect<Alert>(`${prefix}alerts`, 'Alert', () => false, 4000)),
    );
    const ids = fencedAlerts.map((r) => r.value!.alertId);
    expect(new Set(ids).size, 'duplicate alert ids').toBe(ids.length);
    expect(calmAlerts.length).toBeGreaterThan(0);
    expect(fencedAlerts.map((r) => identity(r.value!)).sort()).toEqual(calmAlerts.map((r) => identity(r.value!)).sort());
    const [calmDlq = [], fencedDlq = []] = await Promise.all([calm, fenced].map((prefix) => collect<null>(`${prefix}dlq`, null, () => false, 2000)));
    expect(calmDlq).toHaveLength(0);
    expect(fencedDlq).toHaveLength(0);
    expect(engines.map((e) => e.phase)).toEqual(['running', 'running']);
    // The refusals really happened: the fenced engine aborted transactions, the undisturbed one none.
    const aborted = async (engine: Engine) => (await engine.metrics.registry.getSingleMetricAsString('vigil_transactions_total')).match(/outcome="aborted"} (\d+)/)?.[1] ?? '0';
    expect(Number(await aborted(engines[1]!))).toBeGreaterThan(0);
    expect(await aborted(engines[0]!)).toBe('0');
  }, 180_000);
});
