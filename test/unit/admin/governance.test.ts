/**
 * The governance gate behind the admin API, with inject() and no port: every action and refusal,
 * separation of duties, roles, hostile bodies (4xx, never 5xx), the events written to the (in-memory)
 * governance topic and the registry folded from them, the audit records of every step and refusal,
 * and the auditor's verify and evidence report over them.
 */
import { describe, expect, it } from 'vitest';
import { canonicalHash } from '../../../src/config/canonical.js';
import type { Role } from '../../../src/config/types.js';
import { fold, versionOf } from '../../../src/governance/registry/queries.js';
import type { DeploymentManifest } from '../../../src/governance/manifest/types.js';
import { RegistryView } from '../../../src/admin/governance.js';
import { makeManifest } from '../governance/helpers.js';
import { bearer, testApi } from './helpers.js';

const M = '/v1/models/credit-risk';
const TOKENS: Record<string, { roles: Role[]; owner?: string }> = {
  olga: { roles: ['operator', 'approver'] }, // submits and deploys; also an approver, but never of her own submission
  ann: { roles: ['approver'] },
  bob: { roles: ['approver'] },
  vic: { roles: ['viewer'] },
  ada: { roles: ['admin'] },
  aud: { roles: ['auditor'] },
};

function manifest(version: string, rollback: DeploymentManifest['rollback'] = { targetVersion: null, noTargetReason: 'first version of the model' }): DeploymentManifest {
  return makeManifest((m) => {
    m.modelVersion = version;
    m.rollback = rollback;
  });
}

function setup() {
  const api = testApi({ tokens: TOKENS, governance: 'gate', auditService: 'memory' });
  const post = (who: string, url: string, payload: unknown = {}) => api.app.inject({ method: 'POST', url, headers: bearer(api.texts[who]!), payload: payload as object });
  const act = (who: string, action: string, version: string, payload: unknown = {}) => post(who, `${M}/versions/${version}/${action}`, payload);
  const approved = async (version: string, rollback?: DeploymentManifest['rollback']) => {
    expect((await act('olga', 'submit', version, { manifest: manifest(version, rollback) })).statusCode).toBe(200);
    expect((await act('ann', 'approve', version)).statusCode).toBe(200);
    expect((await act('bob', 'approve', version)).statusCode).toBe(200);
  };
  return { api, post, act, approved };
}

describe('governance actions through the admin API', () => {
  it('submit checks the manifest against the rule packs and writes the submission and the check result', async () => {
    const { api, act } = setup();
    const m = manifest('1.0.0');
    const res = await act('olga', 'submit', '1.0.0', { manifest: m });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ type: 'CHECK_COMPLETED', modelId: 'credit-risk', modelVersion: '1.0.0', actor: 'olga', status: 'checked', events: ['ev-1', 'ev-2'] });
    expect(body.check).toMatchObject({ passed: true, errors: 0 });
    expect(api.governanceTopic.map((e) => [e.type, e.modelId, e.modelVersion, e.actor])).toEqual([
      ['MANIFEST_SUBMITTED', 'credit-risk', '1.0.0', 'olga'],
      ['CHECK_COMPLETED', 'credit-risk', '1.0.0', 'olga'],
    ]);
    const submitted = JSON.parse(api.governanceTopic[0]!.payload) as { manifestHash: string; riskClass: string; manifest: unknown };
    expect(submitted.manifestHash).toBe(canonicalHash(m));
    expect(submitted.riskClass).toBe('high');
    expect(submitted.manifest).toEqual(m);
    expect(api.audit.records.map((r) => [r.action, r.actor, r.subject])).toEqual([['governance.submit', 'olga', 'credit-risk@1.0.0']]);
  });

  it('a manifest that fails a rule is recorded as check-failed, with the findings and their clauses', async () => {
    const { api, act } = setup();
    const bad = makeManifest((m) => {
      m.modelVersion = '1.0.0';
      m.rollback = { targetVersion: '0.9.0' }; // never approved
    });
    const res = await act('olga', 'submit', '1.0.0', { manifest: bad });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('check-failed');
    expect(res.json().check.passed).toBe(false);
    expect(res.json().check.findings.map((f: { path: string }) => f.path)).toContain('rollback.targetVersion');
    expect(JSON.parse(api.governanceTopic[1]!.payload)).toMatchObject({ passed: false });
    // A check-failed version cannot be approved.
    const approve = await act('ann', 'approve', '1.0.0');
    expect(approve.statusCode).toBe(409);
    expect(approve.json().message).toMatch(/credit-risk@1\.0\.0 is check-failed; an approval needs it checked \(WRONG_STATE/);
  });

  it('refuses self-approval and a second approval by the same identity with 409, audits the refusals, and needs two approvers for high risk', async () => {
    const { api, act } = setup();
    await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') });
    const self = await act('olga', 'approve', '1.0.0');
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ error: 'VIGIL_GOVERNANCE_REFUSED', message: 'olga submitted credit-risk@1.0.0 and cannot approve it (separation of duties: submitter-approves)' });
    const first = await act('ann', 'approve', '1.0.0', { reason: 'reviewed the model card' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ type: 'APPROVED', status: 'checked' });
    const twice = await act('ann', 'approve', '1.0.0');
    expect(twice.statusCode).toBe(409);
    expect(twice.json().message).toMatch(/ann has already approved credit-risk@1\.0\.0.*duplicate-approval/);
    const second = await act('bob', 'approve', '1.0.0');
    expect(second.json()).toMatchObject({ type: 'APPROVED', status: 'approved' });
    expect(api.governanceTopic.filter((e) => e.type === 'APPROVED').map((e) => [e.actor, JSON.parse(e.payload).roles, e.reason])).toEqual([
      ['ann', ['approver'], 'reviewed the model card'],
      ['bob', ['approver'], null],
    ]);
    expect(api.audit.records.map((r) => [r.action, r.actor])).toEqual([
      ['governance.submit', 'olga'],
      ['governance.approve.refused', 'olga'],
      ['governance.approve', 'ann'],
      ['governance.approve.refused', 'ann'],
      ['governance.approve', 'bob'],
    ]);
  });

  it('deploys with a rollback target or the reason there is none, rolls back (operator only), and the registry folded from the topic agrees', async () => {
    const { api, act, approved, post } = setup();
    await approved('1.0.0');
    const none = await act('olga', 'deploy', '1.0.0');
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toMatch(/needs a rollback target or the reason there is none \(BAD_ROLLBACK_TARGET/);
    const both = await act('olga', 'deploy', '1.0.0', { rollbackTarget: '0.1.0', noTargetReason: 'x' });
    expect(both.statusCode).toBe(400);
    expect((await act('olga', 'deploy', '1.0.0', { noTargetReason: 'first version of the model' })).json()).toMatchObject({ type: 'DEPLOYED', status: 'deployed' });

    await approved('2.0.0', { targetVersion: '1.0.0' });
    const self = await act('olga', 'deploy', '2.0.0', { rollbackTarget: '2.0.0' });
    expect(self.statusCode).toBe(409);
    expect(self.json().message).toMatch(/cannot be its own rollback target/);
    expect((await act('olga', 'deploy', '2.0.0', { rollbackTarget: '1.0.0' })).json()).toMatchObject({ status: 'deployed' });

    // Rollback: approvers and viewers may not; the operator may, to the last approved version before.
    const byApprover = await post('ann', `${M}/rollback`, { reason: 'drift' });
    expect(byApprover.statusCode).toBe(403);
    expect(byApprover.json().missingRoles).toEqual(['operator', 'admin']);
    const back = await post('olga', `${M}/rollback`, { reason: 'drift on f01' });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ type: 'ROLLED_BACK', modelVersion: '2.0.0', status: 'rolled-back' });
    expect(JSON.parse(api.governanceTopic.at(-1)!.payload)).toEqual({ roles: ['approver', 'operator'], toVersion: '1.0.0' });
    const again = await post('olga', `${M}/rollback`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/credit-risk@1\.0\.0 has no approved earlier version to roll back to/);

    const { state, refusals } = fold(api.governanceTopic);
    expect(refusals).toEqual([]);
    expect(state.models['credit-risk']).toEqual(api.registry.state.models['credit-risk']);
    expect(versionOf(state, 'credit-risk', '1.0.0')?.status).toBe('deployed');
    expect(versionOf(state, 'credit-risk', '2.0.0')?.status).toBe('rolled-back');
    expect(state.models['credit-risk']?.deployed).toBe('1.0.0');
  });

  it('rejects only with a reason, lets the rejected version be submitted again, and retires with a reason', async () => {
    const { act, approved } = setup();
    await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') });
    const bare = await act('ann', 'reject', '1.0.0');
    expect(bare.statusCode).toBe(409);
    expect(bare.json().message).toMatch(/rejecting credit-risk@1\.0\.0 needs a reason \(REASON_REQUIRED/);
    expect((await act('ann', 'reject', '1.0.0', { reason: 'model card incomplete' })).json()).toMatchObject({ type: 'REJECTED', status: 'rejected' });
    expect((await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') })).json().status).toBe('checked');
    await approved('1.1.0');
    expect((await act('olga', 'retire', '1.1.0')).statusCode).toBe(409);
    expect((await act('olga', 'retire', '1.1.0', { reason: 'superseded by 1.2.0' })).json()).toMatchObject({ type: 'RETIRED', status: 'retired' });
  });

  it('an admin acts as approver and operator; steps out of order are refused with the reason', async () => {
    const { api, act } = setup();
    const unknown = await act('ann', 'approve', '9.9.9');
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().message).toMatch(/credit-risk@9\.9\.9 was never submitted \(UNKNOWN_VERSION/);
    await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') });
    expect((await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') })).json().message).toMatch(/is checked; only a new, rejected, failed or expired version may be submitted/);
    expect((await act('olga', 'deploy', '1.0.0', { noTargetReason: 'first' })).json().message).toMatch(/is checked; a deployment needs it approved or superseded/);
    expect((await act('ada', 'approve', '1.0.0')).json().status).toBe('checked');
    expect(JSON.parse(api.governanceTopic.at(-1)!.payload).roles).toEqual(['admin', 'approver', 'operator']);
  });

  it('refuses callers without the role with 403 naming it, and writes nothing for them', async () => {
    const { api, act } = setup();
    const cases: [string, string, Role[]][] = [
      ['vic', 'submit', ['operator', 'admin']],
      ['ann', 'submit', ['operator', 'admin']],
      ['vic', 'approve', ['approver', 'admin']],
      ['aud', 'deploy', ['operator', 'admin']],
      ['vic', 'retire', ['operator', 'admin']],
    ];
    for (const [who, action, missing] of cases) {
      const res = await act(who, action, '1.0.0', action === 'submit' ? { manifest: manifest('1.0.0') } : {});
      expect(res.statusCode, `${who} ${action}`).toBe(403);
      expect(res.json().missingRoles).toEqual(missing);
    }
    expect(api.governanceTopic).toEqual([]);
  });

  it('answers hostile and malformed bodies with 4xx, never 5xx, and writes nothing', async () => {
    const { api, act } = setup();
    const raw = (payload: string, contentType = 'application/json') =>
      api.app.inject({ method: 'POST', url: `${M}/versions/1.0.0/submit`, headers: { ...bearer(api.texts['olga']!), 'content-type': contentType }, payload });
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const cases: [string, () => Promise<{ statusCode: number; json(): { error: string; message: string } }>, number, RegExp][] = [
      ['no manifest', () => act('olga', 'submit', '1.0.0', {}), 400, /needs its manifest in the body/],
      ['a manifest that breaks the schema', () => act('olga', 'submit', '1.0.0', { manifest: { modelId: 'credit-risk' } }), 400, /invalid manifest in the body of the submission of credit-risk@1\.0\.0/],
      ['a manifest of another version', () => act('olga', 'submit', '1.0.0', { manifest: manifest('2.0.0') }), 400, /manifest's modelVersion is "2\.0\.0", but the request submits credit-risk@1\.0\.0/],
      ['an edited manifest', () => act('olga', 'submit', '1.0.0', { manifest: { ...manifest('1.0.0'), environment: { ...manifest('1.0.0').environment, arch: 'arm64' } } }), 400, /the manifest was edited after capture/],
      ['a manifest that is a list', () => act('olga', 'submit', '1.0.0', { manifest: [1, 2] }), 400, /manifest must be object/],
      ['an unknown field', () => act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0'), admin: true }), 400, /must NOT have additional properties/],
      ['a reason of 10,000 characters', () => act('ann', 'reject', '1.0.0', { reason: 'x'.repeat(10_000) }), 400, /reason must NOT have more than 2000 characters/],
      ['a rollback target that is not an id', () => act('olga', 'deploy', '1.0.0', { rollbackTarget: 'a/b' }), 400, /rollbackTarget must match pattern/],
      ['__proto__', () => raw('{"__proto__":{"admin":true}}'), 400, /./],
      ['constructor.prototype', () => raw('{"constructor":{"prototype":{"x":1}}}'), 400, /./],
      ['broken JSON', () => raw('{"manifest":'), 400, /./],
      ['nesting 40 deep', () => raw(`{"manifest":${deep}}`), 400, /./],
      ['a body over the limit', () => raw(JSON.stringify({ reason: 'x'.repeat(70_000) })), 413, /larger than/],
      ['not JSON', () => raw('manifest=1', 'application/x-www-form-urlencoded'), 415, /./],
      ['no body at all', () => api.app.inject({ method: 'POST', url: `${M}/versions/1.0.0/submit`, headers: bearer(api.texts['olga']!) }), 400, /./],
      ['a JSON null body', () => raw('null'), 400, /./],
      ['a JSON string body', () => raw('"manifest"'), 400, /./],
      ['a version with a control character', () => api.app.inject({ method: 'POST', url: `${M}/versions/1%0A0/approve`, headers: bearer(api.texts['ann']!), payload: {} }), 400, /./],
    ];
    for (const [name, call, status, message] of cases) {
      const res = await call();
      expect(res.statusCode, name).toBe(status);
      expect(res.json().message, name).toMatch(message);
    }
    expect(api.governanceTopic).toEqual([]);
    expect(api.audit.records.filter((r) => r.action.startsWith('governance.'))).toEqual([]);
  });
});

describe('concurrency and the API description', () => {
  it('serialises actions: the same approval sent twice at once is accepted once and refused once', async () => {
    const { api, act } = setup();
    await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') });
    const results = await Promise.all([act('ann', 'approve', '1.0.0'), act('ann', 'approve', '1.0.0'), act('bob', 'approve', '1.0.0')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 409]);
    expect(api.governanceTopic.filter((e) => e.type === 'APPROVED').map((e) => e.actor).sort()).toEqual(['ann', 'bob']);
    expect(fold(api.governanceTopic).refusals).toEqual([]);
  });

  it('describes the new routes in /openapi.json: 409 refusals, retire, and the auditor-only I/O log', async () => {
    const { api } = setup();
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/models/{modelId}/versions/{version}/approve'].post.responses['409']).toBeDefined();
    expect(doc.paths['/v1/models/{modelId}/versions/{version}/retire'].post['x-vigil-roles']).toEqual(['operator', 'admin']);
    expect(doc.paths['/v1/iolog'].get['x-vigil-roles']).toEqual(['auditor']);
    expect(doc.paths['/v1/iolog'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['model', 'event', 'from', 'to', 'limit']);
  });
});

describe('the auditor routes', () => {
  it('verify the admin chain and build the evidence report of a model as JSON, Markdown and HTML', async () => {
    const { api, act, approved } = setup();
    await approved('1.0.0');
    await act('olga', 'deploy', '1.0.0', { noTargetReason: 'first version of the model' });
    const get = (who: string, url: string) => api.app.inject({ method: 'GET', url, headers: bearer(api.texts[who]!) });

    const verify = await get('aud', '/v1/audit/verify');
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, chains: [{ chainId: 'admin', ok: true, count: api.audit.records.length, findings: [] }] });
    expect((await get('aud', '/v1/audit/verify?chainId=nope')).statusCode).toBe(404);
    // A changed record is found and named.
    const victim = api.audit.records[1]!;
    api.audit.records[1] = { ...victim, actor: 'mallory' };
    const broken = (await get('aud', '/v1/audit/verify?chainId=admin')).json();
    expect(broken.ok).toBe(false);
    expect(broken.chains[0].findings[0]).toMatchObject({ kind: 'changed', seq: victim.seq });
    api.audit.records[1] = victim;

    const json = await get('aud', '/v1/audit/report?model=credit-risk');
    expect(json.statusCode).toBe(200);
    const report = json.json();
    expect(report.versions).toMatchObject([{ version: '1.0.0', status: 'deployed', submitter: 'olga', approvals: [{ actor: 'ann' }, { actor: 'bob' }] }]);
    expect(report.manifests.map((m: { version: string }) => m.version)).toEqual(['1.0.0']);
    expect(report.checks[0]).toMatchObject({ version: '1.0.0', passed: true });
    expect(report.audit.verified).toBe(true);
    expect(report.deployments).toMatchObject([{ version: '1.0.0', actor: 'olga', noTargetReason: 'first version of the model' }]);

    const md = await get('aud', '/v1/audit/report?model=credit-risk&format=md');
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toMatch(/credit-risk/);
    expect(md.body).toMatch(/1\.0\.0/);
    const html = await get('ada', '/v1/audit/report?model=credit-risk&format=html');
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toMatch(/<span class="badge ok">verified<\/span>/);

    expect((await get('aud', '/v1/audit/report')).statusCode).toBe(400);
    expect((await get('aud', '/v1/audit/report?model=credit-risk&format=pdf')).statusCode).toBe(400);
    expect((await get('aud', '/v1/audit/report?model=credit-risk&from=2026-02-01&to=2026-01-01')).statusCode).toBe(400);
    const viewer = await get('vic', '/v1/audit/report?model=credit-risk');
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().missingRoles).toEqual(['auditor', 'admin']);
  });
});

describe('models and versions from the registry', () => {
  it('lists the registry\'s versions beside the configured ones, with its last approved version', async () => {
    const { api, act, approved } = setup();
    const get = async (url: string) => (await api.app.inject({ method: 'GET', url, headers: bearer(api.texts['vic']!) })).json();
    expect(await get(M)).toEqual({ modelId: 'credit-risk', lastApproved: '1.0.0', versions: [{ version: '1.0.0', state: 'approved' }, { version: '1.1.0', state: 'known' }] });
    await approved('2.0.0');
    await act('olga', 'submit', '3.0.0', { manifest: manifest('3.0.0') });
    expect(await get(`${M}/versions`)).toEqual({
      modelId: 'credit-risk',
      versions: [
        { version: '1.0.0', state: 'approved' },
        { version: '1.1.0', state: 'known' },
        { version: '2.0.0', state: 'approved' },
        { version: '3.0.0', state: 'known' },
      ],
    });
    expect((await get(M)).lastApproved).toBe('2.0.0');
    const other = makeManifest((m) => {
      m.modelId = 'churn';
      m.modelVersion = '0.1.0';
      m.rollback = { targetVersion: null, noTargetReason: 'first' };
    });
    expect((await act('olga', 'submit', '0.1.0', { manifest: other })).statusCode).toBe(400); // the URL names credit-risk
    expect((await api.app.inject({ method: 'POST', url: '/v1/models/churn/versions/0.1.0/submit', headers: bearer(api.texts['olga']!), payload: { manifest: other } })).statusCode).toBe(200);
    expect((await get('/v1/models')).items.map((m: { modelId: string }) => m.modelId)).toEqual(['churn', 'credit-risk', 'fraud-v2']);
    expect(await get('/v1/models/churn')).toEqual({ modelId: 'churn', lastApproved: null, versions: [{ version: '0.1.0', state: 'known' }] });
  });
});

describe('the registry view', () => {
  it('ignores the gate\'s own events read back from the topic, and counts and reports other refusals', async () => {
    const reported: string[] = [];
    const view = new RegistryView(undefined, (r) => reported.push(r.code));
    const { api, act } = setup();
    await act('olga', 'submit', '1.0.0', { manifest: manifest('1.0.0') });
    for (const event of api.governanceTopic) expect(view.fold(event)).toBeNull();
    // Read back a second time (as the server's consumer does after the gate applied them): not refusals.
    for (const event of api.governanceTopic) expect(view.fold(event)).toBeNull();
    expect(view.refusals).toBe(0);
    const self = { ...api.governanceTopic[0]!, eventId: 'x1', type: 'APPROVED' as const, payload: '{"roles":["approver"]}' };
    expect(view.fold(self)?.code).toBe('SELF_APPROVAL');
    expect(view.fold({ ...self, eventId: 'x2', payload: 'not json' })?.code).toBe('INVALID_EVENT');
    expect(view.refusals).toBe(2);
    expect(reported).toEqual(['SELF_APPROVAL', 'INVALID_EVENT']);
    expect(view.state.models['credit-risk']).toEqual(api.registry.state.models['credit-risk']);
  });
});
