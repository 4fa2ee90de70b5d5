import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../../../src/errors.js';
import { Envelope } from '../../../../src/security/crypto/envelope.js';
import { KEYRING_FORMAT, LocalKeyProvider, keyringFromText, newKek, readKeyringFile, rotateKeyring, writeKeyringFile } from '../../../../src/security/crypto/keyring.js';
import { resolveKeyProvider } from '../../../../src/security/crypto/resolve.js';
import { decryptSection, encryptSection, isSealedSection, rewrapSection } from '../../../../src/security/crypto/section.js';
import { bitFlips, seededRandom, testKeyring } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('keyring files', () => {
  it('are written 0600 and read back', () => {
    const file = join(dir, 'kek.json');
    const ring = testKeyring('file', 2);
    writeKeyringFile(file, ring);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const read = readKeyringFile(file);
    expect(read.primary).toBe(ring.primary);
    expect(read.keys.map((k) => k.key.toString('hex'))).toEqual(ring.keys.map((k) => k.key.toString('hex')));
  });

  it('are created with their folder, and a write that cannot happen is a clear error', () => {
    const nested = join(dir, 'a', 'b', 'kek.json');
    writeKeyringFile(nested, testKeyring());
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
    writeFileSync(join(dir, 'plainfile'), 'x');
    const error = failure(() => writeKeyringFile(join(dir, 'plainfile', 'kek.json'), testKeyring()));
    expect(error.code).toBe('VIGIL_KEY_INVALID');
    expect(error.message).toMatch(/cannot write key file .*plainfile\/kek\.json/);
  });

  it('refuse a file others can read, naming the file and the fix', () => {
    const file = join(dir, 'open.json');
    writeKeyringFile(file, testKeyring());
    chmodSync(file, 0o644);
    const error = failure(() => readKeyringFile(file));
    expect(error.code).toBe('VIGIL_KEY_INVALID');
    expect(error.message).toContain(`key file ${file} has mode 644`);
    expect(error.message).toContain('chmod 600');
  });

  it('refuse malformed, hostile and oversized content with the field at fault', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['{not json', /is not valid JSON/],
      ['{"format":"other","primary":"a","keys":[]}', /field "format" must be "vigil-keyring\/1"/],
      [`{"format":"${KEYRING_FORMAT}","primary":"a","keys":[]}`, /field "keys" must be a list of 1 to 1000 keys/],
      [`{"format":"${KEYRING_FORMAT}","primary":"a","keys":[{"id":"a","key":"AAAA"}]}`, /keys\[0\]\.key decodes to 3 bytes/],
      [`{"format":"${KEYRING_FORMAT}","primary":"b","keys":[{"id":"a","key":"${Buffer.alloc(32).toString('base64')}"}]}`, /primary key "b" is not among its keys/],
      [`{"format":"${KEYRING_FORMAT}","primary":"a","keys":[{"id":"a b","key":"${Buffer.alloc(32).toString('base64')}"}]}`, /keys\[0\]\.id "a b" must be/],
      [`{"format":"${KEYRING_FORMAT}","primary":"a","keys":[{"id":"a"}]}`, /keys\[0\] must have string fields/],
      ['not base64 at all!', /is not base64 of a 32-byte key/],
      [Buffer.alloc(31).toString('base64'), /decodes to 31 bytes/],
    ];
    for (const [text, message] of cases) {
      const error = failure(() => keyringFromText(text, 'key file k.json'));
      expect(error.code).toBe('VIGIL_KEY_INVALID');
      expect(error.message).toMatch(message);
      expect(error.message).toContain('k.json');
    }
    const big = join(dir, 'big.json');
    writeFileSync(big, 'x'.repeat(300 * 1024), { mode: 0o600 });
    expect(failure(() => readKeyringFile(big)).message).toMatch(/more than the 262144 allowed/);
    expect(failure(() => readKeyringFile(join(dir, 'absent.json'))).message).toMatch(/cannot read key file .*absent\.json/);
  });

  it('accept one base64 key from the environment, with an id derived from it', async () => {
    const key = seededRandom('env')(32).toString('base64');
    const provider = resolveKeyProvider({ env: { VIGIL_KEK: key } });
    expect(provider.primaryKekId()).toMatch(/^kek-[0-9a-f]{16}$/);
    expect(resolveKeyProvider({ env: { VIGIL_KEK: key } }).primaryKekId()).toBe(provider.primaryKekId());
    const wrapped = await provider.wrap(Buffer.alloc(32, 1), 'dk-1');
    expect(await provider.unwrap(wrapped.kekId, wrapped.wrappedKey, 'dk-1')).toEqual(Buffer.alloc(32, 1));
    await expect(provider.unwrap(wrapped.kekId, wrapped.wrappedKey, 'dk-2')).rejects.toThrow(/authentication failed/);
    await expect(provider.unwrap(wrapped.kekId, wrapped.wrappedKey.subarray(1), 'dk-1')).rejects.toThrow(/is 59 bytes/);
    expect(failure(() => resolveKeyProvider({ env: {} })).message).toMatch(/no key-encryption key: pass --key-file/);
  });

  it('reach a running provider when the file is rotated on disk (reloadIfChanged)', async () => {
    const file = join(dir, 'live.json');
    const first = testKeyring('live');
    writeKeyringFile(file, first);
    const provider = LocalKeyProvider.fromFile(file);
    const envelope = new Envelope(provider);
    const before = await envelope.seal(Buffer.from('x'), { topic: 't', modelId: 'm', subject: 's1' });
    expect(provider.reloadIfChanged()).toBe(false);
    writeKeyringFile(file, rotateKeyring(first, newKek(new Date(), seededRandom('live-2'))));
    expect(provider.reloadIfChanged()).toBe(true);
    expect(provider.reloadIfChanged()).toBe(false);
    const after = await envelope.seal(Buffer.from('y'), { topic: 't', modelId: 'm', subject: 's2' });
    expect(after.kekId).not.toBe(before.kekId);
    expect(after.keyId).not.toBe(before.keyId);
    expect((await envelope.open(before, { topic: 't', modelId: 'm', subject: 's1' })).toString()).toBe('x');
    rmSync(file);
    expect(provider.reloadIfChanged()).toBe(false);
    expect(provider.primaryKekId()).toBe(after.kekId);
  });

  it('keep the previous keyring when a reload reads a broken file', () => {
    const file = join(dir, 'reload.json');
    writeKeyringFile(file, testKeyring('reload'));
    const provider = LocalKeyProvider.fromFile(file);
    const before = provider.primaryKekId();
    writeFileSync(file, '{broken', { mode: 0o600 });
    expect(() => provider.reload()).toThrow(VigilError);
    expect(provider.primaryKekId()).toBe(before);
  });
});

describe('sealed sections (state bodies, reference profiles)', () => {
  const context = { topic: 'vigil.state', modelId: 'credit-risk', subject: 'credit-risk/1.1.0/window/p0' };

  it('round-trip, are recognisable, and open only under their own context', async () => {
    const provider = new LocalKeyProvider(testKeyring('sec'));
    const envelope = new Envelope(provider);
    const body = Buffer.from(JSON.stringify({ window: [1, 2, 3] }));
    const section = await encryptSection(envelope, body, context);
    expect(isSealedSection(section)).toBe(true);
    expect(isSealedSection(body)).toBe(false);
    expect(await decryptSection(new Envelope(provider), section, context)).toEqual(body);
    await expect(decryptSection(envelope, section, { ...context, subject: 'credit-risk/1.1.0/window/p1' })).rejects.toThrow(/authentication failed/);
  });

  it('reject every single-bit change of the whole section', async () => {
    const provider = new LocalKeyProvider(testKeyring('sec2'));
    const envelope = new Envelope(provider);
    const section = await encryptSection(envelope, Buffer.from('s'), context);
    const codes = new Map<string, number>();
    for (const { flipped } of bitFlips(section)) {
      let code = 'accepted';
      try {
        await decryptSection(envelope, flipped, context);
      } catch (error) {
        code = error instanceof VigilError ? error.code : `other: ${String(error)}`;
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get('accepted')).toBeUndefined();
    expect([...codes.keys()].filter((c) => c.startsWith('other'))).toEqual([]);
    expect([...codes.values()].reduce((a, b) => a + b)).toBe(section.length * 8);
  });

  it('rewrap to a new KEK keeps the ciphertext and stays readable after the old KEK is gone', async () => {
    let ring = testKeyring('sec3');
    const provider = new LocalKeyProvider(ring, { load: () => ring });
    const section = await encryptSection(new Envelope(provider), Buffer.from('state'), context);
    ring = rotateKeyring(ring, newKek(new Date(), seededRandom('sec3b')));
    provider.reload();
    const moved = await rewrapSection(section, provider);
    expect(moved.subarray(moved.length - 21)).toEqual(section.subarray(section.length - 21));
    ring = { primary: ring.primary, keys: ring.keys.filter((k) => k.id === ring.primary) };
    provider.reload();
    expect((await decryptSection(new Envelope(provider), moved, context)).toString()).toBe('state');
  });
});
