/**
 * OIDC bearer tokens against a JWKS in a file and one served on 127.0.0.1: the good token passes;
 * wrong issuer, audience, algorithm, signature or expiry, `alg: none`, HS256 signed with the RSA public
 * key as the secret, and malformed tokens are refused (401 through the API, never 5xx).
 */
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifier } from '../../../src/security/jwt.js';
import type { OidcSettings } from '../../../src/config/types.js';
import { bearer, T0, testApi } from '../admin/helpers.js';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'vigil-admin';
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let otherRsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let settings: OidcSettings;
let verifier: JwtVerifier;
let server: ReturnType<typeof createServer>;
let jwksUrl: string;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  otherRsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-jwks-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
  settings = { issuer: ISSUER, audience: AUDIENCE, jwksFile: join(dir, 'jwks.json'), algorithms: ['RS256'] };
  verifier = createJwtVerifier(settings);
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const seconds = (ms: number) => Math.floor(ms / 1000);

async function token(options: { key?: CryptoKey; alg?: string; kid?: string; iss?: string; aud?: string; exp?: number | null; sub?: string; groups?: string[] } = {}): Promise<string> {
  const jwt = new SignJWT({ ...(options.groups ? { groups: options.groups } : {}) })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setSubject(options.sub ?? 'alice')
    .setIssuedAt(seconds(T0))
    .setJti('jti-1');
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? seconds(T0) + 600);
  return jwt.sign(options.key ?? rsa.privateKey);
}

describe('JWT verification', () => {
  it('accepts a token signed by a JWKS key with the right issuer, audience and expiry', async () => {
    expect(await verifier.verify(await token({ groups: ['ml-ops'] }), T0)).toEqual({ ok: true, identity: { subject: 'alice', groups: ['ml-ops'], tokenId: 'jti-1' } });
  });

  it('refuses each kind of bad token with a reason', async () => {
    const publicPem = await exportSPKI(rsa.publicKey);
    const hsWithPublicKey = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('alice').setExpirationTime(seconds(T0) + 600).sign(new TextEncoder().encode(publicPem));
    const none = new UnsecuredJWT({}).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('alice').setExpirationTime(seconds(T0) + 600).encode();
    const cases: [string, string, RegExp][] = [
      ['wrong issuer', await token({ iss: 'https://evil.example.test' }), /CLAIM_VALIDATION_FAILED/],
      ['wrong audience', await token({ aud: 'someone-else' }), /CLAIM_VALIDATION_FAILED/],
      ['expired', await token({ exp: seconds(T0) - 3600 }), /EXPIRED/],
      ['no expiry', await token({ exp: null }), /CLAIM_VALIDATION_FAILED/],
      ['signed by another key', await token({ key: otherRsa.privateKey }), /SIGNATURE_VERIFICATION_FAILED/],
      ['algorithm not allowed (ES256)', await token({ key: ec.privateKey, alg: 'ES256', kid: 'ec-1' }), /ALG_NOT_ALLOWED/],
      ['alg none', none, /ALG_NOT_ALLOWED|JWS_INVALID/],
      ['HS256 with the RSA public key as secret', hsWithPublicKey, /ALG_NOT_ALLOWED/],
      ['garbage', 'a.b.c', /JWS_INVALID|JWT_INVALID/],
      ['oversized', `${'a'.repeat(9000)}.b.c`, /too long/],
    ];
    for (const [name, jwt, reason] of cases) {
      const result = await verifier.verify(jwt, T0);
      expect({ name, ok: result.ok }).toEqual({ name, ok: false });
      if (!result.ok) expect({ name, reason: result.reason }).toEqual({ name, reason: expect.stringMatching(reason) });
    }
  });

  it('refuses HS256 with the public key even when HS256 is asked for: the schema allows asymmetric algorithms only', async () => {
    const { buildConfig } = await import('../../../src/config/index.js');
    expect(() => buildConfig({ access: { oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile: 'x', algorithms: ['HS256'] } } }, 'vigil.yaml')).toThrow(/access\.oidc\.algorithms\.0/);
    expect(() => buildConfig({ access: { oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile: 'x', algorithms: ['none'] } } }, 'vigil.yaml')).toThrow(/access\.oidc\.algorithms\.0/);
  });

  it('refuses a JWKS with a symmetric or private key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-jwks-'));
    writeFileSync(join(dir, 'oct.json'), JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }));
    expect(() => createJwtVerifier({ ...settings, jwksFile: join(dir, 'oct.json') })).toThrow(/keys\[0\] has kty "oct"/);
    writeFileSync(join(dir, 'private.json'), JSON.stringify({ keys: [await exportJWK(rsa.privateKey)] }));
    expect(() => createJwtVerifier({ ...settings, jwksFile: join(dir, 'private.json') })).toThrow(/private key/);
    writeFileSync(join(dir, 'bad.json'), '{"keys":');
    expect(() => createJwtVerifier({ ...settings, jwksFile: join(dir, 'bad.json') })).toThrow(/bad\.json is not JSON/);
  });

  it('fetches the JWKS from a URL', async () => {
    const remote = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
    expect(await remote.verify(await token(), T0)).toMatchObject({ ok: true });
    expect(await remote.verify(await token({ key: otherRsa.privateKey }), T0)).toMatchObject({ ok: false });
  });
});

describe('JWT callers of the API', () => {
  it('get the roles their subject or groups are bound to, and 401 for every bad token, never 5xx', async () => {
    const api = testApi({
      jwt: verifier,
      access: {
        oidc: { issuer: ISSUER, audience: AUDIENCE, jwksFile: settings.jwksFile },
        bindings: [
          { principal: 'alice', roles: ['viewer'] },
          { group: 'ml-ops', roles: ['operator'], models: ['credit-*'] },
        ],
      },
    });
    const read = await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(await token()) });
    expect(read.statusCode).toBe(200);
    const write = { method: 'PUT' as const, url: '/v1/models/credit-risk/config', payload: { config: { windows: { count: 700 } } } };
    const denied = await api.app.inject({ ...write, headers: bearer(await token()) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ error: 'VIGIL_FORBIDDEN', missingRoles: ['operator', 'admin'] });
    const viaGroup = await api.app.inject({ ...write, headers: bearer(await token({ sub: 'bob', groups: ['ml-ops'] })) });
    expect(viaGroup.statusCode).toBe(200);
    expect(api.published.at(-1)?.value.updatedBy).toBe('bob');
    const nobody = await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(await token({ sub: 'mallory' })) });
    expect(nobody.statusCode).toBe(403);
    const bad = [await token({ iss: 'x' }), await token({ aud: 'x' }), await token({ exp: seconds(T0) - 60 }), await token({ key: otherRsa.privateKey }), 'e30.e30.', 'not-a-jwt', '...'];
    for (const jwt of bad) {
      const res = await api.app.inject({ method: 'GET', url: '/v1/models', headers: bearer(jwt) });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const log = api.lines.join('\n');
    for (const jwt of bad.slice(0, 4)) expect(log).not.toContain(jwt.split('.')[2]);
  });
});
