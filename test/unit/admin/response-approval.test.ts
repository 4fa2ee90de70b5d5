/**
 * Approving a response command through the admin API, on the in-memory gate: the request is the
 * GOVERNANCE alert the response policy raised (here produced by the policy itself), the approval
 * writes the RollbackCommand, an APPROVED event carrying the command and its audit record together;
 * unknown ids are 404, a second approval and a stale rollback target 409, a viewer 403. The registry
 * folds the approval event without changing any version, and refuses a forged one.
 */
import { describe, expect, it } from 'vitest';
import type { GovernanceEvent } from '../../../src/contracts/records.js';
import { avroType } from '../../../src/contracts/schemas.js';
import { apply } from '../../../src/governance/registry/apply.js';
import { commandApprovalId } from '../../../src/governance/registry/payloads.js';
import { fold, versionOf } from '../../../src/governance/registry/queries.js';
import { verifyChain } from '../../../src/pipeline/policy/audit.js';
import { makeManifest } from '../governance/helpers.js';
import { approvalRequest, bearer, testApi } from './helpers.js';

const M = '/v1/models/credit-risk';

async function setup() {
  const api = testApi({ tokens: { olga: { roles: ['operator'] }, ann: { roles: ['approver'] }, bob: { roles: ['approver'] }, vic: { roles: ['viewer'] } }, governance: 'gate' });
  const post = (who: string, url: string, payload: object = {}) => api.app.inject({ method: 'POST', url, headers: bearer(api.texts[who]!), payload });
  // 3.1.0 approved and deployed, then 3.2.0 approved and deployed with 3.1.0 as its rollback target.
  for (const [version, deploy] of [['3.1.0', { noTargetReason: 'first version' }], ['3.2.0', { rollbackTarget: '3.1.0' }]] as const) {
    const manifest = makeManifest((m) => {
      m.modelVersion = version;
      m.rollback = version === '3.1.0' ? { targetVersion: null, noTargetReason: 'first version' } : { targetVersion: '3.1.0' };
    });
    expect((await post('olga', `${M}/versions/${version}/submit`, { manifest })).statusCode).toBe(200);
    for (const who of ['ann', 'bob']) expect((await post(who, `${M}/versions/${version}/approve`)).statusCode).toBe(200);
    expect((await post('olga', `${M}/versions/${version}/deploy`, deploy)).statusCode).toBe(200);
  }
  return { api, post };
}

describe('approving a response command', () => {
  it('writes the command, the approval event and its audit record together, and refuses a second approval', async () => {
    const { api, post } = await setup();
    const request = approvalRequest();
    api.alerts.fold(request);
    const commandId = request.evidence['commandId']!;
    const before = { events: api.governanceTopic.length, audit: api.audit.records.length };

    const res = await post('ann', `${M}/responses/${commandId}/approve`, { reason: 'drift confirmed on the dashboard' });
    expect(res.statusCode, res.body).toBe(200);
    const approvalId = commandApprovalId(commandId);
    expect(res.json()).toMatchObject({ eventId: approvalId, type: 'APPROVED', modelId: 'credit-risk', modelVersion: '3.2.0', actor: 'ann', auditSeq: before.audit });
    expect(api.rollbackTopic).toEqual([
      {
        commandId,
        modelId: 'credit-risk',
        fromVersion: '3.2.0',
        toVersion: '3.1.0',
        action: 'ROLLBACK',
        reason: `${request.evidence['reason']}; approved by ann: drift confirmed on the dashboard`,
        alertIds: [...request.evidence['alertIds']!.split(','), request.alertId],
        issuedAt: expect.any(Number) as number,
        issuedBy: 'ann',
        approvalId,
      },
    ]);
    expect(avroType('RollbackCommand').isValid(api.rollbackTopic[0])).toBe(true);
    expect(res.json().command).toEqual(api.rollbackTopic[0]);
    const event = api.governanceTopic[before.events] as GovernanceEvent;
    expect(event).toMatchObject({ eventId: approvalId, type: 'APPROVED', modelVersion: '3.2.0', actor: 'ann', reason: 'drift confirmed on the dashboard' });
    expect(JSON.parse(event.payload)).toEqual({ roles: ['approver'], command: { commandId, action: 'ROLLBACK', toVersion: '3.1.0' } });
    const record = api.audit.records[before.audit]!;
    expect(record).toMatchObject({ seq: before.audit, actor: 'ann', action: 'response.approve.rollback', subject: 'credit-risk@3.2.0' });
    expect(JSON.parse(record.payload)).toMatchObject({ alertId: request.alertId, command: { commandId, approvalId } });

    // The log folds without refusal, and the approval changes no version's standing.
    const { state, refusals } = fold(api.governanceTopic);
    expect(refusals).toEqual([]);
    expect(versionOf(state, 'credit-risk', '3.2.0')?.status).toBe('deployed');
    expect(state.models['credit-risk']?.eventIds.has(approvalId)).toBe(true);

    const again = await post('bob', `${M}/responses/${commandId}/approve`);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe(`command ${commandId} of credit-risk was already approved (event ${approvalId})`);
    expect(api.rollbackTopic).toHaveLength(1);
    expect(api.audit.records.at(-1)).toMatchObject({ action: 'response.approve.refused', actor: 'bob' });
    expect(verifyChain(api.audit.records, new Map([[api.audit.records[0]!.keyId, api.auditPublicKey]]))).toMatchObject({ ok: true });
  });

  it('answers 404 for an unknown command id or another model, 403 to a viewer, 400 to a malformed id', async () => {
    const { api, post } = await setup();
    const request = approvalRequest();
    api.alerts.fold(request);
    const commandId = request.evidence['commandId']!;
    const unknown = await post('ann', `${M}/responses/0123abcd/approve`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('no response of credit-risk awaits approval with command id "0123abcd"');
    expect((await post('ann', `/v1/models/fraud-v2/responses/${commandId}/approve`)).statusCode).toBe(404);
    const viewer = await post('vic', `${M}/responses/${commandId}/approve`);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().missingRoles).toEqual(['approver', 'admin']);
    expect((await post('ann', `${M}/responses/a.b/approve`)).statusCode).toBe(400);
    expect(api.rollbackTopic).toEqual([]);
  });

  it('refuses a rollback whose target is no longer the last approved version before the failing one', async () => {
    const { api, post } = await setup();
    const request = approvalRequest();
    api.alerts.fold(request);
    expect((await post('olga', `${M}/versions/3.1.0/retire`, { reason: 'licence withdrawn' })).statusCode).toBe(200);
    const res = await post('ann', `${M}/responses/${request.evidence['commandId']!}/approve`);
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toBe('cannot roll back credit-risk@3.2.0 to 3.1.0: the registry knows no approved version before 3.2.0');
    expect(api.rollbackTopic).toEqual([]);
  });

  it('approves a shutdown (empty target) without a registry target check', async () => {
    const { api, post } = await setup();
    const request = approvalRequest('SHUTDOWN');
    api.alerts.fold(request);
    const res = await post('bob', `${M}/responses/${request.evidence['commandId']!}/approve`);
    expect(res.statusCode, res.body).toBe(200);
    expect(api.rollbackTopic.map((c) => [c.action, c.toVersion, c.issuedBy])).toEqual([['SHUTDOWN', '', 'bob']]);
  });
});

describe('the registry and command approvals', () => {
  const event = (patch: Partial<GovernanceEvent> = {}, payload: object = { roles: ['approver'], command: { commandId: 'c1', action: 'FALLBACK', toVersion: 'rules@1' } }): GovernanceEvent => ({
    eventId: commandApprovalId('c1'),
    type: 'APPROVED',
    modelId: 'credit-risk',
    modelVersion: '3.2.0',
    actor: 'ann',
    timestamp: 1000,
    reason: null,
    payload: JSON.stringify(payload),
    ...patch,
  });

  it('records an approval of a command for a model it has never seen, and refuses the same approval twice', () => {
    const { state, refusals } = fold([event(), event({ timestamp: 2000 })]);
    expect(refusals.map((r) => r.code)).toEqual(['DUPLICATE_EVENT']);
    expect(state.models['credit-risk']).toMatchObject({ order: [], versions: {}, deployed: null, lastEventAt: 1000 });
  });

  it('refuses a command approval with another event id, without the approver role, or with a malformed command', () => {
    const refusal = (e: GovernanceEvent) => {
      const result = apply(fold([]).state, e);
      return result.ok ? null : [result.refusal.code, result.refusal.message];
    };
    expect(refusal(event({ eventId: 'other' }))).toEqual(['INVALID_EVENT', 'eventId must be approval.c1 for the approval of command c1']);
    expect(refusal(event({}, { roles: ['operator'], command: { commandId: 'c1', action: 'FALLBACK', toVersion: 'x' } }))).toEqual(['MISSING_ROLE', 'ann does not hold the approver role']);
    expect(refusal(event({}, { roles: ['approver'], command: { commandId: 'c1', action: 'REBOOT', toVersion: '' } }))).toEqual(['INVALID_EVENT', 'payload.command.action must be one of ROLLBACK, FALLBACK, SHUTDOWN']);
    expect(refusal(event({}, { roles: ['approver'], command: 'c1' }))).toEqual(['INVALID_EVENT', 'payload.command must be an object']);
  });
});
