import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTokenStore, MAX_STORE_BYTES } from '../../../src/security/token-store.js';
import { checkToken, hashToken, mintToken, tokenIdOf } from '../../../src/security/tokens.js';
import { VigilError } from '../../../src/errors.js';

const NOW = Date.UTC(2026, 0, 15);
const spec = { owner: 'alice', roles: ['operator' as const], scopes: ['credit-*'], expiresAt: NOW + 3_600_000 };
const dir = () => mkdtempSync(join(tmpdir(), 'vigil-tokens-'));

describe('API tokens', () => {
  it('are vigil_<16 hex id>_<43 base64url chars: 256 bits>, stored only as the SHA-256 of the text', () => {
    const { token, record } = mintToken(spec, NOW);
    expect(token).toMatch(/^vigil_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.split('_').slice(2).join('_'), 'base64url')).toHaveLength(32);
    expect(record.hash).toBe(hashToken(token));
    expect(JSON.stringify(record)).not.toContain(token.slice(23));
    expect(record).toMatchObject({ id: tokenIdOf(token), owner: 'alice', roles: ['operator'], scopes: ['credit-*'], revokedAt: null });
    expect(mintToken(spec, NOW).token).not.toBe(token);
  });

  it('verify only with the exact text, before expiry and while not revoked', () => {
    const { token, record } = mintToken(spec, NOW);
    const lookup = (id: string) => (id === record.id ? record : undefined);
    expect(checkToken(token, lookup, NOW)).toMatchObject({ ok: true });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(checkToken(flipped, lookup, NOW)).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(checkToken(token, lookup, record.expiresAt!)).toMatchObject({ ok: false, reason: 'expired' });
    expect(checkToken(token, () => ({ ...record, revokedAt: NOW - 1 }), NOW)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(checkToken(token, () => undefined, NOW)).toMatchObject({ ok: false, reason: 'unknown' });
    for (const bad of ['', 'vigil_', 'vigil_zz_zz', `${token}x`, 'x'.repeat(100_000), `vigil_${'0'.repeat(16)}_${'\u0000'.repeat(43)}`]) {
      expect(checkToken(bad, lookup, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('a revoked token stays revoked at its first revocation time', () => {
    const store = new FileTokenStore(join(dir(), 'tokens.json'));
    const { record } = mintToken(spec, NOW);
    store.add(record);
    expect(store.revoke(record.id, NOW + 5).revokedAt).toBe(NOW + 5);
    expect(store.revoke(record.id, NOW + 9).revokedAt).toBe(NOW + 5);
    expect(() => store.revoke('0123456789abcdef', NOW)).toThrow(/no token with id "0123456789abcdef"/);
  });
});

describe('the file token store', () => {
  it('writes mode 0600 and sees revocations written by another process (another store instance)', () => {
    const file = join(dir(), 'sub', 'tokens.json');
    const server = new FileTokenStore(file);
    const cli = new FileTokenStore(file);
    const { token, record } = mintToken(spec, NOW);
    cli.add(record);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(server.get(record.id)?.revokedAt).toBeNull();
    cli.revoke(record.id, NOW + 1);
    expect(server.get(record.id)?.revokedAt).toBe(NOW + 1);
  });

  it('refuses a store others can read, a malformed one and an oversized one, naming the file', () => {
    const d = dir();
    const open = join(d, 'open.json');
    writeFileSync(open, JSON.stringify({ version: 1, tokens: [] }), { mode: 0o644 });
    chmodSync(open, 0o644);
    expect(() => new FileTokenStore(open).list()).toThrow(new RegExp(`${open}.*mode 644`));
    const cases: [string, string | Buffer, RegExp][] = [
      ['notjson.json', '{"version":1,', /is not JSON/],
      ['shape.json', JSON.stringify({ version: 1, tokens: [{ id: 'x' }] }), /tokens\/0/],
      ['extra.json', JSON.stringify({ version: 1, tokens: [], admin: true }), /must NOT have additional properties/],
      ['proto.json', '{"version":1,"tokens":[],"__proto__":{"x":1}}', /additional properties/],
      ['big.json', Buffer.alloc(MAX_STORE_BYTES + 1, 0x20), /bytes; at most/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(d, name);
      writeFileSync(file, content, { mode: 0o600 });
      let caught: unknown;
      try {
        new FileTokenStore(file).get('0123456789abcdef');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(VigilError);
      expect((caught as VigilError).code).toBe('VIGIL_CONFIG_INVALID');
      expect((caught as VigilError).message).toMatch(message);
      expect((caught as VigilError).message).toContain(file);
    }
  });

  it('is empty when the file does not exist yet', () => {
    expect(new FileTokenStore(join(dir(), 'none.json')).list()).toEqual([]);
  });
});
