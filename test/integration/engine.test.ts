import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, DetectorConfig, InferenceEvent, RollbackCommand } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { verifyChain } from '../../src/pipeline/policy/audit.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { collect, consumedAll, eventually, stack, testAuditKey, uniquePrefix } from './helpers.js';

describe('the engine on the real stack: injected drift in, alerts and a rollback command out', () => {
  const prefix = uniquePrefix('engine');
  const auditKey = testAuditKey();
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 2);
    const config = buildConfig(
      {
        engine: { groupId: `${prefix}engine`, windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
        policy: { rollback: { consecutiveCriticalWindows: 2 }, lastApproved: { 'fraud-drift': '1.0.0', 'fraud-stable': '1.0.0' } },
      },
      'test',
    );
    engine = new Engine({ config, infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey, listen: false });
    await engine.start();
    producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  });

  afterAll(async () => {
    await producer?.close();
    await engine?.stop();
  });

  it('restores each assigned partition when it is assigned, before any record of it arrives', async () => {
    const metrics = async (): Promise<string> => (await engine.admin.inject({ method: 'GET', url: '/metrics' })).body;
    // Nothing has been produced yet: only a restore at assignment can have run.
    const text = await eventually(async () => {
      const body = await metrics();
      return /^vigil_partition_restore_ms_count 2$/m.test(body) ? body : undefined;
    }, 30_000, 'both partitions restored');
    expect(/vigil_events_consumed_total\{topic="[^"]+inference"\} (\d+)/.exec(text)?.[1] ?? '0').toBe('0');
    // The rehearsal before the join (made-up events of its own models) left nothing behind.
    expect(text).not.toMatch(/vigil-rehearsal/);
    expect(/^vigil_events_decoded_total(\{[^}]*\})? (\d+)/m.exec(text)?.[2] ?? '0').toBe('0');
  });

  it('alerts on the drifted model, rolls it back to its last approved version, and stays silent on the stationary one', async () => {
    const drifting = new EventGenerator({ modelId: 'fraud-drift', modelVersion: '2.0.0', seed: 7, driftFrom: 2500, driftSigma: 1.5, driftedFeatures: 4 });
    const stable = new EventGenerator({ modelId: 'fraud-stable', modelVersion: '2.0.0', seed: 8 });
    for (let i = 0; i < 8; i++) {
      await producer.send(drifting.take(500).map((value) => ({ key: value.modelId, value })));
      await producer.send(stable.take(500).map((value) => ({ key: value.modelId, value })));
    }

    await consumedAll(engine, 8000, 90_000);
    const commands = await collect<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand', (r) => r.length >= 1, 30_000);
    expect(commands).toHaveLength(1);
    const command = commands[0]!.value!;
    expect(command).toMatchObject({ modelId: 'fraud-drift', fromVersion: '2.0.0', toVersion: '1.0.0', action: 'ROLLBACK', issuedBy: 'policy:rollback' });

    const alerts = await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.some((a) => command.alertIds.includes(a.value!.alertId)), 30_000);
    const values = alerts.map((a) => a.value!);
    expect(values.every((a) => a.modelId === 'fraud-drift')).toBe(true);
    // Only the drifted features alert, and the command cites CRITICAL alerts that were published.
    expect(new Set(values.map((a) => a.feature))).toEqual(new Set(['f00', 'f01', 'f02', 'f03']));
    const ids = new Set(values.map((a) => a.alertId));
    expect(command.alertIds.every((id) => ids.has(id))).toBe(true);
    for (const a of values) {
      expect(a).toMatchObject({ kind: 'DRIFT', detector: 'psi', status: 'FIRING' });
      expect(a.score).toBeGreaterThanOrEqual(a.threshold);
      expect(a.source.topic).toBe(`${prefix}inference`);
      expect(a.evidence.binning).toMatch(/reference-quantile/);
    }

    // One audit record per alert and per command, in one verifiable chain per input partition.
    const audit = await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= values.length + 1, 30_000);
    expect(audit).toHaveLength(values.length + 1);
    const records = audit.map((r) => r.value!);
    for (const chainId of new Set(records.map((r) => r.chainId))) {
      expect(verifyChain(records.filter((r) => r.chainId === chainId), { [auditKey.keyId]: auditKey.publicKey })).toMatchObject({ ok: true });
    }

    // Nothing of the rehearsal before the join was written: the changelog holds the two models' state only.
    const state = await collect<null>(`${prefix}state`, null, () => false, 5_000);
    expect(state.length).toBeGreaterThan(0);
    expect(state.filter((r) => /vigil-rehearsal/.test(r.key ?? '') || r.raw?.includes('vigil-rehearsal'))).toEqual([]);

    const metrics = await (await engine.admin.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/vigil_model_invocations_total\{model="fraud-stable",version="2.0.0",status="OK"\} \d+/);
    expect(metrics).toMatch(/vigil_model_latency_ms_count\{model="fraud-drift",version="2.0.0"\} 4000/);
    expect(metrics).toMatch(/vigil_events_consumed_total\{topic="[^"]+inference"\} 8000/);
    expect((await engine.admin.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('applies a detector configuration published on vigil.config without a restart', async () => {
    const config = await avroProducer<DetectorConfig>({ ...stack(), topic: `${prefix}config`, schema: 'DetectorConfig' });
    // Thresholds so low that even the stationary model's sampling noise is CRITICAL.
    const override = { detectors: { psi: { warning: 0.00001, critical: 0.00002 } } };
    await config.send([{ key: 'fraud-stable', value: { modelId: 'fraud-stable', revision: 1, updatedAt: Date.now(), updatedBy: 'test', config: JSON.stringify(override) } }]);
    // A bad document is rejected and changes nothing.
    await config.send([{ key: 'fraud-drift', value: { modelId: 'fraud-drift', revision: 1, updatedAt: Date.now(), updatedBy: 'test', config: '{"detectors":{"psi":{"bins":"many"}}}' } }]);
    await config.close();
    await eventually(async () => (engine.settingsFor('fraud-stable').detectors.psi.critical === 0.00002 ? true : undefined), 20_000, 'the override to apply');
    expect(engine.settingsFor('fraud-drift').detectors.psi.bins).toBe(10);

    const stable = new EventGenerator({ modelId: 'fraud-stable', modelVersion: '2.0.0', seed: 8 });
    stable.take(4000); // what the first test already sent
    await producer.send(stable.take(500).map((value) => ({ key: value.modelId, value })));
    const alerts = await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.some((a) => a.value!.modelId === 'fraud-stable'), 60_000);
    const stableAlerts = alerts.map((a) => a.value!).filter((a) => a.modelId === 'fraud-stable');
    expect(stableAlerts.length).toBeGreaterThan(0);
    expect(stableAlerts.every((a) => a.threshold === 0.00002 || a.threshold === 0.00001)).toBe(true);
    expect(new Set(stableAlerts.map((a) => a.configHash))).toEqual(new Set([engine.settingsFor('fraud-stable').configHash]));
  });
});
