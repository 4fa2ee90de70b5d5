/**
 * Governance through the admin API on the real stack: submit → approve by two approvers → deploy.
 * The governance topic holds the events, the registry folded from the topic agrees with what the API
 * answered, the audit topic holds one valid chain of the steps, and GET /v1/iolog returns to an
 * auditor the decrypted, redacted entries written with the I/O log builder (and refuses a viewer).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/config/canonical.js';
import type { AuditRecord, GovernanceEvent, IoLogRecord } from '../../src/contracts/records.js';
import { fold, versionOf } from '../../src/governance/registry/queries.js';
import { IoLogBuilder } from '../../src/iolog/builder.js';
import { verifyChain } from '../../src/pipeline/policy/audit.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { Envelope } from '../../src/security/crypto/envelope.js';
import { LocalKeyProvider } from '../../src/security/crypto/keyring.js';
import { makeManifest } from '../unit/governance/helpers.js';
import { settings, tabularEvent } from '../unit/iolog/fixtures.js';
import { startAdminRig, type AdminRig } from './admin-rig.js';
import { collect, eventually, stack, uniquePrefix } from './helpers.js';

describe('governance actions through the admin API on the real stack', () => {
  const prefix = uniquePrefix('govapi');
  const env = { VIGIL_KEK: randomBytes(32).toString('base64') };
  const people = { olga: ['operator'], ann: ['approver'], bob: ['approver'], aud: ['auditor'], vic: ['viewer'] } as const;
  let rig: AdminRig;
  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) => rig.call(who, method, url, payload);

  beforeAll(async () => {
    // The running configuration logs I/O and keeps it a year, as the manifest declares: the deployment is
    // compliant in the live configuration too, so the compliance watch raises nothing.
    rig = await startAdminRig(prefix, people, { env, config: { iolog: { enabled: true, retentionDays: 365 } } });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('submit, two approvals and deploy land on the governance and audit topics; the I/O log reads back for the auditor only', async () => {
    const manifest = makeManifest((m) => {
      m.modelVersion = '1.0.0';
      m.rollback = { targetVersion: null, noTargetReason: 'first version of the model' };
    });
    const submit = await call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/submit', { manifest });
    expect(submit.statusCode, submit.body).toBe(200);
    expect(submit.json()).toMatchObject({ status: 'checked', check: { passed: true } });
    const self = await call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', {});
    expect(self.statusCode).toBe(403); // olga is an operator only: RBAC refuses before the registry is asked
    expect((await call('ann', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', { reason: 'reviewed' })).json().status).toBe('checked');
    const twice = await call('ann', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', {});
    expect(twice.statusCode).toBe(409);
    expect((await call('bob', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', {})).json().status).toBe('approved');
    const deploy = await call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/deploy', { noTargetReason: 'first version of the model' });
    expect(deploy.statusCode, deploy.body).toBe(200);
    expect(deploy.json().status).toBe('deployed');

    // The governance topic holds the five events, and the registry folded from it agrees.
    const logged = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= 5, 30_000)).map((r) => r.value as GovernanceEvent);
    expect(logged.map((e) => [e.type, e.actor])).toEqual([
      ['MANIFEST_SUBMITTED', 'olga'],
      ['CHECK_COMPLETED', 'olga'],
      ['APPROVED', 'ann'],
      ['APPROVED', 'bob'],
      ['DEPLOYED', 'olga'],
    ]);
    const { state, refusals } = fold(logged);
    expect(refusals).toEqual([]);
    expect(versionOf(state, 'credit-risk', '1.0.0')).toMatchObject({ status: 'deployed', submitter: 'olga', approvals: [{ actor: 'ann' }, { actor: 'bob' }] });
    expect(state.models['credit-risk']?.deployed).toBe('1.0.0');

    // The audit topic holds the steps and the refusals as one valid, signed chain.
    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 6, 30_000)).map((r) => r.value as AuditRecord);
    expect(audit.map((r) => [r.action, r.actor])).toEqual([
      ['governance.submit', 'olga'],
      ['access.denied', 'olga'],
      ['governance.approve', 'ann'],
      ['governance.approve.refused', 'ann'],
      ['governance.approve', 'bob'],
      ['governance.deploy', 'olga'],
    ]);
    expect(verifyChain(audit, new Map([[rig.auditKey.keyId, rig.auditKey.publicKey]]))).toMatchObject({ ok: true });
    const verified = await call('aud', 'GET', '/v1/audit/verify');
    expect(verified.json()).toMatchObject({ ok: true, chains: [{ chainId: 'admin', ok: true, count: 6 }] });

    // The I/O log: records made by the builder with the server's key, read back decrypted and redacted.
    const topic = `${prefix}iolog`;
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(LocalKeyProvider.fromEnv(env, 'VIGIL_KEK')), topic });
    const producer = await avroProducer<IoLogRecord>({ ...stack(), topic, schema: 'IoLogRecord' });
    const now = Date.now();
    const records = await Promise.all([0, 1, 2].map((i) => builder.record(tabularEvent(i, { timestamp: now - 60_000 + i, categorical: { email: `canary${i}@example.org` } }), 'SAMPLED')));
    await producer.send(records.map((value) => ({ key: value.modelId, value })));
    await producer.close();
    const read = await call('aud', 'GET', '/v1/iolog?model=credit-risk');
    expect(read.statusCode, read.body).toBe(200);
    const entries = read.json().entries as { eventId: string; payload: { categorical: Record<string, string> } }[];
    expect(entries.map((e) => e.eventId)).toEqual(['evt-0', 'evt-1', 'evt-2']);
    expect(entries.map((e) => e.payload.categorical['email'])).toEqual(['[EMAIL]', '[EMAIL]', '[EMAIL]']);
    expect(read.body).not.toContain('canary');
    const denied = await call('vic', 'GET', '/v1/iolog?model=credit-risk');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().missingRoles).toEqual(['auditor']);
    const afterRead = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 8, 30_000)).map((r) => r.value as AuditRecord);
    expect(afterRead.slice(6).map((r) => [r.action, r.actor])).toEqual([
      ['iolog.read', 'aud'],
      ['access.denied', 'vic'],
    ]);
  }, 180_000);

  it('follows events other writers put on the governance topic, and rebuilds the registry from it after a restart', async () => {
    // Another writer (a CI pipeline) submits 2.0.0 straight to the topic.
    const producer = await avroProducer<GovernanceEvent>({ ...stack(), topic: `${prefix}governance`, schema: 'GovernanceEvent' });
    const m = makeManifest((x) => {
      x.modelVersion = '2.0.0';
      x.rollback = { targetVersion: '1.0.0' };
    });
    const at = Date.now();
    const base = { modelId: 'credit-risk', modelVersion: '2.0.0', actor: 'ci-bot', timestamp: at, reason: null };
    await producer.send([
      { key: 'credit-risk', value: { ...base, eventId: `${prefix}s`, type: 'MANIFEST_SUBMITTED', payload: JSON.stringify({ manifestHash: canonicalHash(m), riskClass: 'high', environmentHash: m.environmentHash }) } },
      { key: 'credit-risk', value: { ...base, eventId: `${prefix}c`, type: 'CHECK_COMPLETED', payload: JSON.stringify({ passed: true, errors: 0, warnings: 0 }) } },
    ]);
    await producer.close();
    // The running server's consumer folds them: the approval is accepted once it has.
    const first = await eventually(async () => {
      const res = await call('ann', 'POST', '/v1/models/credit-risk/versions/2.0.0/approve', {});
      return res.statusCode === 200 ? res : undefined;
    }, 30_000, 'the server to fold the external submission');
    expect(first.json()).toMatchObject({ status: 'checked' });

    // A new server starts from the topic: it knows ann approved, and bob's approval completes 2.0.0.
    await rig.restart();
    const again = await call('ann', 'POST', '/v1/models/credit-risk/versions/2.0.0/approve', {});
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/ann has already approved credit-risk@2\.0\.0/);
    expect((await call('bob', 'POST', '/v1/models/credit-risk/versions/2.0.0/approve', {})).json().status).toBe('approved');
    const deployed = await call('olga', 'POST', '/v1/models/credit-risk/versions/2.0.0/deploy', { rollbackTarget: '1.0.0' });
    expect(deployed.json()).toMatchObject({ status: 'deployed' });
    const back = await call('olga', 'POST', '/v1/models/credit-risk/rollback', { reason: 'drift' });
    expect(back.json()).toMatchObject({ type: 'ROLLED_BACK', modelVersion: '2.0.0', status: 'rolled-back' });
    const logged = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= 11, 30_000)).map((r) => r.value as GovernanceEvent);
    const { state, refusals } = fold(logged);
    expect(refusals).toEqual([]);
    expect(state.models['credit-risk']?.deployed).toBe('1.0.0');
    expect(versionOf(state, 'credit-risk', '2.0.0')?.status).toBe('rolled-back');
  }, 180_000);
});
