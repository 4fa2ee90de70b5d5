/**
 * Key-encryption keys (KEKs). A `KeyProvider` wraps and unwraps data keys; everything else in Vigil
 * talks to that interface only, so a KMS or HSM can replace the local keyring without touching
 * callers. The local keyring holds several KEKs (old ones stay for unwrapping after a rotation) and
 * names one primary, used for every new wrap:
 *
 *   { "format": "vigil-keyring/1", "primary": "kek-…", "keys": [{ "id": "kek-…", "created": "…", "key": "<base64, 32 bytes>" }] }
 *
 * It is read from a file (mode 0600; a file others can read is refused) or from an environment
 * variable holding either that JSON or one base64 key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { VigilError, describeError } from '../../errors.js';
import { KEY_BYTES, NONCE_BYTES, TAG_BYTES, encodeAad, open, seal } from './aead.js';

export const KEYRING_FORMAT = 'vigil-keyring/1';
/** A keyring file larger than this is refused rather than parsed. */
export const MAX_KEYRING_BYTES = 256 * 1024;
/** Bytes of a data key wrapped by the local keyring: nonce, wrapped key, tag. */
export const WRAPPED_KEY_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES;
const KEK_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface WrappedDataKey {
  /** KEK that wrapped the data key. */
  readonly kekId: string;
  /** The wrapped data key (opaque to callers). */
  readonly wrappedKey: Buffer;
}

/**
 * Wraps and unwraps data keys. `dataKeyId` is bound to the wrapped key (as associated data here, as
 * the encryption context in a KMS), so a wrapped key cannot be moved to another data key's records.
 */
export interface KeyProvider {
  /** The KEK that wraps new data keys; may change at run time (rotation). */
  primaryKekId(): string;
  wrap(dataKey: Uint8Array, dataKeyId: string): Promise<WrappedDataKey>;
  /** Fails with VIGIL_KEY_UNKNOWN when `kekId` is not held, VIGIL_DECRYPT_FAILED when the wrap was altered. */
  unwrap(kekId: string, wrappedKey: Uint8Array, dataKeyId: string): Promise<Buffer>;
}

export interface KekEntry {
  readonly id: string;
  /** ISO-8601 creation time (informational). */
  readonly created: string;
  readonly key: Buffer;
}

export interface Keyring {
  readonly primary: string;
  readonly keys: readonly KekEntry[];
}

function wrapAad(kekId: string, dataKeyId: string): Buffer {
  return encodeAad('vigil/dek-wrap/v1', [kekId, dataKeyId]);
}

/** The local keyring as a KeyProvider. `reload()` re-reads its source: how a rotation takes effect without a restart. */
export class LocalKeyProvider implements KeyProvider {
  #keyring: Keyring;
  readonly #load: (() => Keyring) | null;
  readonly #random: (n: number) => Buffer;
  #file: string | null = null;
  #stamp = '';

  constructor(keyring: Keyring, options: { load?: () => Keyring; random?: (n: number) => Buffer } = {}) {
    this.#keyring = checkKeyring(keyring, 'keyring');
    this.#load = options.load ?? null;
    this.#random = options.random ?? randomBytes;
  }

  static fromFile(file: string): LocalKeyProvider {
    const provider = new LocalKeyProvider(readKeyringFile(file), { load: () => readKeyringFile(file) });
    provider.#file = file;
    provider.#stamp = stampOf(file);
    return provider;
  }

  /**
   * For a keyring file: reloads it when it changed on disk (size, mtime or inode), so a rotation done
   * with `vigil keys generate --rotate` reaches a running engine without a restart. Cheap enough to
   * call once per batch (one stat). Returns true when a new keyring was loaded.
   */
  reloadIfChanged(): boolean {
    if (this.#file === null) return false;
    const stamp = stampOf(this.#file);
    if (stamp === this.#stamp || stamp === 'missing') return false;
    this.reload();
    this.#stamp = stamp;
    return true;
  }

  static fromEnv(env: Readonly<Record<string, string | undefined>>, name: string): LocalKeyProvider {
    const load = (): Keyring => keyringFromText(env[name] ?? '', `environment variable ${name}`);
    return new LocalKeyProvider(load(), { load });
  }

  /** Re-reads the keyring source; keeps the previous keyring when the new one is invalid (and throws). */
  reload(): void {
    if (this.#load === null) return;
    this.#keyring = this.#load();
  }

  primaryKekId(): string {
    return this.#keyring.primary;
  }

  kekIds(): string[] {
    return this.#keyring.keys.map((k) => k.id);
  }

  async wrap(dataKey: Uint8Array, dataKeyId: string): Promise<WrappedDataKey> {
    const kek = this.#kek(this.#keyring.primary);
    const nonce = this.#random(NONCE_BYTES);
    const sealed = seal(kek, nonce, dataKey, wrapAad(this.#keyring.primary, dataKeyId));
    return { kekId: this.#keyring.primary, wrappedKey: Buffer.concat([nonce, sealed]) };
  }

  async unwrap(kekId: string, wrappedKey: Uint8Array, dataKeyId: string): Promise<Buffer> {
    const kek = this.#kek(kekId);
    if (wrappedKey.length !== WRAPPED_KEY_BYTES) {
      throw new VigilError('VIGIL_DECRYPT_FAILED', `wrapped data key ${dataKeyId} is ${wrappedKey.length} bytes; a key wrapped by ${kekId} has ${WRAPPED_KEY_BYTES}`, {
        details: { dataKeyId, kekId },
      });
    }
    const nonce = wrappedKey.subarray(0, NONCE_BYTES);
    return open(kek, nonce, wrappedKey.subarray(NONCE_BYTES), wrapAad(kekId, dataKeyId), `wrapped data key ${dataKeyId} (KEK ${kekId})`);
  }

  #kek(kekId: string): Buffer {
    const entry = this.#keyring.keys.find((k) => k.id === kekId);
    if (entry === undefined) {
      throw new VigilError('VIGIL_KEY_UNKNOWN', `key-encryption key ${JSON.stringify(kekId)} is not in the keyring (it holds ${this.kekIds().join(', ')})`, {
        details: { kekId },
      });
    }
    return entry.key;
  }
}

function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    // A keyring being replaced may be missing for an instant; the next call sees the new one.
    return 'missing';
  }
}

/** A new KEK entry: 32 random bytes and a random id. */
export function newKek(now: Date = new Date(), random: (n: number) => Buffer = randomBytes): KekEntry {
  return { id: `kek-${random(8).toString('hex')}`, created: now.toISOString(), key: random(KEY_BYTES) };
}

/** The keyring with `entry` added and made primary (old KEKs stay, for unwrapping). */
export function rotateKeyring(keyring: Keyring | null, entry: KekEntry): Keyring {
  const keys = keyring === null ? [] : keyring.keys.filter((k) => k.id !== entry.id);
  return { primary: entry.id, keys: [...keys, entry] };
}

export function keyringToJson(keyring: Keyring): string {
  const keys = keyring.keys.map((k) => ({ id: k.id, created: k.created, key: k.key.toString('base64') }));
  return `${JSON.stringify({ format: KEYRING_FORMAT, primary: keyring.primary, keys }, null, 2)}\n`;
}

/** Writes the keyring with mode 0600, atomically (temporary file, fsync, rename). */
export function writeKeyringFile(file: string, keyring: Keyring): void {
  const text = keyringToJson(checkKeyring(keyring, file));
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let created = false;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(temp, 'wx', 0o600);
    created = true;
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (cause) {
    if (created) rmSync(temp, { force: true });
    throw new VigilError('VIGIL_KEY_INVALID', `cannot write key file ${file}: ${describeError(cause)}`, { cause, details: { file } });
  }
}

export function readKeyringFile(file: string): Keyring {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new VigilError('VIGIL_KEY_INVALID', `key file ${file} has mode ${(stat.mode & 0o777).toString(8)}; it must be readable by its owner only (chmod 600)`, {
        details: { file },
      });
    }
    if (stat.size > MAX_KEYRING_BYTES) throw new Error(`${stat.size} bytes, more than the ${MAX_KEYRING_BYTES} allowed`);
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof VigilError) throw cause;
    throw new VigilError('VIGIL_KEY_INVALID', `cannot read key file ${file}: ${describeError(cause)}`, { cause, details: { file } });
  }
  return keyringFromText(text, `key file ${file}`);
}

/** Parses keyring JSON, or a single base64 key (its id derived from the key by HMAC), naming `origin` in errors. */
export function keyringFromText(text: string, origin: string): Keyring {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new VigilError('VIGIL_KEY_INVALID', `${origin} is empty; expected a keyring or a base64 key (vigil keys generate)`);
  if (!trimmed.startsWith('{')) {
    const key = decodeKey(trimmed, origin);
    const id = `kek-${createHmac('sha256', key).update('vigil kek id').digest('hex').slice(0, 16)}`;
    return { primary: id, keys: [{ id, created: '', key }] };
  }
  let document: unknown;
  try {
    document = JSON.parse(trimmed);
  } catch (cause) {
    throw new VigilError('VIGIL_KEY_INVALID', `${origin} is not valid JSON: ${describeError(cause)}`, { cause });
  }
  const doc = document as { format?: unknown; primary?: unknown; keys?: unknown };
  if (typeof document !== 'object' || document === null || doc.format !== KEYRING_FORMAT) {
    throw new VigilError('VIGIL_KEY_INVALID', `${origin}: field "format" must be ${JSON.stringify(KEYRING_FORMAT)}`);
  }
  if (!Array.isArray(doc.keys) || doc.keys.length === 0 || doc.keys.length > 1000) {
    throw new VigilError('VIGIL_KEY_INVALID', `${origin}: field "keys" must be a list of 1 to 1000 keys`);
  }
  const keys = doc.keys.map((entry: unknown, i: number): KekEntry => {
    const e = entry as { id?: unknown; created?: unknown; key?: unknown };
    if (typeof entry !== 'object' || entry === null || typeof e.id !== 'string' || typeof e.key !== 'string') {
      throw new VigilError('VIGIL_KEY_INVALID', `${origin}: keys[${i}] must have string fields "id" and "key"`);
    }
    return { id: e.id, created: typeof e.created === 'string' ? e.created : '', key: decodeKey(e.key, `${origin}: keys[${i}].key`) };
  });
  if (typeof doc.primary !== 'string') throw new VigilError('VIGIL_KEY_INVALID', `${origin}: field "primary" must be a key id`);
  return checkKeyring({ primary: doc.primary, keys }, origin);
}

function decodeKey(text: string, origin: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length > 64) {
    throw new VigilError('VIGIL_KEY_INVALID', `${origin} is not base64 of a ${KEY_BYTES}-byte key`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new VigilError('VIGIL_KEY_INVALID', `${origin} decodes to ${key.length} bytes; a key-encryption key has ${KEY_BYTES}`);
  return key;
}

function checkKeyring(keyring: Keyring, origin: string): Keyring {
  const seen = new Set<string>();
  for (const [i, k] of keyring.keys.entries()) {
    if (!KEK_ID.test(k.id)) throw new VigilError('VIGIL_KEY_INVALID', `${origin}: keys[${i}].id ${JSON.stringify(k.id)} must be 1-64 letters, digits or ._:-`);
    if (seen.has(k.id)) throw new VigilError('VIGIL_KEY_INVALID', `${origin}: key id ${JSON.stringify(k.id)} appears twice`);
    if (k.key.length !== KEY_BYTES) throw new VigilError('VIGIL_KEY_INVALID', `${origin}: key ${k.id} has ${k.key.length} bytes, not ${KEY_BYTES}`);
    seen.add(k.id);
  }
  if (!seen.has(keyring.primary)) {
    throw new VigilError('VIGIL_KEY_INVALID', `${origin}: primary key ${JSON.stringify(keyring.primary)} is not among its keys`);
  }
  return keyring;
}
