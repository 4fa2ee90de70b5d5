/**
 * Audit signing keys: Ed25519 (public-key: anyone with the public key can verify) or HMAC-SHA256
 * (shared secret: only holders of the secret can verify, and could also sign). Every signature names
 * its key id; a keyring maps ids to keys with the time window in which each key may sign, so keys can
 * be rotated: an old key keeps verifying the records it signed while it was current, and a record
 * signed by a key outside its window is a finding.
 */
import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { VigilError, describeError } from '../../errors.js';
import { keyIdOf } from '../../security/audit-key.js';
import { readJsonFile } from '../shared/files.js';

export const SIGNATURE_ALGORITHMS = ['ed25519', 'hmac-sha256'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** Signs the 32 raw bytes of an audit hash (or any message); returns base64. */
export interface Signer {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  sign(message: Uint8Array): string;
}

export interface KeyringEntry {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** Ed25519 public key, or the HMAC secret. */
  readonly key: KeyObject | Buffer;
  /** First and last moment (ms since the epoch, inclusive) the key may sign; null: unbounded. */
  readonly validFrom: number | null;
  readonly validUntil: number | null;
}

export type Keyring = ReadonlyMap<string, KeyringEntry>;

/** Ed25519 signature check over `message`. False for any malformed signature or key, never a throw. */
export function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

export function hmacSha256(secret: Uint8Array, message: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(message).digest();
}

/** Constant-time check of a (possibly truncated, at least 16-byte) HMAC-SHA256 tag. */
export function hmacVerify(secret: Uint8Array, message: Uint8Array, tag: Uint8Array): boolean {
  if (tag.length < 16 || tag.length > 32) return false;
  const full = hmacSha256(secret, message);
  return timingSafeEqual(full.subarray(0, tag.length), tag);
}

export function ed25519Signer(privateKey: KeyObject, keyId: string = keyIdOf(createPublicKey(privateKey))): Signer {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new VigilError('VIGIL_CONFIG_INVALID', `key ${keyId} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return { keyId, algorithm: 'ed25519', sign: (message) => sign(null, message, privateKey).toString('base64') };
}

export function hmacSigner(secret: Uint8Array, keyId: string): Signer {
  if (secret.length < 32) throw new VigilError('VIGIL_CONFIG_INVALID', `HMAC key ${keyId} is ${secret.length} bytes; use at least 32`);
  return { keyId, algorithm: 'hmac-sha256', sign: (message) => hmacSha256(secret, message).toString('base64') };
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly kind: 'unknown-key' | 'key-not-valid' | 'bad-signature'; readonly reason: string };

/** Checks a base64 signature over `message` by `keyId`, signed at `at`. */
export function checkSignature(keyring: Keyring, keyId: string, message: Uint8Array, signature: string, at: number): SignatureCheck {
  const entry = keyring.get(keyId);
  if (entry === undefined) return { ok: false, kind: 'unknown-key', reason: `no key ${JSON.stringify(keyId)} in the keyring` };
  if ((entry.validFrom !== null && at < entry.validFrom) || (entry.validUntil !== null && at > entry.validUntil)) {
    return { ok: false, kind: 'key-not-valid', reason: `key ${keyId} may sign from ${iso(entry.validFrom)} to ${iso(entry.validUntil)}, not at ${iso(at)} (rotated out)` };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(signature) || signature.length % 4 !== 0) return { ok: false, kind: 'bad-signature', reason: `signature is not base64` };
  const bytes = Buffer.from(signature, 'base64');
  const ok = entry.algorithm === 'ed25519' ? ed25519Verify(entry.key as KeyObject, message, bytes) : bytes.length === 32 && hmacVerify(entry.key as Buffer, message, bytes);
  return ok ? { ok: true } : { ok: false, kind: 'bad-signature', reason: `signature does not verify with ${entry.algorithm} key ${keyId}` };
}

function iso(at: number | null): string {
  return at === null ? 'any time' : new Date(at).toISOString();
}

export function keyringOf(entries: readonly KeyringEntry[]): Keyring {
  const map = new Map<string, KeyringEntry>();
  for (const e of entries) {
    if (map.has(e.keyId)) throw new VigilError('VIGIL_CONFIG_INVALID', `key id ${e.keyId} appears twice in the keyring`);
    map.set(e.keyId, e);
  }
  return map;
}

/**
 * A keyring file (JSON): {"keys": [{"keyId", "algorithm": "ed25519", "publicKey": PEM}, {"keyId",
 * "algorithm": "hmac-sha256", "secret": base64}], each with optional "validFrom"/"validUntil" (ISO 8601)}.
 * An HMAC secret makes the file a secret: keep it as protected as the signing key.
 */
export function readKeyring(file: string): Keyring {
  const doc = readJsonFile(file, 1024 * 1024, 'keyring');
  const bad = (path: string, what: string): never => {
    throw new VigilError('VIGIL_CONFIG_INVALID', `keyring ${file}: ${path} ${what}`, { details: { file, path } });
  };
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 1000) return bad('keys', 'must be a list of 1 to 1000 keys');
  return keyringOf(
    keys.map((k: unknown, i): KeyringEntry => {
      const e = (typeof k === 'object' && k !== null ? k : {}) as Record<string, unknown>;
      const at = `keys[${i}]`;
      if (typeof e.keyId !== 'string' || !/^[A-Za-z0-9:._-]{1,128}$/.test(e.keyId)) return bad(`${at}.keyId`, 'must be 1 to 128 letters, digits or :._-');
      const time = (name: 'validFrom' | 'validUntil'): number | null => {
        if (e[name] === undefined || e[name] === null) return null;
        const t = typeof e[name] === 'string' ? Date.parse(e[name]) : NaN;
        return Number.isFinite(t) ? t : bad(`${at}.${name}`, 'must be an ISO 8601 time');
      };
      const window = { validFrom: time('validFrom'), validUntil: time('validUntil') };
      if (e.algorithm === 'ed25519') {
        if (typeof e.publicKey !== 'string') return bad(`${at}.publicKey`, 'must be a PEM public key');
        let key: KeyObject;
        try {
          key = createPublicKey(e.publicKey);
        } catch (error) {
          return bad(`${at}.publicKey`, `is not a PEM public key: ${describeError(error)}`);
        }
        if (key.asymmetricKeyType !== 'ed25519') return bad(`${at}.publicKey`, `is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
        return { keyId: e.keyId, algorithm: 'ed25519', key, ...window };
      }
      if (e.algorithm === 'hmac-sha256') {
        if (typeof e.secret !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(e.secret)) return bad(`${at}.secret`, 'must be base64');
        const secret = Buffer.from(e.secret, 'base64');
        if (secret.length < 32) return bad(`${at}.secret`, `is ${secret.length} bytes; at least 32 are needed`);
        return { keyId: e.keyId, algorithm: 'hmac-sha256', key: secret, ...window };
      }
      return bad(`${at}.algorithm`, `must be ${SIGNATURE_ALGORITHMS.join(' or ')}`);
    }),
  );
}

/** A keyring entry from an Ed25519 PEM (public or private), its id derived as the engine derives it. */
export function ed25519EntryFromPem(pem: string, origin: string): KeyringEntry {
  let key: KeyObject;
  try {
    key = /PRIVATE KEY/.test(pem) ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (error) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${origin} is not a PEM key: ${describeError(error)}`, { details: { file: origin } });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new VigilError('VIGIL_CONFIG_INVALID', `${origin} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, { details: { file: origin } });
  return { keyId: keyIdOf(key), algorithm: 'ed25519', key, validFrom: null, validUntil: null };
}
