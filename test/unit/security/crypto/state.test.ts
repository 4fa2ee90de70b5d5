import { describe, expect, it } from 'vitest';
import { avroType } from '../../../../src/contracts/schemas.js';
import type { StateRecord } from '../../../../src/contracts/records.js';
import { stateRecord } from '../../../../src/pipeline/state.js';
import { Envelope } from '../../../../src/security/crypto/envelope.js';
import { openStateRecord, sealStateRecord } from '../../../../src/security/crypto/state.js';
import { testProvider } from './helpers.js';

const TOPIC = 'vigil.state';

describe('sealed vigil.state records', () => {
  it('seal the body, set encrypted, stay valid StateRecords, and open back', async () => {
    const envelope = new Envelope(testProvider());
    const plain = stateRecord(0, 'windows', 'credit-risk', '1.1.0', Buffer.from('{"window":[1,2,3],"note":"ann@example.com"}'));
    const sealed = await sealStateRecord(envelope, plain, TOPIC);
    expect(sealed).toMatchObject({ key: plain.key, modelId: 'credit-risk', kind: 'windows', encrypted: true });
    expect(sealed.body.includes(Buffer.from('ann@example.com'))).toBe(false);
    expect(avroType('StateRecord').isValid(sealed)).toBe(true);
    const decoded = avroType('StateRecord').fromBuffer(avroType('StateRecord').toBuffer(sealed)) as StateRecord;
    expect((await openStateRecord(new Envelope(testProvider()), decoded, TOPIC)).toString()).toBe(plain.body.toString());
    expect(await sealStateRecord(envelope, sealed, TOPIC)).toBe(sealed);
  });

  it('read plain records as they are, and refuse encrypted ones without a key or under another key', async () => {
    const envelope = new Envelope(testProvider());
    const plain = stateRecord(1, 'rollback', 'm', 'v', Buffer.from('x'));
    expect((await openStateRecord(null, plain, TOPIC)).toString()).toBe('x');
    const sealed = await sealStateRecord(envelope, plain, TOPIC);
    await expect(openStateRecord(null, sealed, TOPIC)).rejects.toThrow(/is encrypted and no key-encryption key is configured/);
    const moved = { ...sealed, key: stateRecord(2, 'rollback', 'm', 'v', Buffer.alloc(0)).key };
    await expect(openStateRecord(envelope, moved, TOPIC)).rejects.toThrow(/authentication failed/);
    await expect(openStateRecord(envelope, sealed, 'other.state')).rejects.toThrow(/authentication failed/);
  });
});
