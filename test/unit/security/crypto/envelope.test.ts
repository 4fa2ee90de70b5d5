import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../../src/errors.js';
import { open, seal } from '../../../../src/security/crypto/aead.js';
import { Envelope, pooledRandom, rewrapRecord, type SealContext, type SealedRecord } from '../../../../src/security/crypto/envelope.js';
import { LocalKeyProvider, newKek, rotateKeyring } from '../../../../src/security/crypto/keyring.js';
import { bitFlips, seededRandom, testKeyring, testProvider } from './helpers.js';

const context: SealContext = { topic: 'vigil.iolog', modelId: 'credit-risk', subject: 'evt-1' };

async function rejects(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof VigilError) return error.code;
    return `not a VigilError: ${String(error)}`;
  }
  return 'accepted';
}

describe('AES-256-GCM seal/open', () => {
  const key = Buffer.alloc(32, 7);
  const nonce = Buffer.alloc(12, 1);
  const aad = Buffer.from('topic|model|key');
  const sealed = seal(key, nonce, Buffer.from('tiny rec'), aad);

  it('round-trips and appends a 16-byte tag', () => {
    expect(sealed.length).toBe(8 + 16);
    expect(open(key, nonce, sealed, aad).toString()).toBe('tiny rec');
  });

  it('rejects every single-bit change of ciphertext, tag, nonce, associated data and key', () => {
    const outcomes = new Map<string, number>();
    const count = (what: string, run: () => unknown): void => {
      try {
        run();
        outcomes.set(`${what}:accepted`, (outcomes.get(`${what}:accepted`) ?? 0) + 1);
      } catch (error) {
        const code = error instanceof VigilError ? error.code : 'other';
        outcomes.set(`${what}:${code}`, (outcomes.get(`${what}:${code}`) ?? 0) + 1);
      }
    };
    for (const { flipped } of bitFlips(sealed)) count('sealed', () => open(key, nonce, flipped, aad));
    for (const { flipped } of bitFlips(nonce)) count('nonce', () => open(key, flipped, sealed, aad));
    for (const { flipped } of bitFlips(aad)) count('aad', () => open(key, nonce, sealed, flipped));
    for (const { flipped } of bitFlips(key)) count('key', () => open(flipped, nonce, sealed, aad));
    expect(Object.fromEntries(outcomes)).toEqual({
      'sealed:VIGIL_DECRYPT_FAILED': 24 * 8,
      'nonce:VIGIL_DECRYPT_FAILED': 12 * 8,
      'aad:VIGIL_DECRYPT_FAILED': aad.length * 8,
      'key:VIGIL_DECRYPT_FAILED': 32 * 8,
    });
  });

  it('refuses a truncated tag, a short sealed value and keys or nonces of other sizes', () => {
    expect(() => open(key, nonce, sealed.subarray(0, sealed.length - 1), aad)).toThrow(VigilError);
    expect(() => open(key, nonce, Buffer.alloc(15), aad)).toThrow(/shorter than the 16-byte tag/);
    expect(() => seal(Buffer.alloc(16), nonce, Buffer.alloc(1), aad)).toThrow(/32-byte key, got 16/);
    expect(() => seal(key, Buffer.alloc(16), Buffer.alloc(1), aad)).toThrow(/12-byte nonce, got 16/);
  });
});

describe('Envelope', () => {
  it('seals records that open only in their own context', async () => {
    const envelope = new Envelope(testProvider(), { random: seededRandom('e1') });
    const record = await envelope.seal(Buffer.from('{"prompt":"[EMAIL]"}'), context);
    expect(record).toMatchObject({ algorithm: 'AES-256-GCM' });
    expect(record.nonce.length).toBe(12);
    expect(record.keyId).toMatch(/^dk-[0-9a-f]{24}$/);
    expect((await envelope.open(record, context)).toString()).toBe('{"prompt":"[EMAIL]"}');
    for (const other of [{ ...context, topic: 'vigil.state' }, { ...context, modelId: 'other' }, { ...context, subject: 'evt-2' }]) {
      expect(await rejects(() => envelope.open(record, other))).toBe('VIGIL_DECRYPT_FAILED');
    }
  });

  it('rejects every single-bit change of ciphertext, tag, nonce, wrapped key, key ids and context (exhaustive over a small record)', async () => {
    const provider = testProvider();
    const envelope = new Envelope(provider, { random: seededRandom('e2') });
    const record = await envelope.seal(Buffer.from('pii'), context);
    const reader = new Envelope(provider);
    expect((await reader.open(record, context)).toString()).toBe('pii');
    const results = new Map<string, number>();
    const tally = (what: string, code: string): void => {
      results.set(`${what}:${code}`, (results.get(`${what}:${code}`) ?? 0) + 1);
    };
    const variants: [string, (b: Buffer) => [SealedRecord, SealContext]][] = [
      ['ciphertext', (b) => [{ ...record, ciphertext: b }, context]],
      ['nonce', (b) => [{ ...record, nonce: b }, context]],
      ['wrappedKey', (b) => [{ ...record, wrappedKey: b }, context]],
    ];
    const fields: [string, Buffer][] = [['ciphertext', record.ciphertext], ['nonce', record.nonce], ['wrappedKey', record.wrappedKey]];
    for (const [name, bytes] of fields) {
      const make = variants.find(([n]) => n === name)?.[1];
      for (const { flipped } of bitFlips(bytes)) {
        const [r, c] = (make as (b: Buffer) => [SealedRecord, SealContext])(flipped);
        tally(name, await rejects(() => reader.open(r, c)));
      }
    }
    const textFields: [string, (s: string) => [SealedRecord, SealContext]][] = [
      ['keyId', (s) => [{ ...record, keyId: s }, context]],
      ['kekId', (s) => [{ ...record, kekId: s }, context]],
      ['topic', (s) => [record, { ...context, topic: s }]],
      ['modelId', (s) => [record, { ...context, modelId: s }]],
      ['subject', (s) => [record, { ...context, subject: s }]],
    ];
    for (const [name, make] of textFields) {
      const original = name === 'keyId' ? record.keyId : name === 'kekId' ? record.kekId : (context as unknown as Record<string, string>)[name] as string;
      for (const { flipped } of bitFlips(Buffer.from(original, 'latin1'))) {
        const [r, c] = make(flipped.toString('latin1'));
        const code = await rejects(() => reader.open(r, c));
        tally(name, code === 'VIGIL_KEY_UNKNOWN' ? 'VIGIL_DECRYPT_FAILED' : code);
      }
    }
    const expected: Record<string, number> = {
      'ciphertext:VIGIL_DECRYPT_FAILED': record.ciphertext.length * 8,
      'nonce:VIGIL_DECRYPT_FAILED': 96,
      'wrappedKey:VIGIL_DECRYPT_FAILED': record.wrappedKey.length * 8,
      'keyId:VIGIL_DECRYPT_FAILED': record.keyId.length * 8,
      'kekId:VIGIL_DECRYPT_FAILED': record.kekId.length * 8,
      'topic:VIGIL_DECRYPT_FAILED': context.topic.length * 8,
      'modelId:VIGIL_DECRYPT_FAILED': context.modelId.length * 8,
      'subject:VIGIL_DECRYPT_FAILED': context.subject.length * 8,
    };
    expect(Object.fromEntries(results)).toEqual(expected);
  });

  it('replaces the data key after maxUsesPerDataKey records, and each record stays readable', async () => {
    const envelope = new Envelope(testProvider(), { maxUsesPerDataKey: 3, random: seededRandom('e3') });
    const records: SealedRecord[] = [];
    for (let i = 0; i < 10; i++) records.push(await envelope.seal(Buffer.from(`r${i}`), { ...context, subject: `evt-${i}` }));
    const keyIds = records.map((r) => r.keyId);
    expect(new Set(keyIds.slice(0, 3)).size).toBe(1);
    expect(new Set(keyIds).size).toBe(4);
    expect(keyIds[2]).not.toBe(keyIds[3]);
    expect(envelope.stats.dataKeysCreated).toBe(4);
    const reader = new Envelope(testProvider());
    for (const [i, r] of records.entries()) expect((await reader.open(r, { ...context, subject: `evt-${i}` })).toString()).toBe(`r${i}`);
  });

  it('never exceeds the limit under concurrent sealing', async () => {
    const envelope = new Envelope(testProvider(), { maxUsesPerDataKey: 5 });
    const records = await Promise.all(Array.from({ length: 52 }, (_, i) => envelope.seal(Buffer.from([i]), { ...context, subject: `e${i}` })));
    const perKey = new Map<string, number>();
    for (const r of records) perKey.set(r.keyId, (perKey.get(r.keyId) ?? 0) + 1);
    expect(Math.max(...perKey.values())).toBeLessThanOrEqual(5);
    expect(new Set(records.map((r) => r.nonce.toString('hex'))).size).toBe(52);
  });

  it('draws nonces from a pooled generator that never hands out the same bytes twice', () => {
    const random = pooledRandom(64);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const nonce = random(12);
      expect(nonce.length).toBe(12);
      seen.add(nonce.toString('hex'));
    }
    expect(seen.size).toBe(1000);
    const a = random(12);
    a.fill(0);
    expect(random(12).equals(Buffer.alloc(12))).toBe(false);
    expect(random(100).length).toBe(100);
  });

  it('refuses usage limits outside 1..2^28', () => {
    expect(() => new Envelope(testProvider(), { maxUsesPerDataKey: 0 })).toThrow(/maxUsesPerDataKey/);
    expect(() => new Envelope(testProvider(), { maxUsesPerDataKey: 2 ** 28 + 1 })).toThrow(/from 1 to 268435456/);
    expect(new Envelope(testProvider(), { maxUsesPerDataKey: 2 ** 28 })).toBeInstanceOf(Envelope);
  });
});

describe('KEK rotation drill', () => {
  it('rotates between records: old records stay readable, new ones use the new KEK, rewrap moves old data keys, then the old KEK can go', async () => {
    let ring = testKeyring('drill');
    const provider = new LocalKeyProvider(ring, { load: () => ring });
    const envelope = new Envelope(provider, { random: seededRandom('drill-e') });
    const sealed: SealedRecord[] = [];
    for (let i = 0; i < 3; i++) sealed.push(await envelope.seal(Buffer.from(`before-${i}`), { ...context, subject: `b${i}` }));
    const oldKek = provider.primaryKekId();
    ring = rotateKeyring(ring, newKek(new Date(Date.UTC(2026, 5, 1)), seededRandom('drill-new')));
    provider.reload();
    for (let i = 0; i < 3; i++) sealed.push(await envelope.seal(Buffer.from(`after-${i}`), { ...context, subject: `a${i}` }));
    const newKekId = provider.primaryKekId();
    expect(newKekId).not.toBe(oldKek);
    expect(sealed.map((r) => r.kekId)).toEqual([oldKek, oldKek, oldKek, newKekId, newKekId, newKekId]);
    const subjects = ['b0', 'b1', 'b2', 'a0', 'a1', 'a2'];
    const reader = new Envelope(provider);
    for (const [i, r] of sealed.entries()) expect((await reader.open(r, { ...context, subject: subjects[i] as string })).toString()).toMatch(/^(before|after)-\d$/);

    const moved = await Promise.all(sealed.map((r) => rewrapRecord(r, provider)));
    expect(moved.every((r) => r.kekId === newKekId)).toBe(true);
    expect(moved.map((r) => r.ciphertext)).toEqual(sealed.map((r) => r.ciphertext));
    ring = { primary: newKekId, keys: ring.keys.filter((k) => k.id !== oldKek) };
    provider.reload();
    const fresh = new Envelope(provider);
    for (const [i, r] of moved.entries()) expect((await fresh.open(r, { ...context, subject: subjects[i] as string })).toString()).toMatch(/^(before|after)-\d$/);
    expect(await rejects(() => fresh.open(sealed[0] as SealedRecord, { ...context, subject: 'b0' }))).toBe('VIGIL_KEY_UNKNOWN');
  });
});
