/**
 * The admin API against the real stack: a configuration update lands on vigil.config, its audit
 * record (and a denial's) on vigil.audit as one valid chain, alerts produced to vigil.alerts are
 * folded into the view, and a restarted API continues the revision and the chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, DetectorConfig } from '../../src/contracts/records.js';
import { verifyChain } from '../../src/pipeline/policy/audit.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { startAdminRig, type AdminRig } from './admin-rig.js';
import { collect, eventually, stack, uniquePrefix } from './helpers.js';

describe('the admin API on the real stack', () => {
  const prefix = uniquePrefix('admin');
  const lines: string[] = [];
  let rig: AdminRig;

  beforeAll(async () => {
    rig = await startAdminRig(prefix, { olga: ['operator'], vic: ['viewer'] }, { config: { policy: { lastApproved: { 'credit-risk': '1.0.0' } } }, log: lines });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('writes config updates to vigil.config and audit records to vigil.audit, and folds alerts into the view', async () => {
    const put = await rig.call('olga', 'PUT', '/v1/models/credit-risk/config', { config: { windows: { count: 300 } } });
    expect(put.statusCode).toBe(200);
    const denied = await rig.call('vic', 'PUT', '/v1/models/credit-risk/config', { config: {} });
    expect(denied.statusCode).toBe(403);

    const configs = await collect<DetectorConfig>(`${prefix}config`, 'DetectorConfig', (r) => r.length >= 1, 30_000);
    expect(configs.map((r) => [r.key, r.value?.revision, r.value?.updatedBy, r.value?.config])).toEqual([['credit-risk', 1, 'olga', '{"windows":{"count":300}}']]);
    const audit = await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 2, 30_000);
    expect(audit.map((r) => [r.key, r.value?.action, r.value?.actor])).toEqual([
      ['admin', 'config.update', 'olga'],
      ['admin', 'access.denied', 'vic'],
    ]);
    expect(verifyChain(audit.map((r) => r.value!), { [rig.auditKey.keyId]: rig.auditKey.publicKey })).toMatchObject({ ok: true, count: 2 });

    const producer = await avroProducer<Alert>({ ...stack(), topic: `${prefix}alerts`, schema: 'Alert' });
    const base: Alert = {
      alertId: 'a1', fingerprint: 'f1', status: 'FIRING', severity: 'CRITICAL', kind: 'DRIFT', modelId: 'credit-risk', modelVersion: '1.1.0', detector: 'psi', feature: 'income',
      score: 0.4, threshold: 0.25, windowStart: 1, windowEnd: 2, startsAt: 3, evidence: {}, source: { topic: `${prefix}inference`, partition: 0, firstOffset: 0, lastOffset: 9 }, configHash: 'c', referenceId: 'r',
    };
    await producer.send([
      { key: 'f1', value: base },
      { key: 'f2', value: { ...base, alertId: 'a2', fingerprint: 'f2', severity: 'WARNING', startsAt: 4 } },
      { key: 'f1', value: { ...base, status: 'RESOLVED' } },
    ]);
    await producer.sendRaw([{ key: 'junk', value: Buffer.from('not avro') }]);
    await producer.close();
    const page = await eventually(
      async () => {
        const res = await rig.call('vic', 'GET', '/v1/alerts?modelId=credit-risk');
        const body = res.json() as { total: number; items: Alert[] };
        expect(res.statusCode).toBe(200);
        return body.total === 2 && body.items.some((a) => a.status === 'RESOLVED') ? body : undefined;
      },
      30_000,
      'the alert view to fold the produced alerts',
    );
    expect(page.items.map((a) => [a.alertId, a.status])).toEqual([
      ['a2', 'FIRING'],
      ['a1', 'RESOLVED'],
    ]);
  });

  it('continues the revision, the silences and the audit chain after a restart', async () => {
    const silence = await rig.call('olga', 'POST', '/v1/models/credit-risk/silences', { endsAt: Date.now() + 3_600_000, comment: 'retraining', matchers: { kind: 'DRIFT' } });
    expect(silence.statusCode).toBe(201);
    const silenceId = silence.json().silenceId as string;
    await rig.restart();
    const put = await rig.call('olga', 'PUT', '/v1/models/credit-risk/config', { config: { windows: { count: 400 } } });
    expect(put.json().revision).toBe(2);
    const listed = await rig.call('olga', 'GET', '/v1/models/credit-risk/silences');
    expect(listed.json().items).toMatchObject([{ silenceId, comment: 'retraining', active: true }]);
    const expired = await rig.call('olga', 'DELETE', `/v1/models/credit-risk/silences/${silenceId}`);
    expect(expired.json()).toMatchObject({ active: false, expiredBy: 'olga' });
    const configs = await collect<DetectorConfig>(`${prefix}config`, 'DetectorConfig', (r) => r.length >= 4, 30_000);
    expect(configs.map((r) => [r.key, r.value?.revision])).toEqual([
      ['credit-risk', 1],
      [`silence:${silenceId}`, 1],
      ['credit-risk', 2],
      [`silence:${silenceId}`, 2],
    ]);
    const audit = await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 5, 30_000);
    expect(audit.map((r) => [r.value!.seq, r.value!.action])).toEqual([
      [0, 'config.update'],
      [1, 'access.denied'],
      [2, 'silence.create'],
      [3, 'config.update'],
      [4, 'silence.expire'],
    ]);
    expect(verifyChain(audit.map((r) => r.value!), { [rig.auditKey.keyId]: rig.auditKey.publicKey })).toMatchObject({ ok: true, count: 5 });
    const log = lines.join('');
    expect(log).toContain('"type":"access"');
    expect(log).not.toContain(rig.token('olga'));
    expect(log).not.toContain(rig.token('vic'));
  });
});
