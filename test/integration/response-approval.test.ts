/**
 * A response that needs approval, end to end on the real stack: the registry knows 1.0.0 and 2.0.0 of
 * a model as approved and 2.0.0 as deployed; the engine, under a ROLLBACK rule with `approval:
 * required`, sees injected drift on 2.0.0 and raises the approval request instead of a command; an
 * approver approves it through the admin API, and the command (with the request's id, approvalId and
 * the approver as issuedBy) appears on the rollback topic to read_committed readers together with its
 * audit record. A second approval is 409, also after the server restarts; a viewer is refused (403).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, GovernanceEvent, RollbackCommand } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { commandApprovalId } from '../../src/governance/registry/payloads.js';
import { verifyChain } from '../../src/pipeline/policy/audit.js';
import { makeManifest } from '../unit/governance/helpers.js';
import { startAdminRig, type AdminRig } from './admin-rig.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, eventually, uniquePrefix } from './helpers.js';

const MODEL = 'fraud-drift';

/** The response policy's request for an approval (compliance findings are GOVERNANCE alerts too). */
const isRequest = (a: Alert): boolean => a.kind === 'GOVERNANCE' && a.evidence['commandId'] !== undefined;

describe('approving a response command on the real stack', () => {
  const prefix = uniquePrefix('respapp');
  let admin: AdminRig;
  let engine: EngineRig | undefined;

  beforeAll(async () => {
    // I/O logged and kept a year, as the manifests declare: the live configuration raises no finding.
    admin = await startAdminRig(prefix, { olga: ['operator'], ann: ['approver'], bob: ['approver'], vic: ['viewer'] }, { config: { iolog: { enabled: true, retentionDays: 365 } } });
    // 1.0.0 and then 2.0.0 approved and deployed (minimal risk: one approval each).
    for (const version of ['1.0.0', '2.0.0']) {
      const manifest = makeManifest((m) => {
        m.modelId = MODEL;
        m.modelVersion = version;
        m.riskClass = 'minimal';
        m.rollback = version === '1.0.0' ? { targetVersion: null, noTargetReason: 'first version' } : { targetVersion: '1.0.0' };
      });
      const url = `/v1/models/${MODEL}/versions/${version}`;
      expect((await admin.call('olga', 'POST', `${url}/submit`, { manifest })).statusCode).toBe(200);
      expect((await admin.call('ann', 'POST', `${url}/approve`, {})).json().status).toBe('approved');
      const deploy = await admin.call('olga', 'POST', `${url}/deploy`, version === '1.0.0' ? { noTargetReason: 'first version' } : { rollbackTarget: '1.0.0' });
      expect(deploy.json().status).toBe('deployed');
    }
    // The engine reads the registry from the governance topic at its start: 1.0.0 is 2.0.0's rollback target.
    engine = await startEngineRig(prefix, 1, {
      engine: { windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
      response: { rules: [{ action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: 2, approval: 'required' }] },
    });
  }, 180_000);
  afterAll(async () => {
    await engine?.stop();
    await admin?.stop();
  });

  it('drift asks for approval; the approval issues the command once, with its audit record', async () => {
    const drifting = new EventGenerator({ modelId: MODEL, modelVersion: '2.0.0', seed: 7, driftFrom: 2500, driftSigma: 1.5, driftedFeatures: 4 });
    for (let i = 0; i < 8; i++) await engine!.producer.send(drifting.take(500).map((value) => ({ key: value.modelId, value })));
    await consumedAll(engine!.engine, 4000, 90_000);

    // No command yet: a CRITICAL GOVERNANCE alert asks for the rollback to 1.0.0.
    const alerts = await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.some((a) => isRequest(a.value!)), 30_000);
    const request = alerts.map((a) => a.value!).find(isRequest)!;
    expect(request).toMatchObject({ severity: 'CRITICAL', modelId: MODEL, modelVersion: '2.0.0', evidence: { action: 'ROLLBACK', toVersion: '1.0.0' } });
    const commandId = request.evidence['commandId']!;

    // A viewer may not approve; an unknown id is 404.
    expect((await admin.call('vic', 'POST', `/v1/models/${MODEL}/responses/${commandId}/approve`, {})).statusCode).toBe(403);
    expect((await admin.call('ann', 'POST', `/v1/models/${MODEL}/responses/0badc0de/approve`, {})).statusCode).toBe(404);

    // The server's alert view follows the alerts topic: the request is found once it has folded it.
    const approved = await eventually(async () => {
      const res = await admin.call('bob', 'POST', `/v1/models/${MODEL}/responses/${commandId}/approve`, { reason: 'drift confirmed' });
      return res.statusCode === 404 ? undefined : res;
    }, 30_000, 'the admin server to fold the approval request');
    expect(approved.statusCode, approved.body).toBe(200);
    const approvalId = commandApprovalId(commandId);

    const commands = (await collect<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand', (r) => r.length >= 1, 30_000)).map((r) => r.value!);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ commandId, modelId: MODEL, fromVersion: '2.0.0', toVersion: '1.0.0', action: 'ROLLBACK', issuedBy: 'bob', approvalId });
    expect(commands[0]!.alertIds).toContain(request.alertId);
    expect(approved.json().command).toEqual(commands[0]);

    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.some((a) => a.value!.action === 'response.approve.rollback'), 30_000)).map((r) => r.value!);
    const chain = audit.filter((r) => r.chainId === 'admin');
    const record = chain.find((r) => r.action === 'response.approve.rollback')!;
    expect(record).toMatchObject({ seq: approved.json().auditSeq, actor: 'bob', subject: `${MODEL}@2.0.0` });
    expect(JSON.parse(record.payload)).toMatchObject({ alertId: request.alertId, command: { commandId, approvalId, issuedBy: 'bob' } });
    expect(verifyChain(chain, new Map([[admin.auditKey.keyId, admin.auditKey.publicKey]]))).toMatchObject({ ok: true });
    const events = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.some((e) => e.value!.eventId === approvalId), 30_000)).map((r) => r.value!);
    expect(events.filter((e) => e.eventId === approvalId).map((e) => [e.type, e.actor, e.modelVersion])).toEqual([['APPROVED', 'bob', '2.0.0']]);

    // A second approval is refused, by this server and by a new one that rebuilt its state from the log.
    const twice = await admin.call('ann', 'POST', `/v1/models/${MODEL}/responses/${commandId}/approve`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toBe(`command ${commandId} of ${MODEL} was already approved (event ${approvalId})`);
    await admin.restart();
    const afterRestart = await admin.call('ann', 'POST', `/v1/models/${MODEL}/responses/${commandId}/approve`, {});
    expect(afterRestart.statusCode).toBe(409);
    const again = (await collect<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand', () => false, 3_000)).map((r) => r.value!);
    expect(again.map((c) => c.commandId)).toEqual([commandId]);
  }, 240_000);
});
