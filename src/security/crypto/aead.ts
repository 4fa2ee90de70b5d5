/**
 * AES-256-GCM through node:crypto, with the only parameters Vigil accepts: 256-bit keys, 96-bit
 * nonces and 128-bit tags. The tag length is always passed (`authTagLength`), so a truncated tag can
 * never be accepted, and every key and nonce size is checked before OpenSSL sees it: the sizes GCM
 * would also take (128/192-bit keys, other nonce lengths) are refused here, not silently used.
 *
 * A sealed value is `ciphertext || tag`, the layout of the `ciphertext` field of IoLogRecord.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { VigilError } from '../../errors.js';

export const ALGORITHM = 'AES-256-GCM';
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

function checkSizes(key: Uint8Array, nonce: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) {
    throw new VigilError('VIGIL_KEY_INVALID', `${what}: AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`, {
      details: { keyBytes: key.length },
    });
  }
  if (nonce.length !== NONCE_BYTES) {
    throw new VigilError('VIGIL_DECRYPT_FAILED', `${what}: AES-256-GCM needs a ${NONCE_BYTES}-byte nonce, got ${nonce.length} bytes`, {
      details: { nonceBytes: nonce.length },
    });
  }
}

/** Encrypts `plaintext` and returns `ciphertext || tag` (plaintext length + 16 bytes). */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  checkSizes(key, nonce, 'seal');
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/**
 * Decrypts `ciphertext || tag`. Any change to the key, nonce, associated data, ciphertext or tag
 * fails with VIGIL_DECRYPT_FAILED; `what` names the record or segment in the message.
 */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, what = 'record'): Buffer {
  checkSizes(key, nonce, what);
  if (sealed.length < TAG_BYTES) {
    throw new VigilError('VIGIL_DECRYPT_FAILED', `${what}: sealed value is ${sealed.length} bytes, shorter than the ${TAG_BYTES}-byte tag`);
  }
  const body = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(body);
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch (cause) {
    // OpenSSL reports only "unable to authenticate data"; which input was altered cannot be known.
    throw new VigilError('VIGIL_DECRYPT_FAILED', `${what}: authentication failed (altered ciphertext, tag, nonce, associated data or wrapped key, or the wrong key)`, {
      cause,
    });
  }
}

/**
 * Associated data as an unambiguous byte string: a label, then each field as a 4-byte big-endian
 * length and its UTF-8 bytes, so ("ab","c") and ("a","bc") never produce the same bytes.
 */
export function encodeAad(label: string, fields: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of [label, ...fields]) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : Buffer.from(field.buffer, field.byteOffset, field.byteLength);
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
