/**
 * A bounded join of delayed ground truth (`vigil.labels`, GroundTruth) with inference events, by
 * eventId, for the main thread. Pure logic: no I/O, no clock (time is the events' own time).
 *
 * Either side may come first. An event offered while its label is waiting joins at once; otherwise
 * the event waits (with whatever the engine keeps of it: its prediction, score, probabilities) until
 * its label comes. A label offered for a waiting event joins at once; otherwise it waits for its event.
 *
 * Bounds:
 *   - `maxEntries` waiting entries over both sides together. Entries are remembered in arrival order
 *     in a ring; offering one more than the bound forgets the oldest waiting entry (`evicted`).
 *   - `maxAgeMs` of event time: the watermark is the largest event time seen; an event waits while its
 *     timestamp is within `maxAgeMs` of it, a label while its own timestamp is (`expired`).
 * A second label for the same eventId while the first waits is counted (`duplicateLabels`) and
 * dropped: the first one wins, so a replay gives the same joins.
 */
import type { LabelColumns } from '../../contracts/batch.js';
import type { GroundTruth } from '../../contracts/records.js';
import { VigilError } from '../../errors.js';

export interface LabelJoinOptions {
  /** Most waiting entries, events and labels together (default 100_000; 1 .. 10_000_000). */
  readonly maxEntries?: number;
  /** How far behind the event-time watermark an entry may be and still wait (default 24 h). */
  readonly maxAgeMs?: number;
}

export interface LabelJoinCounts {
  /** Event–label pairs made. */
  joined: number;
  /** Entries dropped for being older than maxAgeMs behind the watermark. */
  expiredEvents: number;
  expiredLabels: number;
  /** Entries dropped to keep within maxEntries. */
  evictedEvents: number;
  evictedLabels: number;
  /** Labels dropped because a label for the same eventId was already waiting. */
  duplicateLabels: number;
  /** Entries waiting now. */
  waitingEvents: number;
  waitingLabels: number;
}

/** One joined pair: the event's kept payload and its label. */
export interface Joined<T> {
  readonly eventId: string;
  readonly eventTime: number;
  readonly payload: T;
  readonly label: number | string;
}

const MAX_ID_LENGTH = 512;
const MAX_CLASS_LABEL_LENGTH = 1024;

interface Waiting<T> {
  readonly seq: number;
  readonly time: number;
  readonly payload: T;
}

function invalid(field: string, value: unknown, why: string): VigilError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
  return new VigilError('VIGIL_EVENT_INVALID', `label join: ${field} ${shown} ${why}`, { details: { field, value: shown } });
}

function checkId(eventId: unknown): string {
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > MAX_ID_LENGTH) {
    throw invalid('eventId', eventId, `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  return eventId;
}

function checkTime(field: string, t: unknown): number {
  if (typeof t !== 'number' || !Number.isFinite(t)) throw invalid(field, t, 'must be a finite number of epoch milliseconds');
  return t;
}

export class LabelJoin<T> {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly #events = new Map<string, Waiting<T>>();
  readonly #labels = new Map<string, Waiting<number | string>>();
  // The ring of arrival order: slot i holds side (0 event, 1 label), key and seq of one arrival.
  readonly #ringKeys: (string | undefined)[];
  readonly #ringSides: Uint8Array;
  readonly #ringSeqs: Float64Array;
  #next = 0;
  #seq = 0;
  #watermark = -Infinity;
  /** A lower bound of every waiting entry's time: no scan is needed while it is inside the age limit. */
  #oldest = Infinity;
  readonly #counts = { joined: 0, expiredEvents: 0, expiredLabels: 0, evictedEvents: 0, evictedLabels: 0, duplicateLabels: 0 };

  constructor(options: LabelJoinOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    const maxAgeMs = options.maxAgeMs ?? 24 * 3600 * 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `label join: maxEntries must be an integer from 1 to 10000000, got ${String(maxEntries)}`, { details: { field: 'maxEntries' } });
    }
    if (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `label join: maxAgeMs must be a positive finite number, got ${String(maxAgeMs)}`, { details: { field: 'maxAgeMs' } });
    }
    this.maxEntries = maxEntries;
    this.maxAgeMs = maxAgeMs;
    this.#ringKeys = new Array<string | undefined>(maxEntries);
    this.#ringSides = new Uint8Array(maxEntries);
    this.#ringSeqs = new Float64Array(maxEntries);
  }

  /** The largest event time seen (-Infinity before any). */
  get watermark(): number {
    return this.#watermark;
  }

  counts(): LabelJoinCounts {
    return { ...this.#counts, waitingEvents: this.#events.size, waitingLabels: this.#labels.size };
  }

  /**
   * Offers a label. Returns the joined pair when its event is waiting, else null (the label waits,
   * unless it is a duplicate or already too old). Throws a VigilError (VIGIL_EVENT_INVALID) naming the
   * field for a malformed record, and then changes nothing.
   */
  offerLabel(record: GroundTruth): Joined<T> | null {
    if (record === null || typeof record !== 'object') throw invalid('label record', record, 'must be a GroundTruth object');
    const eventId = checkId(record.eventId);
    const time = checkTime('timestamp', record.timestamp);
    const label = record.label;
    if (typeof label === 'number' ? !Number.isFinite(label) : typeof label !== 'string' || label.length > MAX_CLASS_LABEL_LENGTH) {
      throw invalid('label', label, `must be a finite number or a string of at most ${MAX_CLASS_LABEL_LENGTH} characters`);
    }
    const event = this.#events.get(eventId);
    if (event !== undefined) {
      this.#events.delete(eventId);
      this.#counts.joined++;
      return { eventId, eventTime: event.time, payload: event.payload, label };
    }
    if (this.#labels.has(eventId)) {
      this.#counts.duplicateLabels++;
      return null;
    }
    if (time < this.#watermark - this.maxAgeMs) {
      this.#counts.expiredLabels++;
      return null;
    }
    this.#remember(1, eventId, time, label);
    return null;
  }

  /**
   * Offers an event (its id, its time and what to keep of it). Returns the joined pair when its label
   * is waiting, else null (the event waits for its label). Advances the watermark to `eventTime`.
   */
  offerEvent(eventId: string, eventTime: number, payload: T): Joined<T> | null {
    checkId(eventId);
    checkTime('eventTime', eventTime);
    this.advanceTo(eventTime);
    const label = this.#labels.get(eventId);
    if (label !== undefined) {
      this.#labels.delete(eventId);
      this.#counts.joined++;
      return { eventId, eventTime, payload, label: label.payload };
    }
    if (eventTime < this.#watermark - this.maxAgeMs) {
      this.#counts.expiredEvents++;
      return null;
    }
    if (!this.#events.has(eventId)) this.#remember(0, eventId, eventTime, payload);
    return null;
  }

  /**
   * The label columns of a batch: for each row, the waiting label of its eventId (taken: it joins
   * once). Rows without one get NaN / code -1. Rows are not kept as waiting events: pass them to
   * `offerEvent` for labels that come later.
   */
  labelColumns(eventIds: readonly string[]): LabelColumns {
    const n = eventIds.length;
    const numeric = new Float64Array(n).fill(NaN);
    const codes = new Int32Array(n).fill(-1);
    const values: string[] = [];
    const dictionary = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = eventIds[i]!;
      const label = this.#labels.get(id);
      if (label === undefined) continue;
      this.#labels.delete(id);
      this.#counts.joined++;
      const v = label.payload;
      if (typeof v === 'number') numeric[i] = v;
      else {
        let code = dictionary.get(v);
        if (code === undefined) {
          code = values.length;
          values.push(v);
          dictionary.set(v, code);
        }
        codes[i] = code;
      }
    }
    return { numeric, classes: { codes, values } };
  }

  /** Moves the watermark to `eventTime` (never back) and drops what is now too old. */
  advanceTo(eventTime: number): void {
    checkTime('eventTime', eventTime);
    if (eventTime > this.#watermark) this.#watermark = eventTime;
    const limit = this.#watermark - this.maxAgeMs;
    if (this.#oldest >= limit) return;
    let oldest = Infinity;
    for (const [key, entry] of this.#events) {
      if (entry.time < limit) {
        this.#events.delete(key);
        this.#counts.expiredEvents++;
      } else if (entry.time < oldest) oldest = entry.time;
    }
    for (const [key, entry] of this.#labels) {
      if (entry.time < limit) {
        this.#labels.delete(key);
        this.#counts.expiredLabels++;
      } else if (entry.time < oldest) oldest = entry.time;
    }
    this.#oldest = oldest;
  }

  #remember(side: 0 | 1, key: string, time: number, payload: unknown): void {
    const slot = this.#next;
    const old = this.#ringKeys[slot];
    if (old !== undefined) {
      // The slot holds the oldest arrival: forget it if it is still waiting.
      const oldSeq = this.#ringSeqs[slot]!;
      if (this.#ringSides[slot] === 0) {
        if (this.#events.get(old)?.seq === oldSeq) {
          this.#events.delete(old);
          this.#counts.evictedEvents++;
        }
      } else if (this.#labels.get(old)?.seq === oldSeq) {
        this.#labels.delete(old);
        this.#counts.evictedLabels++;
      }
    }
    const seq = ++this.#seq;
    this.#ringKeys[slot] = key;
    this.#ringSides[slot] = side;
    this.#ringSeqs[slot] = seq;
    this.#next = (slot + 1) % this.maxEntries;
    if (side === 0) this.#events.set(key, { seq, time, payload: payload as T });
    else this.#labels.set(key, { seq, time, payload: payload as number | string });
    if (time < this.#oldest) this.#oldest = time;
  }
}
