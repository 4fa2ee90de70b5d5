/**
 * Envelope encryption of records: each record is sealed with AES-256-GCM under a data key; the data
 * key is wrapped by the key provider's primary KEK and travels with the record (keyId, kekId,
 * wrappedKey), so any holder of the KEK can read it and nothing else is needed.
 *
 * - Associated data binds a record to its topic, model, data key id and subject (an eventId, a state
 *   key), so a ciphertext moved to another record, model, topic or key fails to open.
 * - Nonces are 96 random bits. A data key seals at most `maxUsesPerDataKey` records (default 2^24,
 *   far below the 2^32 random-nonce bound of NIST SP 800-38D) and is replaced when the limit is
 *   reached or when the provider's primary KEK changes (a rotation takes effect on the next record).
 * - Wrapped data keys are unwrapped once and cached (bounded); the cache key includes the wrapped
 *   bytes, so an altered wrapped key is always unwrapped, and so always rejected.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { VigilError } from '../../errors.js';
import { ALGORITHM, KEY_BYTES, NONCE_BYTES, encodeAad, open, seal } from './aead.js';
import type { KeyProvider } from './keyring.js';

export const DEFAULT_MAX_USES_PER_DATA_KEY = 2 ** 24;
/** Never more than this, whatever the configuration says: 16 times below the 2^32 random-nonce bound of SP 800-38D. */
export const MAX_USES_LIMIT = 2 ** 28;

/** What a sealed record is bound to. */
export interface SealContext {
  /** Topic (or store) the record belongs to. */
  readonly topic: string;
  readonly modelId: string;
  /** The record's own identity: an eventId, a state key, a reference id. */
  readonly subject: string;
}

/** The envelope fields of a sealed record, named as in IoLogRecord. */
export interface SealedRecord {
  readonly keyId: string;
  readonly kekId: string;
  readonly wrappedKey: Buffer;
  readonly nonce: Buffer;
  /** Ciphertext with the 16-byte tag appended. */
  readonly ciphertext: Buffer;
  readonly algorithm: string;
}

export interface EnvelopeOptions {
  readonly maxUsesPerDataKey?: number;
  /** Randomness for data keys, ids and nonces (injected in tests). */
  readonly random?: (n: number) => Buffer;
  /** Unwrapped data keys kept in memory for reading. */
  readonly cacheSize?: number;
}

interface DataKey {
  readonly keyId: string;
  readonly kekId: string;
  readonly key: Buffer;
  readonly wrappedKey: Buffer;
  uses: number;
}

/**
 * Cryptographically random bytes drawn from a 4 KiB pool refilled by randomFillSync: one call to
 * the system generator per ~340 nonces instead of one per record (each byte is handed out once).
 */
export function pooledRandom(poolBytes = 4096): (n: number) => Buffer {
  const pool = Buffer.allocUnsafe(poolBytes);
  let at = poolBytes;
  return (n: number): Buffer => {
    if (n > poolBytes) return randomBytes(n);
    if (at + n > poolBytes) {
      randomFillSync(pool);
      at = 0;
    }
    const out = Buffer.from(pool.subarray(at, at + n));
    at += n;
    return out;
  };
}

export function recordAad(context: SealContext, keyId: string): Buffer {
  return encodeAad('vigil/record/v1', [context.topic, context.modelId, keyId, context.subject]);
}

export class Envelope {
  readonly #provider: KeyProvider;
  readonly #maxUses: number;
  readonly #random: (n: number) => Buffer;
  readonly #cacheSize: number;
  readonly #cache = new Map<string, Buffer>();
  #current: DataKey | null = null;
  #pending: Promise<DataKey> | null = null;
  #dataKeysCreated = 0;

  constructor(provider: KeyProvider, options: EnvelopeOptions = {}) {
    const maxUses = options.maxUsesPerDataKey ?? DEFAULT_MAX_USES_PER_DATA_KEY;
    if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_USES_LIMIT) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `maxUsesPerDataKey must be a whole number from 1 to ${MAX_USES_LIMIT}, got ${maxUses}`);
    }
    this.#provider = provider;
    this.#maxUses = maxUses;
    this.#random = options.random ?? pooledRandom();
    this.#cacheSize = Math.max(1, options.cacheSize ?? 1024);
  }

  get provider(): KeyProvider {
    return this.#provider;
  }

  /** Data keys made so far, and how many records the current one sealed. */
  get stats(): { dataKeysCreated: number; currentUses: number; currentKeyId: string | null } {
    return { dataKeysCreated: this.#dataKeysCreated, currentUses: this.#current?.uses ?? 0, currentKeyId: this.#current?.keyId ?? null };
  }

  async seal(plaintext: Uint8Array, context: SealContext): Promise<SealedRecord> {
    for (;;) {
      const dk = this.#current;
      // Checked and counted with no await in between, so concurrent callers never exceed the limit.
      if (dk !== null && dk.uses < this.#maxUses && dk.kekId === this.#provider.primaryKekId()) {
        dk.uses++;
        const nonce = this.#random(NONCE_BYTES);
        const ciphertext = seal(dk.key, nonce, plaintext, recordAad(context, dk.keyId));
        return { keyId: dk.keyId, kekId: dk.kekId, wrappedKey: dk.wrappedKey, nonce, ciphertext, algorithm: ALGORITHM };
      }
      this.#pending ??= this.#newDataKey().finally(() => {
        this.#pending = null;
      });
      const fresh = await this.#pending;
      // Another caller may have installed it already; never replace a newer key with an older one.
      if (this.#current === dk) this.#current = fresh;
    }
  }

  async open(record: SealedRecord, context: SealContext): Promise<Buffer> {
    if (record.algorithm !== ALGORITHM) {
      throw new VigilError('VIGIL_DECRYPT_FAILED', `record ${context.subject}: algorithm ${JSON.stringify(record.algorithm)} is not ${ALGORITHM}`);
    }
    const key = await this.dataKey(record);
    return open(key, record.nonce, record.ciphertext, recordAad(context, record.keyId), `record ${context.subject} (model ${context.modelId})`);
  }

  /** The plaintext data key of a record (unwrapped through the provider, cached). */
  async dataKey(record: Pick<SealedRecord, 'keyId' | 'kekId' | 'wrappedKey'>): Promise<Buffer> {
    const cacheKey = `${record.kekId}\u0000${record.keyId}\u0000${record.wrappedKey.toString('base64')}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) {
      // Refresh its place: the map's order is the eviction order.
      this.#cache.delete(cacheKey);
      this.#cache.set(cacheKey, cached);
      return cached;
    }
    const key = await this.#provider.unwrap(record.kekId, record.wrappedKey, record.keyId);
    this.#remember(cacheKey, key);
    return key;
  }

  async #newDataKey(): Promise<DataKey> {
    const key = this.#random(KEY_BYTES);
    const keyId = `dk-${this.#random(12).toString('hex')}`;
    const wrapped = await this.#provider.wrap(key, keyId);
    this.#dataKeysCreated++;
    const dk: DataKey = { keyId, kekId: wrapped.kekId, key, wrappedKey: wrapped.wrappedKey, uses: 0 };
    this.#remember(`${dk.kekId}\u0000${keyId}\u0000${dk.wrappedKey.toString('base64')}`, key);
    return dk;
  }

  #remember(cacheKey: string, key: Buffer): void {
    this.#cache.set(cacheKey, key);
    while (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}

/**
 * Moves a record's data key to the provider's primary KEK: unwraps it with its old KEK and wraps it
 * again. The ciphertext is untouched (the KEK is not part of the record's associated data), so a
 * rotation never re-encrypts data. Returns the record unchanged when it already uses the primary KEK.
 */
export async function rewrapRecord<T extends Pick<SealedRecord, 'keyId' | 'kekId' | 'wrappedKey'>>(record: T, provider: KeyProvider): Promise<T> {
  if (record.kekId === provider.primaryKekId()) return record;
  const key = await provider.unwrap(record.kekId, record.wrappedKey, record.keyId);
  const wrapped = await provider.wrap(key, record.keyId);
  return { ...record, kekId: wrapped.kekId, wrappedKey: wrapped.wrappedKey };
}
