import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-keys-'));
const keyFile = join(dir, 'kek.json');
const plain = join(dir, 'model.bin');
const content = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) & 0xff));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function vigil(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(() => writeFileSync(plain, content));

describe('vigil keys', () => {
  it('generates a 0600 keyring, refuses to overwrite it, rotates it and lists it without printing key material', async () => {
    const created = await vigil('keys', 'generate', '--file', keyFile);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/created key-encryption key kek-[0-9a-f]{16} in .*kek\.json \(mode 0600, primary; 1 key\)/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(await vigil('keys', 'generate', '--file', keyFile)).toMatchObject({ code: 2, err: expect.stringMatching(/exists; pass --rotate/) });
    const key = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].key as string;
    const listed = await vigil('keys', 'list', '--key-file', keyFile);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^kek-[0-9a-f]{16} {2}\(primary\)$/);
    expect(listed.out).not.toContain(key);
  });

  it.each([
    [['keys'], /expected generate, list, rewrap or retire, got nothing/],
    [['keys', 'retire', '--file', join(dir, 'kek.json')], /retire needs exactly one KEK id/],
    [['keys', 'retire', '--file', join(dir, 'kek.json'), 'kek-nope'], /holds no key "kek-nope"/],
    [['keys', 'generate'], /generate needs --file PATH/],
    [['keys', 'generate', '--file', join(dir, 'none.json'), '--rotate'], /--rotate needs an existing keyring/],
    [['keys', 'rewrap', '--key-file', join(dir, 'kek.json')], /rewrap needs at least one artifact file/],
    [['keys', 'list', '--key-file', join(dir, 'absent.json')], /cannot read key file .*absent\.json/],
  ])('%o exits 2 and says why', async (argv, message) => {
    const result = await vigil(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('vigil artifact', () => {
  it('encrypts, verifies against the printed digest, decrypts; rotation + rewrap keep it readable', async () => {
    const sha = createHash('sha256').update(content).digest('hex');
    const enc = await vigil('artifact', 'encrypt', plain, '--key-file', keyFile, '--json');
    expect(enc.code).toBe(0);
    expect(JSON.parse(enc.out)).toMatchObject({ sha256: sha, plaintextBytes: 200_000, segments: 4 });
    expect(await vigil('artifact', 'verify', `${plain}.vgla`, '--key-file', keyFile, '--sha256', sha)).toMatchObject({ code: 0 });
    expect(await vigil('artifact', 'decrypt', `${plain}.vgla`, '--key-file', keyFile, '--out', join(dir, 'back.bin'))).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, 'back.bin'))).toEqual(content);

    expect((await vigil('keys', 'generate', '--file', keyFile, '--rotate')).out).toMatch(/added key-encryption key .* 2 keys/);
    expect((await vigil('keys', 'rewrap', '--key-file', keyFile, `${plain}.vgla`)).out).toMatch(/data key rewrapped with kek-/);
    expect((await vigil('keys', 'rewrap', '--key-file', keyFile, `${plain}.vgla`)).out).toMatch(/already wrapped with kek-/);
    expect(await vigil('artifact', 'verify', `${plain}.vgla`, '--key-file', keyFile, '--sha256', sha)).toMatchObject({ code: 0 });

    const ring = JSON.parse(readFileSync(keyFile, 'utf8')) as { primary: string; keys: { id: string }[] };
    const old = ring.keys.find((k) => k.id !== ring.primary)?.id as string;
    expect(await vigil('keys', 'retire', '--file', keyFile, ring.primary)).toMatchObject({ code: 2, err: expect.stringMatching(/is the primary key; rotate first/) });
    expect(await vigil('keys', 'retire', '--file', keyFile, old)).toMatchObject({ code: 0, out: expect.stringMatching(/retired kek-.* 1 key left/) });
    expect(await vigil('artifact', 'verify', `${plain}.vgla`, '--key-file', keyFile, '--sha256', sha)).toMatchObject({ code: 0 });
  });

  it('exits 1 when verification fails (tampered, truncated, digest mismatch, corrupted header)', async () => {
    await vigil('artifact', 'encrypt', plain, '--key-file', keyFile, '--out', join(dir, 'v.vgla'));
    const good = readFileSync(join(dir, 'v.vgla'));
    const tampered = Buffer.from(good);
    tampered[good.length - 100] = (tampered[good.length - 100] as number) ^ 1;
    const corruptHeader = Buffer.from(good);
    corruptHeader.writeUInt32BE(7, 5);
    const cases: Record<string, Buffer> = { tampered, truncated: good.subarray(0, good.length - 10), corruptHeader };
    for (const [name, bytes] of Object.entries(cases)) {
      writeFileSync(join(dir, `${name}.vgla`), bytes);
      const result = await vigil('artifact', 'verify', join(dir, `${name}.vgla`), '--key-file', keyFile);
      expect([name, result.code]).toEqual([name, 1]);
      expect(result.err).toMatch(/verification failed: .*\[VIGIL_(DECRYPT_FAILED|ARTIFACT_CORRUPT)\]/);
      // decrypt of the same file: bad input, exit 2, and no output left behind.
      const out = join(dir, `${name}.out`);
      expect((await vigil('artifact', 'decrypt', join(dir, `${name}.vgla`), '--key-file', keyFile, '--out', out)).code).toBe(2);
      expect(existsSync(out)).toBe(false);
    }
    const mismatch = await vigil('artifact', 'verify', join(dir, 'v.vgla'), '--key-file', keyFile, '--sha256', 'ab'.repeat(32));
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/expected abab/);
  });

  it('exits 2 with the wrong key file, an unsafe key file and bad usage', async () => {
    const otherKey = join(dir, 'other.json');
    await vigil('keys', 'generate', '--file', otherKey);
    const wrong = await vigil('artifact', 'verify', `${plain}.vgla`, '--key-file', otherKey);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/key-encryption key "kek-[0-9a-f]+" is not in the keyring .*\[VIGIL_KEY_UNKNOWN\]/);
    chmodSync(otherKey, 0o640);
    expect((await vigil('artifact', 'verify', `${plain}.vgla`, '--key-file', otherKey)).err).toMatch(/has mode 640; it must be readable by its owner only/);
    const cases: [string[], RegExp][] = [
      [['artifact'], /expected encrypt, decrypt or verify, got nothing/],
      [['artifact', 'encrypt'], /encrypt needs a FILE/],
      [['artifact', 'decrypt', `${plain}.vgla`, '--key-file', keyFile], /decrypt needs --out PATH/],
      [['artifact', 'encrypt', plain, '--key-file', keyFile], /exists; pass --force/],
      [['artifact', 'encrypt', plain, '--key-file', keyFile, '--out', join(dir, 'x'), '--segment-size', '8'], /--segment-size must be a whole number from 16/],
      [['artifact', 'verify', `${plain}.vgla`, '--key-file', keyFile, '--sha256', 'xyz'], /--sha256 must be 64 hex digits/],
      [['artifact', 'verify', join(dir, 'missing.vgla'), '--key-file', keyFile], /cannot read .*missing\.vgla/],
      [['artifact', 'verify', `${plain}.vgla`], /no key-encryption key/],
    ];
    const saved = { file: process.env.VIGIL_KEK_FILE, kek: process.env.VIGIL_KEK };
    delete process.env.VIGIL_KEK_FILE;
    delete process.env.VIGIL_KEK;
    try {
      for (const [argv, message] of cases) {
        const result = await vigil(...argv);
        expect([argv.join(' '), result.code]).toEqual([argv.join(' '), 2]);
        expect(result.err).toMatch(message);
      }
    } finally {
      if (saved.file !== undefined) process.env.VIGIL_KEK_FILE = saved.file;
      if (saved.kek !== undefined) process.env.VIGIL_KEK = saved.kek;
    }
  });

  it.each([['keys'], ['artifact'], ['iolog']])('`vigil %s --help` exits 0 with a usage text', async (command) => {
    const { code, out } = await vigil(command, '--help');
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`Usage: vigil ${command}`));
  });
});
