/**
 * Packs decoded events column-wise, per model version, inside a pool thread: each group keeps its
 * rows as (feature, value) pairs while decoding and lays them out column-major at the end, in chunks
 * whose rows × features stay under a cell limit (a hostile mix of many rows and many feature names
 * must not make one matrix of hundreds of MB).
 */

import type { OptionalColumns } from '../detectors/optional.js';

/** The attribute in which a serving process reports the hash of its environment (see src/governance/manifest). */
const ENV_HASH_ATTRIBUTE = 'vigil.env.hash';
import { encodeDictionary, type DictionaryColumn } from './dictionary.js';
import { OptionalPacker, type OptionalFields } from './optional-pack.js';

/** One decoded event, as the packer needs it (features as parallel name/value lists). */
export interface PackableEvent extends OptionalFields {
  readonly eventId: string;
  readonly timestamp: number;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly featureCount: number;
  readonly featureKeys: readonly string[];
  readonly featureValues: ArrayLike<number>;
  /** Names the content of featureKeys (FastEvent.keysVersion); absent or -1: compare the keys. */
  readonly keysVersion?: number;
  /** NaN when null. */
  readonly score: number;
  readonly latencyMs: number;
  /** Index of the status in the Avro enum (OK 0, ERROR 1, TIMEOUT 2, FALLBACK 3), as STATUS_CODE. */
  readonly status: number;
  readonly principal: string;
  readonly endpoint: string | null;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A packed chunk of one model version's rows: what goes back to the main thread (transferred). */
export interface DecodedGroup extends OptionalColumns {
  readonly modelId: string;
  readonly modelVersion: string;
  /** Index of each row's record in the task's input. */
  readonly rows: Uint32Array;
  /** This chunk's feature columns, in order of first appearance within the group. */
  readonly featureNames: string[];
  /** Column-major: feature f of row i at f * count + i; NaN where absent. */
  readonly features: Float64Array;
  readonly scores: Float64Array;
  readonly latencies: Float64Array;
  readonly statuses: Uint8Array;
  readonly timestamps: Float64Array;
  /**
   * Cloned as an array. One joined string cut with `slice` on the main thread costs it a little less,
   * but each slice keeps its whole batch's text alive as long as any one id is kept (label joins,
   * the dedup window); packed UTF-8 decoded per id costs the main thread more than the clone.
   */
  readonly eventIds: string[];
  /** Who called, and where (the model access policy and the I/O log read them), dictionary-encoded. */
  readonly principals: DictionaryColumn<string>;
  readonly endpoints: DictionaryColumn<string | null>;
  /** The `vigil.env.hash` attribute of each row (what the serving process reports of its environment), null where absent. */
  readonly envHashes: DictionaryColumn<string | null>;
}

/**
 * Pair buffers of finished tasks, kept for the next task of this thread (they never leave it: build()
 * copies what goes back), so a steady stream does not allocate and regrow them for every batch.
 */
const spare: Float64Array[] = [];
const MAX_SPARE = 8;
/** At most 8 × 2 MiB kept; larger buffers (a hostile batch's) are dropped. */
const MAX_SPARE_LENGTH = 1 << 18;

class Growable {
  data: Float64Array;
  length = 0;
  constructor(capacity: number, reuse = false) {
    this.data = (reuse ? spare.pop() : undefined) ?? new Float64Array(capacity);
  }

  /** Hands the buffer to the next task's Growables; this one must not be used after. */
  recycle(): void {
    if (spare.length < MAX_SPARE && this.data.length <= MAX_SPARE_LENGTH) spare.push(this.data);
    this.data = new Float64Array(0);
    this.length = 0;
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  /** Appends `values[0 .. n)`. */
  pushAll(values: ArrayLike<number>, n: number): void {
    if (this.length + n > this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, this.length + n));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    const data = this.data;
    let at = this.length;
    for (let k = 0; k < n; k++) data[at++] = values[k]!;
    this.length = at;
  }
}

function sameKeys(keys: readonly string[], layout: readonly string[], n: number): boolean {
  for (let k = 0; k < n; k++) if (keys[k] !== layout[k]) return false;
  return true;
}

class GroupBuilder {
  readonly #columns = new Map<string, number>();
  readonly #names: string[] = [];
  readonly #rowIndex: number[] = [];
  /** Per row: where its pairs start in pairCols / pairVals (kept only once the group is not uniform). */
  readonly #rowStart: number[] = [];
  readonly #pairCols = new Growable(1024, true);
  readonly #pairVals = new Growable(1024, true);
  readonly #scores = new Growable(64);
  readonly #latencies = new Growable(64);
  readonly #timestamps = new Growable(64);
  readonly #statuses: number[] = [];
  readonly #eventIds: string[] = [];
  readonly #principals: string[] = [];
  readonly #endpoints: (string | null)[] = [];
  readonly #envHashes: (string | null)[] = [];
  readonly #optional = new OptionalPacker();
  /** The keys of the last event added and their columns. */
  #layoutKeys: readonly string[] = [];
  #layoutColumns = new Int32Array(0);
  /** The keysVersion of the last event added (-1: none). */
  #layoutVersion = -1;
  /**
   * True while every row has had the first row's keys, in its order (so its columns are 0 .. n - 1): then
   * pairVals alone is the row-major matrix, and pairCols / rowStart stay empty.
   */
  #uniform = true;

  constructor(
    readonly modelId: string,
    readonly modelVersion: string,
  ) {}

  add(index: number, event: PackableEvent): void {
    const row = this.#rowIndex.length;
    this.#rowIndex.push(index);
    const n = event.featureCount;
    const keys = event.featureKeys;
    // Events of one version nearly always carry the same keys in the same order (and the decoder interns
    // them, so the same key is the same string): then the columns are those of the previous event.
    // (the same keysVersion as the last event's: the decoder has not touched its keys since, no compare)
    const version = event.keysVersion ?? -1;
    const same = (version >= 0 && version === this.#layoutVersion) || (n === this.#layoutKeys.length && sameKeys(keys, this.#layoutKeys, n));
    if (!same) {
      if (this.#uniform && row > 0) this.#leaveUniform(row);
      const columns = new Int32Array(n);
      for (let k = 0; k < n; k++) columns[k] = this.#columnOf(keys[k]!);
      this.#layoutKeys = keys.slice(0, n);
      this.#layoutColumns = columns;
      // (a first row with a repeated key is not a matrix either)
      if (this.#uniform && this.#names.length !== n) this.#leaveUniform(row);
    }
    this.#layoutVersion = version;
    // A uniform group's values are a row-major matrix as they stand: no columns, no row starts.
    if (!this.#uniform) {
      this.#rowStart.push(this.#pairVals.length);
      this.#pairCols.pushAll(this.#layoutColumns, n);
    }
    this.#pairVals.pushAll(event.featureValues, n);
    this.#scores.push(event.score);
    this.#latencies.push(event.latencyMs);
    this.#timestamps.push(event.timestamp);
    this.#statuses.push(event.status);
    this.#eventIds.push(event.eventId);
    this.#principals.push(event.principal);
    this.#endpoints.push(event.endpoint);
    this.#envHashes.push(event.attributes?.[ENV_HASH_ATTRIBUTE] ?? null);
    this.#optional.add(event);
  }

  /** Spells out the pairs of the first `rows` rows, which all had columns 0 .. width - 1. */
  #leaveUniform(rows: number): void {
    this.#uniform = false;
    const width = this.#layoutKeys.length;
    const columns = this.#layoutColumns;
    for (let row = 0; row < rows; row++) {
      this.#rowStart.push(row * width);
      this.#pairCols.pushAll(columns, width);
    }
  }

  #columnOf(name: string): number {
    let column = this.#columns.get(name);
    if (column === undefined) {
      column = this.#names.length;
      this.#columns.set(name, column);
      this.#names.push(name);
    }
    return column;
  }

  /** Gives the pair buffers back for reuse (after build). */
  recycle(): void {
    this.#pairCols.recycle();
    this.#pairVals.recycle();
  }

  /** Column-major chunks of at most `maxCells` rows × features each (a row alone may exceed it). */
  build(maxCells: number): DecodedGroup[] {
    const rows = this.#rowIndex.length;
    const out: DecodedGroup[] = [];
    if (this.#uniform) {
      // Every row has the group's columns 0 .. width - 1, in order: the pairs are a row-major matrix.
      const width = this.#names.length;
      const step = Math.max(1, Math.floor(maxCells / Math.max(1, width)));
      for (let start = 0; start < rows; start += step) out.push(this.#uniformChunk(start, Math.min(rows, start + step), width));
      return out;
    }
    // Which chunk-local column each group column has (-1: not used in the chunk yet).
    const local = new Int32Array(this.#names.length);
    let start = 0;
    while (start < rows) {
      local.fill(-1);
      const order: number[] = [];
      let end = start;
      while (end < rows) {
        const from = this.#rowStart[end]!;
        const to = end + 1 < rows ? this.#rowStart[end + 1]! : this.#pairCols.length;
        let added = 0;
        for (let k = from; k < to; k++) if (local[this.#pairCols.data[k]!] === -1) added++;
        if (end > start && (end - start + 1) * (order.length + added) > maxCells) break;
        for (let k = from; k < to; k++) {
          const column = this.#pairCols.data[k]!;
          if (local[column] === -1) {
            local[column] = order.length;
            order.push(column);
          }
        }
        end++;
      }
      out.push(this.#chunk(start, end, local, order));
      start = end;
    }
    return out;
  }

  #uniformChunk(start: number, end: number, width: number): DecodedGroup {
    const count = end - start;
    const features = sharedFeatures(count * width);
    const values = this.#pairVals.data;
    for (let i = 0; i < count; i++) {
      const from = (start + i) * width;
      for (let f = 0; f < width; f++) features[f * count + i] = values[from + f]!;
    }
    return this.#group(start, end, this.#names.slice(), features);
  }

  #chunk(start: number, end: number, local: Int32Array, order: readonly number[]): DecodedGroup {
    const count = end - start;
    const featureNames = order.map((column) => this.#names[column]!);
    const features = sharedFeatures(count * order.length).fill(Number.NaN);
    for (let i = 0; i < count; i++) {
      const row = start + i;
      const from = this.#rowStart[row]!;
      const to = row + 1 < this.#rowIndex.length ? this.#rowStart[row + 1]! : this.#pairCols.length;
      for (let k = from; k < to; k++) features[local[this.#pairCols.data[k]!]! * count + i] = this.#pairVals.data[k]!;
    }
    return this.#group(start, end, featureNames, features);
  }

  #group(start: number, end: number, featureNames: string[], features: Float64Array): DecodedGroup {
    return {
      modelId: this.modelId,
      modelVersion: this.modelVersion,
      rows: Uint32Array.from(this.#rowIndex.slice(start, end)),
      featureNames,
      features,
      scores: this.#scores.data.slice(start, end),
      latencies: this.#latencies.data.slice(start, end),
      statuses: Uint8Array.from(this.#statuses.slice(start, end)),
      timestamps: this.#timestamps.data.slice(start, end),
      eventIds: this.#eventIds.slice(start, end),
      principals: encodeDictionary(this.#principals, start, end),
      endpoints: encodeDictionary(this.#endpoints, start, end),
      envHashes: encodeDictionary(this.#envHashes, start, end),
      ...this.#optional.build(start, end),
    };
  }
}

/** Groups events by model version, in order of first appearance. */
export class GroupPacker {
  /** Every group, in order of first appearance. */
  readonly #order: GroupBuilder[] = [];
  /** modelId → modelVersion → group: the ids are interned strings, so no key is built per event. */
  readonly #groups = new Map<string, Map<string, GroupBuilder>>();
  /** The group of the previous event: runs of events of one version skip the lookup. */
  #last: GroupBuilder | null = null;

  add(index: number, event: PackableEvent): void {
    let group = this.#last;
    if (group === null || group.modelId !== event.modelId || group.modelVersion !== event.modelVersion) {
      let versions = this.#groups.get(event.modelId);
      if (versions === undefined) {
        versions = new Map();
        this.#groups.set(event.modelId, versions);
      }
      const known = versions.get(event.modelVersion);
      group = known ?? new GroupBuilder(event.modelId, event.modelVersion);
      if (known === undefined) {
        versions.set(event.modelVersion, group);
        this.#order.push(group);
      }
      this.#last = group;
    }
    group.add(index, event);
  }

  /** The packed chunks; the packer is spent after. */
  build(maxCells: number): DecodedGroup[] {
    const out = this.#order.flatMap((g) => g.build(maxCells));
    for (const g of this.#order) g.recycle();
    return out;
  }
}

/**
 * A feature matrix in shared memory: the main thread reads it as the batch's features and hands the
 * same memory to the scoring tasks, copying nothing (nothing writes it after the packing).
 */
function sharedFeatures(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}
