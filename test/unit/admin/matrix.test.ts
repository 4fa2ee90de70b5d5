/**
 * The access-control matrix: every path of the route table × GET/POST/PUT/DELETE/PATCH × every role at
 * three model scopes (all models, a glob covering the model, a glob that does not) plus an anonymous
 * caller. The expected decision of each cell comes from the table below, written from the role
 * definitions by hand, not from the code under test. A route served without an entry here, or an
 * entry without a route, fails the test.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/admin/routes.js';
import { registeredRoutes } from '../../../src/admin/server.js';
import { verifyChain } from '../../../src/pipeline/policy/audit.js';
import type { Role } from '../../../src/config/types.js';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { verifierWith } from '../../../src/security/jwt.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { testProvider } from '../security/crypto/helpers.js';
import { T0, bearer, testApi } from './helpers.js';

/** `audited`: a successful call writes an audit record although it changes nothing (the I/O log read). */
type Expect = { roles: Role[] | 'public'; scope: 'model' | 'list' | 'global' | 'public'; ok: number; body?: unknown; audited?: boolean };

const VIEW: Role[] = ['viewer', 'operator', 'approver', 'auditor', 'admin'];
const OPERATE: Role[] = ['operator', 'admin'];
const APPROVE: Role[] = ['approver', 'admin'];
const AUDIT: Role[] = ['auditor', 'admin'];
const M = '/v1/models/credit-risk';

/** Expected decisions by route (`METHOD template`), with the concrete URL the matrix calls. */
const EXPECTED: Record<string, Expect & { url: string }> = {
  'GET /openapi.json': { url: '/openapi.json', roles: 'public', scope: 'public', ok: 200 },
  'GET /metrics': { url: '/metrics', roles: 'public', scope: 'public', ok: 200 },
  'GET /healthz': { url: '/healthz', roles: 'public', scope: 'public', ok: 200 },
  'GET /readyz': { url: '/readyz', roles: 'public', scope: 'public', ok: 200 },
  'OPTIONS /*': { url: '/v1/models', roles: 'public', scope: 'public', ok: 403 },
  'GET /v1/whoami': { url: '/v1/whoami', roles: VIEW, scope: 'list', ok: 200 },
  'GET /v1/models': { url: '/v1/models', roles: VIEW, scope: 'list', ok: 200 },
  'GET /v1/models/:modelId': { url: M, roles: VIEW, scope: 'model', ok: 200 },
  'GET /v1/models/:modelId/versions': { url: `${M}/versions`, roles: VIEW, scope: 'model', ok: 200 },
  'GET /v1/models/:modelId/config': { url: `${M}/config`, roles: VIEW, scope: 'model', ok: 200 },
  'PUT /v1/models/:modelId/config': { url: `${M}/config`, roles: OPERATE, scope: 'model', ok: 200, body: { config: { windows: { count: 800 } } } },
  'GET /v1/alerts': { url: '/v1/alerts', roles: VIEW, scope: 'list', ok: 200 },
  'GET /v1/models/:modelId/silences': { url: `${M}/silences`, roles: VIEW, scope: 'model', ok: 200 },
  'POST /v1/models/:modelId/silences': { url: `${M}/silences`, roles: OPERATE, scope: 'model', ok: 201, body: { endsAt: Date.UTC(2026, 0, 16), comment: 'maintenance' } },
  'DELETE /v1/models/:modelId/silences/:silenceId': { url: `${M}/silences/s1`, roles: OPERATE, scope: 'model', ok: 200 },
  'POST /v1/models/:modelId/versions/:version/submit': { url: `${M}/versions/1.1.0/submit`, roles: OPERATE, scope: 'model', ok: 501, body: { manifest: {} } },
  'POST /v1/models/:modelId/versions/:version/approve': { url: `${M}/versions/1.1.0/approve`, roles: APPROVE, scope: 'model', ok: 501, body: {} },
  'POST /v1/models/:modelId/versions/:version/reject': { url: `${M}/versions/1.1.0/reject`, roles: APPROVE, scope: 'model', ok: 501, body: { reason: 'no' } },
  'POST /v1/models/:modelId/versions/:version/deploy': { url: `${M}/versions/1.1.0/deploy`, roles: OPERATE, scope: 'model', ok: 501, body: {} },
  'POST /v1/models/:modelId/rollback': { url: `${M}/rollback`, roles: OPERATE, scope: 'model', ok: 501, body: { reason: 'drift' } },
  'POST /v1/models/:modelId/versions/:version/retire': { url: `${M}/versions/1.1.0/retire`, roles: OPERATE, scope: 'model', ok: 501, body: { reason: 'replaced' } },
  'POST /v1/models/:modelId/responses/:commandId/approve': { url: `${M}/responses/c0ffee/approve`, roles: APPROVE, scope: 'model', ok: 501, body: { reason: 'ok' } },
  'GET /v1/audit/verify': { url: '/v1/audit/verify', roles: AUDIT, scope: 'global', ok: 200 },
  'GET /v1/audit/report': { url: '/v1/audit/report?model=credit-risk', roles: AUDIT, scope: 'global', ok: 200 },
  // The I/O log: the auditor role only (not admin), on the model named in the query.
  'GET /v1/iolog': { url: '/v1/iolog?model=credit-risk', roles: ['auditor'], scope: 'model', ok: 200, audited: true },
};

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
const SCOPES = [
  { name: 'all', globs: ['*'], coversModel: true, coversAll: true },
  { name: 'matching', globs: ['credit-*'], coversModel: true, coversAll: false },
  { name: 'other', globs: ['fraud-*'], coversModel: false, coversAll: false },
] as const;
const ROLES: Role[] = ['viewer', 'operator', 'approver', 'auditor', 'admin'];

describe('the access-control matrix', () => {
  it('has an expectation for every route, and a route for every expectation', () => {
    const { app } = testApi();
    const served = registeredRoutes(app).map((r) => `${r.method} ${r.url}`).sort();
    expect(served).toEqual(ROUTES.map((r) => `${r.method} ${r.url}`).sort());
    expect(Object.keys(EXPECTED).sort()).toEqual(served);
  });

  it.each(['API token', 'OIDC JWT'] as const)('decides every cell of role × route × method × model scope as expected for %s callers, logs each request once and never a credential', async (kind) => {
    const tokens: Record<string, { roles: Role[]; scopes: string[] }> = { setup: { roles: ['admin'], scopes: ['*'] } };
    const limits = { perPrincipal: { requests: 1_000_000, perSeconds: 1 }, perAddress: { requests: 1_000_000, perSeconds: 1 } };
    let api: ReturnType<typeof testApi>;
    let texts: Record<string, string>;
    if (kind === 'API token') {
      for (const role of ROLES) for (const scope of SCOPES) tokens[`${role}.${scope.name}`] = { roles: [role], scopes: [...scope.globs] };
      api = testApi({ tokens, access: { limits }, auditService: 'memory', iolog: { records: [], envelope: new Envelope(testProvider()) } });
      texts = api.texts;
    } else {
      // Each cell's caller is a JWT whose group is bound to one role at one scope in the configuration.
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const oidc = { issuer: 'https://id.example.test', audience: 'vigil', jwksFile: 'unused.json' };
      const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] });
      const bindings = ROLES.flatMap((role) => SCOPES.map((scope) => ({ group: `${role}.${scope.name}`, roles: [role], models: [...scope.globs] })));
      api = testApi({ tokens, jwt: verifierWith({ ...oidc, algorithms: ['ES256'] }, jwks), access: { limits, oidc, bindings }, auditService: 'memory', iolog: { records: [], envelope: new Envelope(testProvider()) } });
      texts = { setup: api.texts['setup']! };
      for (const binding of bindings) {
        texts[binding.group] = await new SignJWT({ groups: [binding.group] }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer(oidc.issuer).setAudience(oidc.audience)
          .setSubject(`user-${binding.group}`).setExpirationTime(Math.floor(T0 / 1000) + 3600).sign(privateKey);
      }
    }
    const { app } = api;
    // A silence for the expire route to find.
    const made = await app.inject({ method: 'POST', url: `${M}/silences`, headers: bearer(texts['setup']!), payload: { endsAt: Date.UTC(2026, 0, 16), comment: 'setup' } });
    expect(made.statusCode).toBe(201);
    let injected = 1;
    let denials = made.statusCode === 401 || made.statusCode === 403 ? 1 : 0;
    let mutations = 1;
    const mismatches: string[] = [];
    const paths = new Map<string, Map<string, string>>();
    for (const key of Object.keys(EXPECTED)) {
      const [method, template] = key.split(' ') as [string, string];
      if (method === 'OPTIONS') continue;
      (paths.get(template) ?? paths.set(template, new Map()).get(template)!).set(method, key);
    }
    let cells = 0;
    const principals = [null, ...ROLES.flatMap((role) => SCOPES.map((scope) => ({ role, scope })))];
    for (const [template, byMethod] of paths) {
      const url = EXPECTED[[...byMethod.values()][0]!]!.url;
      for (const method of METHODS) {
        const key = byMethod.get(method);
        const spec = key === undefined ? undefined : EXPECTED[key];
        for (const who of principals) {
          cells++;
          let expected: 'allow' | 'deny401' | 'deny403' | 'absent';
          if (spec === undefined) expected = 'absent';
          else if (spec.roles === 'public') expected = 'allow';
          else if (who === null) expected = 'deny401';
          else {
            const hasRole = spec.roles.includes(who.role);
            const inScope = spec.scope === 'list' || (spec.scope === 'model' && who.scope.coversModel) || (spec.scope === 'global' && who.scope.coversAll);
            expected = hasRole && inScope ? 'allow' : 'deny403';
          }
          const headers = who === null ? {} : bearer(texts[`${who.role}.${who.scope.name}`]!);
          const res = await app.inject({ method, url, headers, ...(spec?.body !== undefined ? { payload: spec.body as object } : {}) });
          injected++;
          const status = res.statusCode;
          const actual = status === 401 ? 'deny401' : status === 403 ? 'deny403' : status === 404 && spec === undefined ? 'absent' : spec !== undefined && status === spec.ok ? 'allow' : `status ${status}`;
          if (actual !== expected) mismatches.push(`${method} ${template} as ${who === null ? 'anonymous' : `${who.role}/${who.scope.name}`}: expected ${expected}, got ${actual} ${res.body.slice(0, 200)}`);
          if (status === 401 || status === 403) denials++;
          if (status === 403 && spec !== undefined && spec.roles !== 'public') {
            expect(res.json().missingRoles).toEqual(spec.roles);
          }
          if (spec !== undefined && status === spec.ok && spec.ok < 300 && (['PUT', 'POST', 'DELETE'].includes(method) || spec.audited === true)) mutations++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(cells).toBe(paths.size * METHODS.length * principals.length);
    expect(cells).toBe(1760);

    // Every request appears exactly once in the access log, and no token text anywhere in the log.
    const records = api.accessRecords();
    expect(records).toHaveLength(injected);
    expect(new Set(records.map((r) => r['requestId'])).size).toBe(injected);
    const log = api.lines.join('\n');
    for (const text of Object.values(texts)) {
      expect(log).not.toContain(text);
      expect(log).not.toContain(text.startsWith('vigil_') ? text.slice(text.lastIndexOf('_') + 1) : text.slice(text.lastIndexOf('.') + 1));
    }
    // Every denial (401, 403) and every successful mutation is an audit record of one valid chain.
    expect(api.audit.records).toHaveLength(denials + mutations);
    expect(api.audit.records.filter((r) => r.action === 'access.denied')).toHaveLength(denials);
    expect(verifyChain(api.audit.records, new Map([[api.audit.records[0]!.keyId, publicKeyOf(api)]]))).toMatchObject({ ok: true });
  }, 60_000);

  it('shows a scoped viewer only the models its grants cover', async () => {
    const { app, texts } = testApi({ tokens: { fraud: { roles: ['viewer'], scopes: ['fraud-*'] }, all: { roles: ['viewer'], scopes: ['*'] } } });
    const scoped = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(texts['fraud']!) });
    expect(scoped.json().items.map((m: { modelId: string }) => m.modelId)).toEqual(['fraud-v2']);
    const all = await app.inject({ method: 'GET', url: '/v1/models', headers: bearer(texts['all']!) });
    expect(all.json().items.map((m: { modelId: string }) => m.modelId)).toEqual(['credit-risk', 'fraud-v2']);
  });
});

function publicKeyOf(api: ReturnType<typeof testApi>) {
  return api.auditPublicKey;
}
