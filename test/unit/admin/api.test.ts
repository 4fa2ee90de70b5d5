import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/contracts/records.js';
import { VigilError } from '../../../src/errors.js';
import { checkApproval } from '../../../src/security/duties.js';
import type { GovernanceActions } from '../../../src/admin/ports.js';
import { ROUTES } from '../../../src/admin/routes.js';
import { bearer, T0, testApi } from './helpers.js';

const M = '/v1/models/credit-risk';

describe('detector configuration', () => {
  it('an update is validated, written to vigil.config as the next revision, and audited', async () => {
    const api = testApi({ tokens: { op: { roles: ['operator'], owner: 'olga' } } });
    const put = (config: unknown) => api.app.inject({ method: 'PUT', url: `${M}/config`, headers: bearer(api.texts['op']!), payload: { config, reason: 'tune' } });
    const first = await put({ detectors: { psi: { warning: 0.2 } } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ modelId: 'credit-risk', revision: 1, updatedBy: 'olga', updatedAt: T0, config: { detectors: { psi: { warning: 0.2 } } } });
    expect(first.json().effective.windows.count).toBe(500);
    expect((await put({ windows: { count: 50 } })).json().revision).toBe(2);
    expect(api.published.map((p) => [p.key, p.value.revision, p.value.config])).toEqual([
      ['credit-risk', 1, '{"detectors":{"psi":{"warning":0.2}}}'],
      ['credit-risk', 2, '{"windows":{"count":50}}'],
    ]);
    expect(api.audit.records.map((r) => [r.action, r.actor, r.subject])).toEqual([
      ['config.update', 'olga', 'credit-risk'],
      ['config.update', 'olga', 'credit-risk'],
    ]);
    const read = await api.app.inject({ method: 'GET', url: `${M}/config`, headers: bearer(api.texts['op']!) });
    expect(read.json()).toMatchObject({ revision: 2, config: { windows: { count: 50 } } });
  });

  it('a bad document is a 400 naming the key, and nothing is written', async () => {
    const api = testApi({ tokens: { op: { roles: ['operator'] } } });
    const put = (config: unknown, url = `${M}/config`) => api.app.inject({ method: 'PUT', url, headers: bearer(api.texts['op']!), payload: { config } });
    const cases: [unknown, RegExp][] = [
      [{ windows: { count: 0 } }, /windows\.count must be integer >= 1/],
      [{ reference: { file: '/etc/passwd' } }, /reference\.file is not a known key/],
      [{ detectors: { psi: { warning: 0.9, critical: 0.5 } } }, /psi\.warning must be a number <=/],
      [{ bogus: true }, /bogus is not a known key/],
    ];
    for (const [config, message] of cases) {
      const res = await put(config);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const reserved = await put({}, '/v1/models/silence:x/config');
    expect(reserved.statusCode).toBe(400);
    expect(api.published).toEqual([]);
    expect(api.audit.records).toEqual([]);
  });
});

describe('silences', () => {
  it('are created and expired as records on vigil.config, listed with their state, and audited', async () => {
    const api = testApi({ tokens: { op: { roles: ['operator'], owner: 'olga' }, view: { roles: ['viewer'] } } });
    const created = await api.app.inject({
      method: 'POST',
      url: `${M}/silences`,
      headers: bearer(api.texts['op']!),
      payload: { matchers: { kind: 'DRIFT', feature: 'income' }, endsAt: T0 + 3_600_000, comment: 'retraining' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      kind: 'silence', silenceId: 's1', modelId: 'credit-risk', matchers: { kind: 'DRIFT', feature: 'income' }, startsAt: T0, endsAt: T0 + 3_600_000,
      comment: 'retraining', createdBy: 'olga', createdAt: T0, expiredAt: null, expiredBy: null, active: true,
    });
    expect(api.published[0]).toMatchObject({ key: 'silence:s1', value: { modelId: 'credit-risk', revision: 1, updatedBy: 'olga' } });
    expect(JSON.parse(api.published[0]!.value.config)).toMatchObject({ kind: 'silence', silenceId: 's1' });
    api.clock.now = T0 + 60_000;
    const expired = await api.app.inject({ method: 'DELETE', url: `${M}/silences/s1`, headers: bearer(api.texts['op']!) });
    expect(expired.json()).toMatchObject({ expiredAt: T0 + 60_000, expiredBy: 'olga', active: false });
    expect(api.published[1]).toMatchObject({ key: 'silence:s1', value: { revision: 2 } });
    const list = await api.app.inject({ method: 'GET', url: `${M}/silences`, headers: bearer(api.texts['view']!) });
    expect(list.json().items).toHaveLength(1);
    expect(api.audit.records.map((r) => r.action)).toEqual(['silence.create', 'silence.expire']);
    const missing = await api.app.inject({ method: 'DELETE', url: `${M}/silences/nope`, headers: bearer(api.texts['op']!) });
    expect(missing.statusCode).toBe(404);
    const backwards = await api.app.inject({ method: 'POST', url: `${M}/silences`, headers: bearer(api.texts['op']!), payload: { startsAt: T0 + 10, endsAt: T0, comment: 'x' } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toMatch(/endsAt .* must be after startsAt/);
  });
});

function alert(i: number, over: Partial<Alert> = {}): Alert {
  return {
    alertId: `a${i}`, fingerprint: `f${i}`, status: 'FIRING', severity: i % 2 ? 'CRITICAL' : 'WARNING', kind: 'DRIFT', modelId: i % 3 ? 'credit-risk' : 'fraud-v2', modelVersion: '1.1.0',
    detector: 'psi', feature: 'x', score: 0.3, threshold: 0.25, windowStart: T0, windowEnd: T0 + 1, startsAt: T0 + i, evidence: {}, source: { topic: 't', partition: 0, firstOffset: 0, lastOffset: 1 },
    configHash: 'h', referenceId: 'r', ...over,
  };
}

describe('the alert view', () => {
  it('filters by model, kind, severity, status and time, newest first, a page at a time, within the caller scope', async () => {
    const api = testApi({ tokens: { all: { roles: ['viewer'] }, fraud: { roles: ['viewer'], scopes: ['fraud-*'] } } });
    for (let i = 0; i < 30; i++) api.alerts.fold(alert(i));
    api.alerts.fold(alert(29, { status: 'RESOLVED' }));
    const get = (q: string, who = 'all') => api.app.inject({ method: 'GET', url: `/v1/alerts${q}`, headers: bearer(api.texts[who]!) });
    const page = (await get('?modelId=credit-risk&severity=CRITICAL&limit=5')).json();
    expect(page.items.map((a: Alert) => a.alertId)).toEqual(['a29', 'a25', 'a23', 'a19', 'a17']);
    expect(page.total).toBe(10);
    expect(page.nextOffset).toBe(5);
    expect((await get('?modelId=credit-risk&severity=CRITICAL&limit=5&offset=5')).json().nextOffset).toBeNull();
    expect((await get('?status=RESOLVED')).json().items.map((a: Alert) => a.alertId)).toEqual(['a29']);
    expect((await get(`?from=${T0 + 10}&to=${T0 + 12}`)).json().items.map((a: Alert) => a.alertId)).toEqual(['a11', 'a10']);
    expect((await get('?kind=ANOMALY')).json().total).toBe(0);
    const scoped = (await get('?limit=100', 'fraud')).json();
    expect(scoped.total).toBe(10);
    expect(new Set(scoped.items.map((a: Alert) => a.modelId))).toEqual(new Set(['fraud-v2']));
    for (const bad of ['?limit=-1', '?limit=abc', '?kind=SPOOKY', '?offset=1e3', '?nope=1', '?from=9999999999999999']) {
      expect((await get(bad)).statusCode).toBe(400);
    }
  });

  it('stays bounded: the oldest alerts leave beyond its capacity', async () => {
    const { AlertView } = await import('../../../src/admin/alert-view.js');
    const view = new AlertView(10);
    for (let i = 0; i < 1000; i++) view.fold(alert(i));
    expect(view.size).toBe(10);
    expect(view.folded).toBe(1000);
    expect(view.query({ limit: 500, offset: 0 }).items.map((a) => a.alertId).at(-1)).toBe('a990');
  });
});

describe('identities', () => {
  it('an expired or revoked token is refused with 401, and the refusal is audited without the token', async () => {
    const api = testApi({ tokens: { short: { roles: ['viewer'], expiresAt: T0 + 1000 }, gone: { roles: ['admin'], description: 'revoked' } } });
    const call = (name: string) => api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(api.texts[name]!) });
    expect((await call('short')).statusCode).toBe(200);
    api.clock.now = T0 + 1000;
    const expired = await call('short');
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: 'VIGIL_AUTH_INVALID', message: 'token expired' });
    expect((await call('gone')).json()).toMatchObject({ error: 'VIGIL_AUTH_INVALID', message: 'token revoked' });
    const denied = api.audit.records.filter((r) => r.action === 'access.denied');
    expect(denied).toHaveLength(2);
    expect(denied[0]!.actor).toBe('anonymous');
    expect(JSON.parse(denied[0]!.payload).claimedAccount).toMatch(/^token:[0-9a-f]{16}$/);
    const everything = JSON.stringify(api.audit.records) + api.lines.join('\n');
    for (const text of Object.values(api.texts)) expect(everything).not.toContain(text.slice(23));
  });

  it('whoami says who the caller is; a 403 names the role that was missing', async () => {
    const api = testApi({ tokens: { v: { roles: ['viewer'], owner: 'vera', scopes: ['credit-*'] } } });
    const me = await api.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(api.texts['v']!) });
    expect(me.json()).toEqual({ principal: 'vera', kind: 'token', grants: [{ role: 'viewer', models: ['credit-*'] }] });
    const no = await api.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(api.texts['v']!) });
    expect(no.statusCode).toBe(403);
    expect(no.json().message).toBe('needs role auditor or admin over every model (vera has viewer)');
    const access = api.lines.filter((l) => l.includes('"type":"access"'));
    expect(access).toHaveLength(2);
    for (const line of access) expect(line.match(/"time":/g)).toHaveLength(1);
    expect(JSON.parse(access[1]!)).toEqual({
      name: 'vigil-access', level: 30, msg: 'access', type: 'access', time: T0, requestId: 'req-2', principal: 'vera', credentialId: expect.stringMatching(/^[0-9a-f]{16}$/), roles: ['viewer'],
      method: 'GET', route: '/v1/audit/verify', model: null, decision: 'deny', reason: 'needs role auditor or admin over every model (vera has viewer)', status: 403,
      latencyMs: expect.any(Number), address: '127.0.0.1',
    });
  });
});

describe('abuse resistance', () => {
  it('locks an account after max failed attempts, even for the right token, with 429 and Retry-After', async () => {
    const api = testApi({ tokens: { t: { roles: ['viewer'] } }, access: { limits: { authFailures: { max: 5, windowSec: 3600 } } } });
    const good = api.texts['t']!;
    const wrong = `${good.slice(0, -4)}AAAA`;
    const call = (token: string, remoteAddress = '10.0.0.1') => api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(token), remoteAddress });
    for (let i = 0; i < 5; i++) expect((await call(wrong, `10.0.0.${i + 10}`)).statusCode).toBe(401);
    const locked = await call(good);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('3600');
    api.clock.now = T0 + 3_600_000;
    expect((await call(good)).statusCode).toBe(200);
  });

  it('locks a client address that keeps failing, whatever accounts it tries', async () => {
    const api = testApi({ tokens: { t: { roles: ['viewer'] } }, access: { limits: { authFailures: { max: 3, windowSec: 600 } } } });
    for (let i = 0; i < 3; i++) await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(`garbage-${i}`), remoteAddress: '10.9.9.9' });
    const res = await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(api.texts['t']!), remoteAddress: '10.9.9.9' });
    expect(res.statusCode).toBe(429);
    expect((await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(api.texts['t']!), remoteAddress: '10.9.9.8' })).statusCode).toBe(200);
  });

  it('rate-limits per principal and per address with 429 and Retry-After', async () => {
    const api = testApi({ tokens: { a: { roles: ['viewer'] }, b: { roles: ['viewer'] } }, access: { limits: { perPrincipal: { requests: 3, perSeconds: 60 }, perAddress: { requests: 5, perSeconds: 10 } } } });
    const call = (name: string, remoteAddress: string) => api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(api.texts[name]!), remoteAddress });
    for (let i = 0; i < 3; i++) expect((await call('a', `10.1.0.${i}`)).statusCode).toBe(200);
    const limited = await call('a', '10.1.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('20');
    for (let i = 0; i < 3; i++) expect((await call('b', '10.2.0.1')).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) await api.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.2.0.1' });
    const byAddress = await api.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.2.0.1' });
    expect(byAddress.statusCode).toBe(429);
    expect(byAddress.headers['retry-after']).toBe('2');
  });

  it('answers malformed, hostile and oversized requests with 4xx, never 5xx, and keeps serving', async () => {
    const api = testApi({ tokens: { op: { roles: ['admin'] } } });
    const auth = bearer(api.texts['op']!);
    const json = { ...auth, 'content-type': 'application/json' };
    const cases: { name: string; req: InjectOptions; status: number }[] = [
      { name: 'body over the limit', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: JSON.stringify({ config: { x: 'y'.repeat(70_000) } }) }, status: 413 },
      { name: 'broken JSON', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '{"config":' }, status: 400 },
      { name: 'empty JSON body', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '' }, status: 400 },
      { name: 'text body', req: { method: 'PUT', url: `${M}/config`, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' }, status: 415 },
      { name: '__proto__ key', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '{"config":{},"__proto__":{"admin":true}}' }, status: 400 },
      { name: 'constructor.prototype', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '{"config":{"constructor":{"prototype":{"x":1}}}}' }, status: 400 },
      { name: 'extra body key', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '{"config":{},"admin":true}' }, status: 400 },
      { name: 'config not an object', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: '{"config":[1,2]}' }, status: 400 },
      { name: 'deeply nested config', req: { method: 'PUT', url: `${M}/config`, headers: json, payload: `{"config":{"windows":${'['.repeat(5000)}${']'.repeat(5000)}}}` }, status: 400 },
      { name: 'silence with a number as comment', req: { method: 'POST', url: `${M}/silences`, headers: json, payload: '{"endsAt":1,"comment":5}' }, status: 400 },
      { name: 'silence ending at a string', req: { method: 'POST', url: `${M}/silences`, headers: json, payload: '{"endsAt":"tomorrow","comment":"x"}' }, status: 400 },
      { name: 'control character in model id', req: { method: 'GET', url: '/v1/models/a%00b', headers: auth }, status: 400 },
      { name: 'slash-encoded model id', req: { method: 'GET', url: '/v1/models/a%2Fb/config', headers: auth }, status: 400 },
      { name: 'model id over 256 characters', req: { method: 'GET', url: `/v1/models/${'m'.repeat(300)}`, headers: auth }, status: 414 },
      { name: 'unknown model', req: { method: 'GET', url: '/v1/models/nope', headers: auth }, status: 404 },
      { name: 'bad percent-encoding', req: { method: 'GET', url: '/v1/models/%zz', headers: auth }, status: 400 },
      { name: 'Basic credentials', req: { method: 'GET', url: '/v1/models', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }, status: 401 },
      { name: 'Bearer without token', req: { method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer ' } }, status: 401 },
      { name: 'huge Authorization header', req: { method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${'x'.repeat(9000)}` } }, status: 401 },
      { name: 'token with trailing junk', req: { method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${api.texts['op']!} x` } }, status: 401 },
      { name: 'unknown route', req: { method: 'GET', url: '/v1/../../etc/passwd', headers: auth }, status: 404 },
      { name: 'wrong method', req: { method: 'PATCH', url: `${M}/config`, headers: json, payload: '{}' }, status: 404 },
    ];
    const got: string[] = [];
    for (const c of cases) {
      const res = await api.app.inject(c.req);
      got.push(`${c.name}: ${res.statusCode}`);
      expect(res.json()).toMatchObject({ error: expect.stringMatching(/^VIGIL_/), requestId: expect.any(String) });
    }
    expect(got).toEqual(cases.map((c) => `${c.name}: ${c.status}`));
    expect(api.published).toEqual([]);
    expect((await api.app.inject({ method: 'GET', url: '/v1/models', headers: auth })).statusCode).toBe(200);
    expect(api.accessRecords()).toHaveLength(cases.length + 1);
  });

  it('sends security headers, and CORS headers only for configured origins', async () => {
    const api = testApi({ tokens: { v: { roles: ['viewer'] } }, access: { cors: { origins: ['https://console.example.test'] } } });
    const res = await api.app.inject({ method: 'GET', url: '/v1/models', headers: { ...bearer(api.texts['v']!), origin: 'https://evil.example.test' } });
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const evil = await api.app.inject({ method: 'OPTIONS', url: '/v1/models', headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'GET' } });
    expect(evil.statusCode).toBe(403);
    const good = await api.app.inject({ method: 'OPTIONS', url: '/v1/models', headers: { origin: 'https://console.example.test', 'access-control-request-method': 'GET' } });
    expect(good.statusCode).toBe(204);
    expect(good.headers['access-control-allow-origin']).toBe('https://console.example.test');
    const none = testApi();
    expect((await none.app.inject({ method: 'OPTIONS', url: '/v1/models', headers: { origin: 'https://console.example.test' } })).statusCode).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes every route of the table with its parameters, body, responses and roles', async () => {
    const { app } = testApi();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([, ops]) => Object.values(ops).map((o) => o.operationId));
    expect(operations.sort()).toEqual(ROUTES.filter((r) => r.method !== 'OPTIONS').map((r) => r.id).sort());
    const update = doc.paths['/v1/models/{modelId}/config'].put;
    expect(update['x-vigil-roles']).toEqual(['operator', 'admin']);
    expect(update.requestBody.content['application/json'].schema.required).toEqual(['config']);
    expect(update.parameters[0]).toMatchObject({ name: 'modelId', in: 'path', required: true });
    expect(doc.paths['/v1/models/{modelId}/versions/{version}/approve'].post.responses['501']).toBeDefined();
  });
});

describe('governance routes', () => {
  it('answer 501 with a clear message until the governance gate is wired in', async () => {
    const api = testApi({ tokens: { a: { roles: ['approver'] } } });
    const res = await api.app.inject({ method: 'POST', url: `${M}/versions/1.1.0/approve`, headers: bearer(api.texts['a']!), payload: {} });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ error: 'VIGIL_NOT_IMPLEMENTED', message: expect.stringMatching(/governance action approve is not implemented/) });
  });

  it('enforce separation of duties server-side once an implementation calls checkApproval', async () => {
    const approvals: string[] = [];
    const governance: GovernanceActions = {
      async perform(request) {
        if (request.action === 'approve') {
          const duty = checkApproval({ modelId: request.modelId, version: request.version ?? '', submitter: 'sam', approvers: approvals }, request.actor.id);
          if (!duty.ok) throw new VigilError('VIGIL_SEPARATION_OF_DUTIES', duty.reason);
          approvals.push(request.actor.id);
        }
        return { eventId: `e${approvals.length}`, type: 'APPROVED', modelId: request.modelId, modelVersion: request.version ?? '', actor: request.actor.id, timestamp: request.now };
      },
    };
    const api = testApi({ governance, tokens: { sam: { roles: ['approver'], owner: 'sam' }, ann: { roles: ['approver'], owner: 'ann' } } });
    const approve = (who: string) => api.app.inject({ method: 'POST', url: `${M}/versions/1.1.0/approve`, headers: bearer(api.texts[who]!), payload: { reason: 'ok' } });
    expect((await approve('sam')).json()).toMatchObject({ error: 'VIGIL_SEPARATION_OF_DUTIES', message: 'sam submitted credit-risk@1.1.0 and cannot approve it' });
    expect((await approve('ann')).statusCode).toBe(200);
    const twice = await approve('ann');
    expect(twice.statusCode).toBe(403);
    expect(twice.json().error).toBe('VIGIL_SEPARATION_OF_DUTIES');
    expect(api.audit.records.map((r) => [r.action, r.actor])).toEqual([['governance.approve', 'ann']]);
    expect(api.accessRecords().map((r) => r['decision'])).toEqual(['deny', 'allow', 'deny']);
  });
});
