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
 */
import { VigilError } from '../../errors.js';

/** `global`: an eventId is unique across models; `model`: only within one modelId. */
export type DedupScope = 'global' | 'model';

export interface DedupWindowOptions {
  /** Most eventIds remembered (default 100_000). */
  capacity?: number;
  /** Default `model`. */
  scope?: DedupScope;
}

export class DedupWindow {
  readonly capacity: number;
  readonly scope: DedupScope;
  /** key → position first seen at. */
  readonly #seen = new Map<string, string>();
  /**
   * Keys in arrival order, as a ring: the slot to write next holds the oldest key. Evicting through
   * the ring rather than `Map#keys().next()` matters: V8 leaves deleted Map entries as holes until a
   * rehash, so finding the first live key after many evictions scans them all.
   */
  readonly #ring: (string | undefined)[] = [];
  #next = 0;

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
  }

  get size(): number {
    return this.#seen.size;
  }

  #key(modelId: string, eventId: string): string {
    // Length-prefixed, so no choice of characters in the ids can make two pairs collide.
    return this.scope === 'global' ? eventId : `${modelId.length}:${modelId}${eventId}`;
  }

  /** True when the event was already seen at a different position (see the module comment). */
  isDuplicate(modelId: string, eventId: string, position: string): boolean {
    const first = this.#seen.get(this.#key(modelId, eventId));
    return first !== undefined && first !== position;
  }

  /** Remembers an accepted event; call only after the event was packed, so rejected events do not count. */
  remember(modelId: string, eventId: string, position: string): void {
    const key = this.#key(modelId, eventId);
    if (this.#seen.has(key)) return;
    const oldest = this.#ring[this.#next];
    if (oldest !== undefined) this.#seen.delete(oldest);
    this.#ring[this.#next] = key;
    this.#next = (this.#next + 1) % this.capacity;
    this.#seen.set(key, position);
  }
}
