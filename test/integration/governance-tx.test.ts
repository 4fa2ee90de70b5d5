/**
 * A governance decision and its audit record in one Kafka transaction, on the real stack: after an
 * action both are visible to read_committed readers; a failure injected before the commit leaves
 * neither visible (though both were sent: a read_uncommitted reader sees them), and the next action's
 * audit record chains onto the last committed one, so the chain verifies (also after a restart). A
 * configuration change and its audit record are one transaction in the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord, DetectorConfig, GovernanceEvent } from '../../src/contracts/records.js';
import { verifyChain } from '../../src/pipeline/policy/audit.js';
import { makeManifest } from '../unit/governance/helpers.js';
import { startAdminRig, type AdminRig } from './admin-rig.js';
import { collect, uniquePrefix } from './helpers.js';

describe('a governance decision and its audit record in one transaction', () => {
  const prefix = uniquePrefix('govtx');
  let failNext = false;
  let rig: AdminRig;

  beforeAll(async () => {
    // I/O logged and kept a year, as the manifest declares: the live configuration raises no finding.
    rig = await startAdminRig(prefix, { olga: ['operator'], ann: ['approver'], aud: ['auditor'] }, {
      config: { iolog: { enabled: true, retentionDays: 365 } },
      beforeCommit: async () => {
        if (!failNext) return;
        failNext = false;
        throw new Error('injected failure before the commit');
      },
    });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('writes both or neither; after an aborted decision the chain continues from the last committed record', async () => {
    const manifest = makeManifest((m) => {
      m.modelVersion = '1.0.0';
      m.riskClass = 'minimal';
      m.rollback = { targetVersion: null, noTargetReason: 'first version of the model' };
    });
    const submit = await rig.call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/submit', { manifest });
    expect(submit.statusCode, submit.body).toBe(200);
    expect(submit.json()).toMatchObject({ type: 'CHECK_COMPLETED', auditSeq: 0 });

    // Both records of the submission are visible to a read_committed reader.
    const submitted = await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= 2, 30_000);
    expect(submitted.map((r) => r.value?.type)).toEqual(['MANIFEST_SUBMITTED', 'CHECK_COMPLETED']);
    const firstAudit = await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 1, 30_000);
    expect(firstAudit.map((r) => [r.value?.seq, r.value?.action])).toEqual([[0, 'governance.submit']]);

    // The approval fails after its records were sent, before the commit: the transaction is aborted.
    failNext = true;
    const failed = await rig.call('ann', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', { reason: 'reviewed' });
    expect(failed.statusCode, failed.body).toBe(503);
    expect(failed.json().message).toMatch(/injected failure before the commit/);

    // The same approval again: committed, its audit record at seq 1 (the aborted one's seq, reused).
    const approved = await rig.call('ann', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', { reason: 'reviewed' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ type: 'APPROVED', status: 'approved', auditSeq: 1 });
    const approvalId = approved.json().eventId as string;

    // read_committed: the aborted approval is not there, the committed one is, with its audit record.
    const events = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.some((x) => x.value?.eventId === approvalId), 30_000)).map((r) => r.value as GovernanceEvent);
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['MANIFEST_SUBMITTED', 'olga'],
      ['CHECK_COMPLETED', 'olga'],
      ['APPROVED', 'ann'],
    ]);
    expect(events[2]!.eventId).toBe(approvalId);
    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.some((x) => x.value?.seq === 1), 30_000)).map((r) => r.value as AuditRecord);
    expect(audit.map((r) => [r.seq, r.action, r.actor])).toEqual([
      [0, 'governance.submit', 'olga'],
      [1, 'governance.approve', 'ann'],
    ]);
    expect(JSON.parse(audit[1]!.payload)).toMatchObject({ eventId: approvalId, requestId: expect.any(String) });
    expect(verifyChain(audit, new Map([[rig.auditKey.keyId, rig.auditKey.publicKey]]))).toEqual({ ok: true, count: 2, last: { seq: 1, hash: audit[1]!.hash } });
    const verified = await rig.call('aud', 'GET', '/v1/audit/verify');
    expect(verified.json()).toMatchObject({ ok: true, chains: [{ chainId: 'admin', ok: true, count: 2 }] });

    // The aborted records were in the log: a read_uncommitted reader sees two approvals and two records at seq 1.
    const uncommitted = { readUncommitted: true };
    const raw = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= 4, 30_000, uncommitted)).map((r) => r.value as GovernanceEvent);
    expect(raw.map((e) => e.type)).toEqual(['MANIFEST_SUBMITTED', 'CHECK_COMPLETED', 'APPROVED', 'APPROVED']);
    expect(raw[2]!.eventId).not.toBe(approvalId);
    const rawAudit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length >= 3, 30_000, uncommitted)).map((r) => r.value as AuditRecord);
    expect(rawAudit.map((r) => r.seq)).toEqual([0, 1, 1]);
    expect(rawAudit[1]!.hash).not.toBe(audit[1]!.hash);

    // A restarted server reads the chain's head from committed records only: its next record is seq 2.
    await rig.restart();
    const deployed = await rig.call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/deploy', { noTargetReason: 'first version of the model' });
    expect(deployed.json()).toMatchObject({ status: 'deployed', auditSeq: 2 });
    const after = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.some((x) => x.value?.seq === 2), 30_000)).map((r) => r.value as AuditRecord);
    expect(after.map((r) => r.action)).toEqual(['governance.submit', 'governance.approve', 'governance.deploy']);
    expect(verifyChain(after, new Map([[rig.auditKey.keyId, rig.auditKey.publicKey]]))).toMatchObject({ ok: true, count: 3 });
  });

  it('writes a configuration change and its audit record together, or neither', async () => {
    const change = { config: { detectors: { psi: { bins: 12 } } }, reason: 'finer bins' };
    failNext = true;
    const failed = await rig.call('olga', 'PUT', '/v1/models/fraud/config', change);
    expect(failed.statusCode, failed.body).toBe(503);
    // Not applied: the API still has no override for the model.
    expect((await rig.call('olga', 'GET', '/v1/models/fraud/config')).json()).toMatchObject({ revision: 0 });

    const applied = await rig.call('olga', 'PUT', '/v1/models/fraud/config', change);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ revision: 1, updatedBy: 'olga' });
    const configs = (await collect<DetectorConfig>(`${prefix}config`, 'DetectorConfig', (r) => r.some((x) => x.value?.modelId === 'fraud'), 30_000)).map((r) => r.value as DetectorConfig);
    expect(configs.filter((c) => c.modelId === 'fraud').map((c) => c.revision)).toEqual([1]);
    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.some((x) => x.value?.action === 'config.update'), 30_000)).map((r) => r.value as AuditRecord);
    const updates = audit.filter((r) => r.action === 'config.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ seq: 3, actor: 'olga', subject: 'fraud' });
    expect(JSON.parse(updates[0]!.payload)).toMatchObject({ record: { modelId: 'fraud', revision: 1 }, reason: 'finer bins' });
    expect(verifyChain(audit, new Map([[rig.auditKey.keyId, rig.auditKey.publicKey]]))).toMatchObject({ ok: true, count: 4 });
    // The aborted change was sent: a read_uncommitted reader sees it, at the same revision.
    const raw = (await collect<DetectorConfig>(`${prefix}config`, 'DetectorConfig', (r) => r.filter((x) => x.value?.modelId === 'fraud').length >= 2, 30_000, { readUncommitted: true })).map((r) => r.value as DetectorConfig);
    expect(raw.filter((c) => c.modelId === 'fraud').map((c) => c.revision)).toEqual([1, 1]);
  });
});
