import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/index.js';
import { Authenticator, checkAccessSettings } from '../../../src/security/authenticate.js';
import { MemoryTokenStore } from '../../../src/security/token-store.js';
import { mintToken } from '../../../src/security/tokens.js';

const NOW = Date.UTC(2026, 0, 15);
const access = (doc: Record<string, unknown>) => buildConfig({ access: doc }, 'vigil.yaml').config.access;

describe('the authenticator', () => {
  it('refuses at start-up a binding naming both or neither of principal and group, and OIDC without exactly one JWKS source', () => {
    expect(checkAccessSettings(access({ bindings: [{ principal: 'a', group: 'g', roles: ['viewer'] }, { roles: ['viewer'] }] }))).toEqual([
      'access.bindings[0] must name exactly one of principal or group',
      'access.bindings[1] must name exactly one of principal or group',
    ]);
    expect(() => new Authenticator({ access: access({ oidc: { issuer: 'i', audience: 'a' } }), tokens: new MemoryTokenStore() })).toThrow(/access\.oidc must name exactly one of jwksFile or jwksUrl/);
    expect(() => buildConfig({ access: { bindings: [{ principal: 'a', roles: ['root'] }] } }, 'vigil.yaml')).toThrow(/access\.bindings\.0\.roles\.0/);
    expect(() => buildConfig({ access: { limits: { authFailures: { max: 101 } } } }, 'vigil.yaml')).toThrow(/access\.limits\.authFailures\.max must be integer >= 1 and <= 100/);
    expect(() => buildConfig({ access: { tokenz: {} } }, 'vigil.yaml')).toThrow(/access\.tokenz is not a known key/);
  });

  it('joins a token’s own grants with the bindings of its owner', async () => {
    const { token, record } = mintToken({ owner: 'olga', roles: ['viewer'], scopes: ['credit-*'], expiresAt: null }, NOW);
    const auth = new Authenticator({ access: access({ bindings: [{ principal: 'olga', roles: ['approver'], models: ['fraud-*'] }, { principal: 'other', roles: ['admin'] }] }), tokens: new MemoryTokenStore([record]) });
    const result = await auth.authenticate(`Bearer ${token}`, '127.0.0.1', NOW);
    expect(result).toMatchObject({ ok: true, principal: { id: 'olga', kind: 'token', credentialId: record.id, grants: [{ role: 'viewer', models: ['credit-*'] }, { role: 'approver', models: ['fraud-*'] }] } });
  });

  it('refuses JWTs when no OIDC issuer is configured, and counts it as a failure', async () => {
    const auth = new Authenticator({ access: access({ limits: { authFailures: { max: 2, windowSec: 60 } } }), tokens: new MemoryTokenStore() });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
    expect(await auth.authenticate(`Bearer ${jwt}`, '10.0.0.1', NOW)).toMatchObject({ ok: false, status: 401, message: 'bearer JWTs are not accepted: no access.oidc is configured', account: 'oidc:alice' });
    await auth.authenticate(`Bearer ${jwt}`, '10.0.0.2', NOW);
    expect(await auth.authenticate(`Bearer ${jwt}`, '10.0.0.3', NOW)).toMatchObject({ ok: false, status: 429, account: 'oidc:alice', retryAfterSec: 60 });
    expect(await auth.authenticate(undefined, '10.0.0.1', NOW)).toMatchObject({ ok: false, status: 401, code: 'VIGIL_AUTH_REQUIRED' });
  });
});
