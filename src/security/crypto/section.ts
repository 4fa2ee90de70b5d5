/**
 * Sealed sections: one opaque, self-describing byte string for a payload stored where the record has
 * no envelope fields of its own, such as the `body` of a `vigil.state` StateRecord or a serialized
 * reference profile. The engine applies it when `encryption.state` / `encryption.references` is on:
 *
 *   body = await encryptSection(envelope, plainBody, { topic: 'vigil.state', modelId, subject: stateKey });
 *   // ... write StateRecord { ..., body, encrypted: true }
 *   plainBody = await decryptSection(envelope, record.body, { topic: 'vigil.state', modelId: record.modelId, subject: record.key });
 *
 * Layout: "VGS1", keyId (u8 length + ASCII), kekId (u8 length + ASCII), wrapped key (u16 length +
 * bytes), 12-byte nonce, ciphertext with tag. The context is bound as associated data exactly as for
 * records, so a section copied to another state key, model or topic fails to open.
 */
import { VigilError } from '../../errors.js';
import { ALGORITHM, NONCE_BYTES, TAG_BYTES } from './aead.js';
import { rewrapRecord, type Envelope, type SealContext, type SealedRecord } from './envelope.js';
import type { KeyProvider } from './keyring.js';

const MAGIC = Buffer.from('VGS1', 'ascii');

export async function encryptSection(envelope: Envelope, plaintext: Uint8Array, context: SealContext): Promise<Buffer> {
  return serializeSection(await envelope.seal(plaintext, context));
}

export async function decryptSection(envelope: Envelope, section: Uint8Array, context: SealContext): Promise<Buffer> {
  return envelope.open(parseSection(section, context.subject), context);
}

/** True when `bytes` starts like a sealed section (for stores holding both plain and sealed values). */
export function isSealedSection(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC);
}

/** The section with its data key moved to the provider's primary KEK; the ciphertext is unchanged. */
export async function rewrapSection(section: Uint8Array, provider: KeyProvider, what = 'section'): Promise<Buffer> {
  return serializeSection(await rewrapRecord(parseSection(section, what), provider));
}

export function serializeSection(record: SealedRecord): Buffer {
  const keyId = Buffer.from(record.keyId, 'ascii');
  const kekId = Buffer.from(record.kekId, 'ascii');
  if (keyId.length > 255 || kekId.length > 255 || record.wrappedKey.length > 0xffff) {
    throw new VigilError('VIGIL_INTERNAL', 'section key ids or wrapped key too long to serialize');
  }
  const wrappedLength = Buffer.allocUnsafe(2);
  wrappedLength.writeUInt16BE(record.wrappedKey.length, 0);
  return Buffer.concat([
    MAGIC,
    Buffer.of(keyId.length),
    keyId,
    Buffer.of(kekId.length),
    kekId,
    wrappedLength,
    record.wrappedKey,
    record.nonce,
    record.ciphertext,
  ]);
}

export function parseSection(section: Uint8Array, what: string): SealedRecord {
  const bytes = Buffer.from(section.buffer, section.byteOffset, section.byteLength);
  const fail = (why: string): never => {
    throw new VigilError('VIGIL_DECRYPT_FAILED', `sealed section ${what}: ${why}`, { details: { subject: what } });
  };
  if (!isSealedSection(bytes)) fail('does not start with VGS1');
  let at = MAGIC.length;
  const text = (): string => {
    if (at >= bytes.length) fail('ends inside its header');
    const length = bytes[at] as number;
    at += 1;
    if (length === 0 || at + length > bytes.length) fail(`header field of ${length} bytes does not fit`);
    // latin1, not ascii: Node's ascii decoder drops the high bit, which would let an altered byte pass.
    const value = bytes.toString('latin1', at, at + length);
    at += length;
    if (!/^[A-Za-z0-9._:-]+$/.test(value)) fail('a key id in its header holds characters a key id never has');
    return value;
  };
  const keyId = text();
  const kekId = text();
  if (at + 2 > bytes.length) fail('ends inside its header');
  const wrappedLength = bytes.readUInt16BE(at);
  at += 2;
  if (at + wrappedLength + NONCE_BYTES + TAG_BYTES > bytes.length) fail('is shorter than its header says');
  const wrappedKey = bytes.subarray(at, at + wrappedLength);
  at += wrappedLength;
  const nonce = bytes.subarray(at, at + NONCE_BYTES);
  at += NONCE_BYTES;
  return { keyId, kekId, wrappedKey, nonce, ciphertext: bytes.subarray(at), algorithm: ALGORITHM };
}
