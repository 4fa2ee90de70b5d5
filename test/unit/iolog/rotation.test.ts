import { describe, expect, it } from 'vitest';
import type { IoLogRecord } from '../../../src/contracts/records.js';
import { IoLogBuilder, readIoLog } from '../../../src/iolog/index.js';
import { Envelope, rewrapRecord } from '../../../src/security/crypto/envelope.js';
import { LocalKeyProvider, newKek, rotateKeyring } from '../../../src/security/crypto/keyring.js';
import { seededRandom, testKeyring } from '../security/crypto/helpers.js';
import { settings, tabularEvent } from './fixtures.js';

describe('rotation drill on the I/O log', () => {
  it('rotates the KEK mid-stream: nothing becomes unreadable, rewrap moves old records, the old KEK can then be retired', async () => {
    let ring = testKeyring('iolog-drill');
    const provider = new LocalKeyProvider(ring, { load: () => ring });
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider, { maxUsesPerDataKey: 4 }), topic: 'vigil.iolog' });
    const records: IoLogRecord[] = [];
    for (let i = 0; i < 10; i++) records.push(await builder.record(tabularEvent(i), 'SAMPLED'));
    const oldKek = provider.primaryKekId();
    ring = rotateKeyring(ring, newKek(new Date(Date.UTC(2026, 10, 2)), seededRandom('iolog-drill-2')));
    provider.reload();
    for (let i = 10; i < 20; i++) records.push(await builder.record(tabularEvent(i), 'SAMPLED'));
    const newKekId = provider.primaryKekId();
    expect(records.slice(0, 10).every((r) => r.kekId === oldKek)).toBe(true);
    expect(records.slice(10).every((r) => r.kekId === newKekId)).toBe(true);
    expect(new Set(records.map((r) => r.keyId)).size).toBe(3 + 3);

    const readAll = async (rs: IoLogRecord[], p: LocalKeyProvider): Promise<string[]> => {
      const ids: string[] = [];
      for await (const e of readIoLog(rs, new Envelope(p), { modelId: 'credit-risk' }, 'vigil.iolog')) ids.push(e.eventId);
      return ids;
    };
    const expected = Array.from({ length: 20 }, (_, i) => `evt-${i}`);
    expect(await readAll(records, provider)).toEqual(expected);

    const moved = await Promise.all(records.map((r) => rewrapRecord(r, provider)));
    expect(moved.every((r) => r.kekId === newKekId)).toBe(true);
    ring = { primary: newKekId, keys: ring.keys.filter((k) => k.id !== oldKek) };
    provider.reload();
    expect(await readAll(moved, provider)).toEqual(expected);
    await expect(readAll(records, provider)).rejects.toThrow(/is not in the keyring/);
  });
});
