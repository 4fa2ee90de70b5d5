/**
 * The index of the dedup window: (model, eventId) → ring slot, as an open-addressing hash table of
 * slot numbers in an Int32Array (linear probing, deletion by backward shift), with each slot's hash
 * kept in a Uint32Array. Against a Map of strings this saves the Map's own entries (pointers the
 * garbage collector traces), its rehashing after many deletions, and a lookup for each eviction: a
 * slot's hash finds its cell directly.
 *
 * Hashes are FNV-1a over the UTF-16 code units with a random seed per index, finished with
 * MurmurHash3's mixer: inputs chosen to collide cannot be prepared in advance.
 */
import { randomBytes } from 'node:crypto';
import { finish } from '../../../workers/kernels/bottom-k.js';

const EMPTY = 0;

/** Where the index's keys are kept: whether slot `slot` holds (model, id). */
export interface SlotKeys {
  holds(slot: number, model: string, id: string): boolean;
}

export class SlotIndex {
  readonly #seed = randomBytes(4).readUInt32LE(0);
  /** Per cell: slot + 1, or EMPTY. Length a power of two, at least twice the entries. */
  #cells = new Int32Array(1024);
  #mask = 1023;
  /** Per slot: its hash (valid while the slot is in the index). */
  #hashes: Uint32Array;
  #entries = 0;

  constructor(slots: number) {
    this.#hashes = new Uint32Array(Math.min(slots, 1024));
  }

  /** The hash of (model, id) under this index's seed. */
  hash(model: string, id: string): number {
    let h = this.#seed ^ 0x811c9dc5;
    for (let i = 0; i < model.length; i++) h = Math.imul(h ^ model.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193); // a separator: ("ab", "c") and ("a", "bc") differ
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return finish(h);
  }

  /** The slot of (model, id), whose hash is `hash`, or -1; `keys` says whether a slot holds that key. */
  find(hash: number, model: string, id: string, keys: SlotKeys): number {
    const cells = this.#cells;
    const mask = this.#mask;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const cell = cells[at]!;
      if (cell === EMPTY) return -1;
      const slot = cell - 1;
      if (this.#hashes[slot] === hash && keys.holds(slot, model, id)) return slot;
    }
  }

  /** Adds `slot` (not in the index) under `hash`. */
  add(slot: number, hash: number): void {
    if (slot >= this.#hashes.length) {
      const grown = new Uint32Array(Math.max(slot + 1, this.#hashes.length * 2));
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes[slot] = hash;
    if ((this.#entries + 1) * 2 > this.#cells.length) this.#grow();
    this.#place(slot + 1, hash);
    this.#entries++;
  }

  /** Removes `slot` (in the index). */
  remove(slot: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let hole = this.#hashes[slot]! & mask;
    while (cells[hole] !== slot + 1) hole = (hole + 1) & mask;
    // Backward shift: later cells of the run that may live at the hole move into it.
    for (let at = (hole + 1) & mask; cells[at] !== EMPTY; at = (at + 1) & mask) {
      const home = this.#hashes[cells[at]! - 1]! & mask;
      const stays = hole < at ? home > hole && home <= at : home > hole || home <= at;
      if (!stays) {
        cells[hole] = cells[at]!;
        hole = at;
      }
    }
    cells[hole] = EMPTY;
    this.#entries--;
  }

  #place(cell: number, hash: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let at = hash & mask;
    while (cells[at] !== EMPTY) at = (at + 1) & mask;
    cells[at] = cell;
  }

  #grow(): void {
    const old = this.#cells;
    this.#cells = new Int32Array(old.length * 2);
    this.#mask = this.#cells.length - 1;
    for (const cell of old) if (cell !== EMPTY) this.#place(cell, this.#hashes[cell - 1]!);
  }
}
