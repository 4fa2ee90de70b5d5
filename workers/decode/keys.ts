/**
 * KeyCache: interning of short UTF-8 strings by their bytes, so that decoding the same feature name (or
 * model id) again returns the very same string instance and creates no new string at all.
 *
 * An open-addressing hash table keyed by (length, FNV-1a hash of the bytes); a hit is confirmed by
 * comparing the bytes with a copy kept in an arena, so two different byte strings never share an entry
 * even when their hashes collide. A miss decodes the bytes once (exactly like avsc: `utf8Slice`, invalid
 * sequences become U+FFFD) and looks the resulting string up by value, so two byte strings that decode to
 * the same text (possible only with invalid UTF-8) still share one `InternedKey`: map readers rely on
 * that to merge duplicate keys the way a JavaScript object would.
 *
 * Memory is bounded: keys longer than `maxKeyBytes` are never kept across records, and a table that has
 * grown past `maxKeys` is emptied at the start of the next record (never in the middle of one, so the
 * per-record bookkeeping in `InternedKey` stays consistent). Not thread-safe; one per worker thread.
 */

/** One distinct string. `stamp` and `index` are scratch space for the map reader currently using it. */
export class InternedKey {
  /** The string, shared by every decode of the same bytes. */
  readonly key: string;
  /**
   * True for `__proto__`: assigning it on a plain object (what avsc does for every map entry) does not
   * create a property, so the current path never sees such an entry; the fast path drops it too.
   */
  readonly drop: boolean;
  /** Offset of the key's bytes in the cache's arena, or -1 for a key not kept across records. */
  offset: number;
  /** Byte length of the key as stored in the arena (-1 when not stored). */
  length: number;
  /** Epoch of the map read that last saw this key (see KeyCache#nextEpoch). */
  stamp = 0;
  /** Position of the key in that map read's output. */
  index = 0;

  constructor(key: string, offset: number, length: number) {
    this.key = key;
    this.drop = key === '__proto__';
    this.offset = offset;
    this.length = length;
  }
}

export interface KeyCacheOptions {
  /** Distinct keys kept before the cache is emptied (default 16384). */
  readonly maxKeys?: number;
  /** Longest key kept across records, in bytes (default 256); longer keys are decoded every time. */
  readonly maxKeyBytes?: number;
}

type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeUtf8Slice = (Buffer.prototype as unknown as { utf8Slice?: Utf8Slice }).utf8Slice;
const textDecoder = new TextDecoder('utf-8');

/**
 * UTF-8 bytes `[start, end)` of `buf` as a string, decoded exactly as avsc does (it calls
 * `Buffer#utf8Slice`, which also works on a plain Uint8Array).
 */
export function utf8(buf: Uint8Array, start: number, end: number): string {
  if (start === end) return '';
  if (nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(buf, start, end);
  return textDecoder.decode(buf.subarray(start, end));
}

function checkPositive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`key cache option ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

export class KeyCache {
  readonly maxKeys: number;
  readonly maxKeyBytes: number;
  /** Strings created because of a miss (for tests and metrics): constant in steady state. */
  misses = 0;
  /** Times the cache was emptied because it held more than maxKeys keys. */
  resets = 0;
  /** Bumped on every reset: positions predicted from an older generation are stale. */
  generation = 0;

  #epoch = 0;
  #size = 0;
  #mask = 63;
  #hashes = new Int32Array(64);
  #offsets = new Int32Array(64);
  #lengths = new Int32Array(64);
  #entries: (InternedKey | undefined)[] = new Array<InternedKey | undefined>(64).fill(undefined);
  #arena: Uint8Array = new Uint8Array(4096);
  #arenaView = new DataView(this.#arena.buffer);
  #arenaUsed = 0;
  /** Every kept key by its text. */
  #byString = new Map<string, InternedKey>();
  /** Keys too long to keep, valid for the current record only. */
  #transient = new Map<string, InternedKey>();

  constructor(options: KeyCacheOptions = {}) {
    this.maxKeys = checkPositive('maxKeys', options.maxKeys ?? 16384);
    this.maxKeyBytes = checkPositive('maxKeyBytes', options.maxKeyBytes ?? 256);
  }

  /** Distinct keys currently kept. */
  get size(): number {
    return this.#size;
  }

  /** The bytes of kept keys (`InternedKey.offset`/`length` index into it); replaced when it grows. */
  get arena(): Uint8Array {
    return this.#arena;
  }

  /** A DataView over `arena`. */
  get arenaView(): DataView {
    return this.#arenaView;
  }

  /**
   * Starts one map read: empties an over-full cache and returns a fresh epoch for `InternedKey.stamp`.
   * Keys returned before this call must not be compared by stamp afterwards.
   */
  nextEpoch(): number {
    if (this.#size > this.maxKeys) this.clear();
    if (this.#transient.size > 0) this.#transient.clear();
    this.#epoch = (this.#epoch + 1) | 0;
    if (this.#epoch === 0) this.#epoch = 1; // 0 is the stamp of a key never seen
    return this.#epoch;
  }

  /** Forgets every key. */
  clear(): void {
    this.resets++;
    this.generation++;
    this.#size = 0;
    this.#mask = 63;
    this.#hashes = new Int32Array(64);
    this.#offsets = new Int32Array(64);
    this.#lengths = new Int32Array(64);
    this.#entries = new Array<InternedKey | undefined>(64).fill(undefined);
    this.#arena = new Uint8Array(4096);
    this.#arenaView = new DataView(this.#arena.buffer);
    this.#arenaUsed = 0;
    this.#byString.clear();
    this.#transient.clear();
  }

  /** The interned key for bytes `[start, start + len)` of `buf` (bounds already checked by the caller). */
  lookup(buf: Uint8Array, start: number, len: number): InternedKey {
    if (len > this.maxKeyBytes) return this.#long(buf, start, len);
    let h = 0x811c9dc5 ^ len;
    const stop = start + len;
    for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.#mask;
    const hashes = this.#hashes;
    const lengths = this.#lengths;
    const entries = this.#entries;
    let slot = h & mask;
    for (;;) {
      const entry = entries[slot];
      if (entry === undefined) return this.#insert(buf, start, len, h, slot);
      if (hashes[slot] === h && lengths[slot] === len && this.#same(this.#offsets[slot]!, buf, start, len)) return entry;
      slot = (slot + 1) & mask;
    }
  }

  #same(offset: number, buf: Uint8Array, start: number, len: number): boolean {
    const arena = this.#arena;
    for (let i = 0; i < len; i++) if (arena[offset + i] !== buf[start + i]) return false;
    return true;
  }

  #long(buf: Uint8Array, start: number, len: number): InternedKey {
    const text = utf8(buf, start, start + len);
    this.misses++;
    let key = this.#byString.get(text) ?? this.#transient.get(text);
    if (key === undefined) {
      key = new InternedKey(text, -1, -1);
      this.#transient.set(text, key);
    }
    return key;
  }

  #insert(buf: Uint8Array, start: number, len: number, h: number, slot: number): InternedKey {
    const text = utf8(buf, start, start + len);
    this.misses++;
    // Store the bytes so the next lookup of the same bytes is a hit.
    if (this.#arenaUsed + len > this.#arena.length) {
      const grown = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + len));
      grown.set(this.#arena.subarray(0, this.#arenaUsed));
      this.#arena = grown;
      this.#arenaView = new DataView(grown.buffer);
    }
    const offset = this.#arenaUsed;
    this.#arena.set(buf.subarray(start, start + len), offset);
    this.#arenaUsed += len;
    let key = this.#byString.get(text);
    if (key === undefined) {
      key = this.#transient.get(text); // the same text seen earlier in this record from longer bytes
      if (key === undefined) {
        key = new InternedKey(text, offset, len);
      } else {
        this.#transient.delete(text);
        key.offset = offset;
        key.length = len;
      }
      this.#byString.set(text, key);
    }
    this.#hashes[slot] = h;
    this.#offsets[slot] = offset;
    this.#lengths[slot] = len;
    this.#entries[slot] = key;
    this.#size++;
    if (this.#size * 2 > this.#mask + 1) this.#grow();
    return key;
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldOffsets = this.#offsets;
    const oldLengths = this.#lengths;
    const oldEntries = this.#entries;
    const capacity = (this.#mask + 1) * 2;
    const mask = capacity - 1;
    const hashes = new Int32Array(capacity);
    const offsets = new Int32Array(capacity);
    const lengths = new Int32Array(capacity);
    const entries = new Array<InternedKey | undefined>(capacity).fill(undefined);
    for (let i = 0; i < oldEntries.length; i++) {
      const entry = oldEntries[i];
      if (entry === undefined) continue;
      let slot = oldHashes[i]! & mask;
      while (entries[slot] !== undefined) slot = (slot + 1) & mask;
      hashes[slot] = oldHashes[i]!;
      offsets[slot] = oldOffsets[i]!;
      lengths[slot] = oldLengths[i]!;
      entries[slot] = entry;
    }
    this.#mask = mask;
    this.#hashes = hashes;
    this.#offsets = offsets;
    this.#lengths = lengths;
    this.#entries = entries;
  }
}
