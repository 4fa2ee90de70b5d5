/**
 * Sealing of `vigil.state` changelog records (when `encryption.state` is on): the body becomes a
 * sealed section bound to the state topic, the model and the record's key, and `encrypted` is set.
 * The engine applies `sealStateRecord` to each record it writes and `openStateRecord` to each it
 * restores; plain records from before encryption was switched on are read as they are, and an
 * encrypted record without a key, or one moved to another key, is an error rather than a silent
 * empty state.
 *
 *   const record = await sealStateRecord(envelope, stateRecord(p, kind, modelId, version, body), stateTopic);
 *   const body = await openStateRecord(envelope, restored, stateTopic);
 */
import type { StateRecord } from '../../contracts/records.js';
import { VigilError } from '../../errors.js';
import type { Envelope } from './envelope.js';
import { decryptSection, encryptSection } from './section.js';

export async function sealStateRecord(envelope: Envelope, record: StateRecord, topic: string): Promise<StateRecord> {
  if (record.encrypted) return record;
  const body = await encryptSection(envelope, record.body, { topic, modelId: record.modelId, subject: record.key });
  return { ...record, body, encrypted: true };
}

/** The plaintext body of a restored record. */
export async function openStateRecord(envelope: Envelope | null, record: StateRecord, topic: string): Promise<Buffer> {
  if (!record.encrypted) return record.body;
  if (envelope === null) {
    throw new VigilError('VIGIL_KEY_INVALID', `state record ${record.key} of ${topic} is encrypted and no key-encryption key is configured (encryption.keyFile, VIGIL_KEK_FILE or VIGIL_KEK)`, {
      details: { key: record.key },
    });
  }
  return decryptSection(envelope, record.body, { topic, modelId: record.modelId, subject: record.key });
}
