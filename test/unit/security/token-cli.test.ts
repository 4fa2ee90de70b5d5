import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';
import { run } from '../../../src/cli/token.js';
import { isVigilError } from '../../../src/errors.js';

const NOW = Date.UTC(2026, 0, 15);

async function token(argv: string[], cwd: string, now = NOW): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  try {
    const code = await run(argv, { out: (l) => out.push(l), err: (l) => out.push(l) }, { now: () => now, cwd, env: {} });
    return { code, out };
  } catch (error) {
    if (!isVigilError(error)) throw error;
    return { code: error.exitCode, out: [error.message] };
  }
}

describe('vigil token', () => {
  it('creates a token shown once, lists it without its hash, and revokes it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-token-cli-'));
    const created = await token(['create', '--owner', 'olga', '--role', 'operator', '--scope', 'credit-*', '--expires', '30d', '--description', 'ci'], cwd);
    expect(created.code).toBe(0);
    const text = created.out.at(-1)!;
    expect(text).toMatch(/^vigil_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = text.slice(6, 22);
    expect(created.out[0]).toBe(`created token ${id} for olga (operator on credit-*; expires 2026-02-14T00:00:00.000Z)`);
    const file = join(cwd, '.vigil', 'tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(text.slice(23));

    const listed = await token(['list', '--format', 'json'], cwd);
    const [entry] = JSON.parse(listed.out[0]!) as Record<string, unknown>[];
    expect(entry).toMatchObject({ id, owner: 'olga', roles: ['operator'], scopes: ['credit-*'], state: 'active', description: 'ci' });
    expect(entry).not.toHaveProperty('hash');
    expect((await token(['list'], cwd, NOW + 31 * 86_400_000)).out[0]).toMatch(new RegExp(`^${id}  expired`));

    expect((await token(['revoke', id], cwd)).out[0]).toBe(`revoked token ${id} of olga at 2026-01-15T00:00:00.000Z`);
    expect((await token(['list'], cwd)).out[0]).toMatch(new RegExp(`^${id}  revoked`));
    expect(await token(['revoke', 'ffffffffffffffff'], cwd)).toMatchObject({ code: 2, out: [expect.stringMatching(/no token with id "ffffffffffffffff"/)] });
  });

  it.each([
    [['create', '--role', 'viewer'], /--owner must be/],
    [['create', '--owner', 'x'], /--role is required/],
    [['create', '--owner', 'x', '--role', 'root'], /--role must be one of viewer, operator, approver, auditor, admin, got "root"/],
    [['create', '--owner', 'x\u0000y', '--role', 'viewer'], /--owner must be/],
    [['create', '--owner', 'x'.repeat(201), '--role', 'viewer'], /--owner must be/],
    [['create', '--owner', 'x', '--role', 'viewer', '--expires', 'soon'], /--expires must be hours/],
    [['create', '--owner', 'x', '--role', 'viewer', '--expires', '99999d'], /--expires must be/],
    [['create', '--owner', 'x', '--role', 'viewer', '--scope', ''], /--scope must be a glob/],
    [['create', 'extra', '--owner', 'x', '--role', 'viewer'], /unexpected argument "extra"/],
    [['revoke'], /needs a token id/],
    [['revoke', '../../etc'], /needs a token id/],
    [['list', '--format', 'yaml'], /--format must be text or json/],
    [['rotate'], /expected create, list or revoke, got "rotate"/],
    [[], /expected create, list or revoke, got nothing/],
    [['create', '--bogus'], /Unknown option '--bogus'/],
  ])('%o is a usage error (exit 2) that says what is wrong', async (argv, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-token-cli-'));
    const result = await token(argv as string[], cwd);
    expect(result.code).toBe(2);
    expect(result.out.join('\n')).toMatch(message);
  });

  it('refuses a store others can read, naming it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vigil-token-cli-'));
    writeFileSync(join(cwd, 'vigil.yaml'), 'access:\n  tokens:\n    file: open.json\n');
    writeFileSync(join(cwd, 'open.json'), '{"version":1,"tokens":[]}', { mode: 0o644 });
    const result = await token(['list'], cwd);
    expect(result.code).toBe(2);
    expect(result.out[0]).toMatch(/open\.json is readable or writable by others/);
  });

  it('has --help, and vigil lists the token and serve commands', async () => {
    const lines: string[] = [];
    expect(await main(['token', '--help'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(0);
    expect(await main(['serve', '--help'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(0);
    expect(await main(['serve', 'now'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(2);
    expect(await main(['--help'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/Usage: vigil token create/);
    expect(text).toMatch(/Usage: vigil serve/);
    expect(text).toMatch(/unexpected argument "now"/);
    expect(text).toMatch(/^ {2}token +create, list or revoke API tokens/m);
  });
});
