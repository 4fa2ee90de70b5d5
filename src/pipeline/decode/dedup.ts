/**
 * A bounded memory of recently seen eventIds.
 *
 * What it catches: the same event delivered again within the window, e.g. a producer that retried a
 * send without idempotence, or a gateway that replayed a request. Consumer-side redelivery is rare to
 * begin with: offsets are committed in the same transaction as the outputs (exactly-once), so the
 * broker hands a record out again only when that transaction did not commit.
 *
 * That last case is why an id is remembered with the position (topic, partition, offset) it was first
 * read at: reading the *same* position again means the earlier processing was aborted and its outputs
 * never became visible, so the event must be processed again rather than dropped as a duplicate. Only
 * the same id at a *different* position is a duplicate. This also makes a replay of the same input
 * through the same stage give the same result.
 *
 * Memory is bounded by `capacity` entries over all models together (per-model windows would grow with
 * the number of models); the oldest entry is forgotten first, so duplicates further apart than the
 * window are not caught.
 *
 * Positions are numbers (see position.ts) or, where a record's position cannot be one, strings. An
 * entry keeps no object of its own: (model, id) finds its slot in the ring through a hash table of
 * typed arrays (slot-index.ts); the slot holds the position in a Float64Array and the eventId's
 * characters in a byte array (an id longer than ID_BYTES, or with a character beyond Latin-1, is kept
 * as a string in a side map; so is a position that is a string). Models are the few strings the
 * decoder shares. So the window holds no string per event: the garbage collector has no eventId to
 * copy or promote, however many the window remembers.
 */
import { VigilError } from '../../errors.js';
import { SlotIndex, type SlotKeys } from './slot-index.js';

/** Where a record was read: a number of PositionCodec, or any string (never equal to a number). */
export type DedupPosition = number | string;

/** `global`: an eventId is unique across models; `model`: only within one modelId. */
export type DedupScope = 'global' | 'model';

export interface DedupWindowOptions {
  /** Most eventIds remembered (default 100_000). */
  capacity?: number;
  /** Default `model`. */
  scope?: DedupScope;
}

/** Bytes of eventId kept in place per slot: a UUID's 36 characters fit, with room to spare. */
const ID_BYTES = 48;
/** #idLengths of a slot whose eventId is in the side map. */
const LONG_ID = 255;

export class DedupWindow {
  readonly capacity: number;
  readonly scope: DedupScope;
  /** (model, eventId) → slot; the model is '' in scope `global`. */
  readonly #index: SlotIndex;
  /**
   * (model, id, position) entries in arrival order, as a ring: the slot to write next holds the
   * oldest. Evicting through the ring rather than `Map#keys().next()` matters: V8 leaves deleted Map
   * entries as holes until a rehash, so finding the first live key after many evictions scans them all.
   */
  readonly #ringModels: (string | undefined)[] = [];
  /** The position of each slot; NaN where it is a string, kept in #textPositions. Grows up to capacity. */
  #positions = new Float64Array(0);
  readonly #textPositions = new Map<number, string>();
  /** Each slot's eventId, ID_BYTES bytes per slot (Latin-1), its length in #idLengths; grows with #positions. */
  #idBytes = new Uint8Array(0);
  /** Per slot: the eventId's length, or LONG_ID when it is kept in #longIds. */
  #idLengths = new Uint8Array(0);
  readonly #longIds = new Map<number, string>();
  readonly #keys: SlotKeys = { holds: (slot, model, id) => this.#ringModels[slot] === model && this.#holdsId(slot, id) };
  #next = 0;
  #size = 0;

  constructor(options: DedupWindowOptions = {}) {
    const capacity = options.capacity ?? 100_000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `dedup option capacity must be a positive integer, got ${String(capacity)}`, {
        details: { option: 'capacity' },
      });
    }
    const scope = options.scope ?? 'model';
    if (scope !== 'global' && scope !== 'model') {
      throw new VigilError('VIGIL_CONFIG_INVALID', `dedup option scope must be "global" or "model", got ${String(scope)}`, {
        details: { option: 'scope' },
      });
    }
    this.capacity = capacity;
    this.scope = scope;
    this.#index = new SlotIndex(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** True when the event was already seen at a different position (see the module comment). */
  isDuplicate(modelId: string, eventId: string, position: DedupPosition): boolean {
    const model = this.scope === 'global' ? '' : modelId;
    const slot = this.#index.find(this.#index.hash(model, eventId), model, eventId, this.#keys);
    return slot >= 0 && this.#positionAt(slot) !== position;
  }

  /** Remembers an accepted event; call only after the event was packed, so rejected events do not count. */
  remember(modelId: string, eventId: string, position: DedupPosition): void {
    this.admit(modelId, eventId, position);
  }

  /**
   * isDuplicate and remember in one lookup: false (and nothing remembered) for a duplicate, else true
   * with the event remembered if it was not yet.
   */
  admit(modelId: string, eventId: string, position: DedupPosition): boolean {
    if (position !== position) throw new RangeError(`dedup position of eventId ${eventId.slice(0, 64)} is NaN`);
    const model = this.scope === 'global' ? '' : modelId;
    const hash = this.#index.hash(model, eventId);
    const seenAt = this.#index.find(hash, model, eventId, this.#keys);
    if (seenAt >= 0) return this.#positionAt(seenAt) === position;
    const slot = this.#next;
    if (this.#ringModels[slot] !== undefined) {
      this.#index.remove(slot);
      this.#size--;
      if (this.#textPositions.size > 0) this.#textPositions.delete(slot);
      if (this.#idLengths[slot] === LONG_ID) this.#longIds.delete(slot);
    } else if (slot === this.#positions.length) {
      this.#grow(Math.min(this.capacity, Math.max(1024, slot * 2)));
    }
    this.#ringModels[slot] = model;
    this.#keepId(slot, eventId);
    if (typeof position === 'number') this.#positions[slot] = position;
    else {
      this.#positions[slot] = Number.NaN;
      this.#textPositions.set(slot, position);
    }
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    this.#index.add(slot, hash);
    this.#size++;
    return true;
  }

  #grow(slots: number): void {
    const positions = new Float64Array(slots);
    positions.set(this.#positions);
    this.#positions = positions;
    const idBytes = new Uint8Array(slots * ID_BYTES);
    idBytes.set(this.#idBytes);
    this.#idBytes = idBytes;
    const idLengths = new Uint8Array(slots);
    idLengths.set(this.#idLengths);
    this.#idLengths = idLengths;
  }

  #keepId(slot: number, id: string): void {
    const length = id.length;
    if (length <= ID_BYTES) {
      const bytes = this.#idBytes;
      const at = slot * ID_BYTES;
      let i = 0;
      for (; i < length; i++) {
        const code = id.charCodeAt(i);
        if (code > 0xff) break;
        bytes[at + i] = code;
      }
      if (i === length) {
        this.#idLengths[slot] = length;
        return;
      }
    }
    this.#idLengths[slot] = LONG_ID;
    this.#longIds.set(slot, id);
  }

  #holdsId(slot: number, id: string): boolean {
    const length = this.#idLengths[slot]!;
    if (length === LONG_ID) return this.#longIds.get(slot) === id;
    if (length !== id.length) return false;
    const bytes = this.#idBytes;
    const at = slot * ID_BYTES;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  #positionAt(slot: number): DedupPosition {
    const position = this.#positions[slot]!;
    return position === position ? position : this.#textPositions.get(slot)!;
  }
}
