/**
 * Packs decoded events column-wise, per model version, inside a pool thread: each group keeps its
 * rows as (feature, value) pairs while decoding and lays them out column-major at the end, in chunks
 * whose rows × features stay under a cell limit (a hostile mix of many rows and many feature names
 * must not make one matrix of hundreds of MB).
 */

import type { OptionalColumns } from '../detectors/optional.js';

/** The attribute in which a serving process reports the hash of its environment (see src/governance/manifest). */
const ENV_HASH_ATTRIBUTE = 'vigil.env.hash';
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
  readonly eventIds: string[];
  /** Who called, and where (the model access policy and the I/O log read them; strings are interned). */
  readonly principals: string[];
  readonly endpoints: (string | null)[];
  /** The `vigil.env.hash` attribute of each row (what the serving process reports of its environment), null where absent. */
  readonly envHashes: (string | null)[];
}

class Growable {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

class GroupBuilder {
  readonly #columns = new Map<string, number>();
  readonly #names: string[] = [];
  readonly #rowIndex: number[] = [];
  /** Per row: where its pairs start in pairCols / pairVals. */
  readonly #rowStart: number[] = [];
  readonly #pairCols = new Growable(1024);
  readonly #pairVals = new Growable(1024);
  readonly #scores = new Growable(64);
  readonly #latencies = new Growable(64);
  readonly #timestamps = new Growable(64);
  readonly #statuses: number[] = [];
  readonly #eventIds: string[] = [];
  readonly #principals: string[] = [];
  readonly #endpoints: (string | null)[] = [];
  readonly #envHashes: (string | null)[] = [];
  readonly #optional = new OptionalPacker();

  constructor(
    readonly modelId: string,
    readonly modelVersion: string,
  ) {}

  add(index: number, event: PackableEvent): void {
    this.#rowIndex.push(index);
    this.#rowStart.push(this.#pairCols.length);
    for (let k = 0; k < event.featureCount; k++) {
      const name = event.featureKeys[k]!;
      let column = this.#columns.get(name);
      if (column === undefined) {
        column = this.#names.length;
        this.#columns.set(name, column);
        this.#names.push(name);
      }
      this.#pairCols.push(column);
      this.#pairVals.push(event.featureValues[k]!);
    }
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

  /** Column-major chunks of at most `maxCells` rows × features each (a row alone may exceed it). */
  build(maxCells: number): DecodedGroup[] {
    const rows = this.#rowIndex.length;
    const out: DecodedGroup[] = [];
    let start = 0;
    while (start < rows) {
      // Grow the chunk while rows × (features it uses) stays within the limit.
      const used = new Map<number, number>();
      let end = start;
      while (end < rows) {
        const from = this.#rowStart[end]!;
        const to = end + 1 < rows ? this.#rowStart[end + 1]! : this.#pairCols.length;
        let added = 0;
        for (let k = from; k < to; k++) if (!used.has(this.#pairCols.data[k]!)) added++;
        if (end > start && (end - start + 1) * (used.size + added) > maxCells) break;
        for (let k = from; k < to; k++) {
          const column = this.#pairCols.data[k]!;
          if (!used.has(column)) used.set(column, used.size);
        }
        end++;
      }
      out.push(this.#chunk(start, end, used));
      start = end;
    }
    return out;
  }

  #chunk(start: number, end: number, used: Map<number, number>): DecodedGroup {
    const count = end - start;
    const featureNames: string[] = new Array<string>(used.size);
    for (const [column, local] of used) featureNames[local] = this.#names[column]!;
    const features = new Float64Array(count * used.size).fill(Number.NaN);
    for (let i = 0; i < count; i++) {
      const row = start + i;
      const from = this.#rowStart[row]!;
      const to = row + 1 < this.#rowIndex.length ? this.#rowStart[row + 1]! : this.#pairCols.length;
      for (let k = from; k < to; k++) features[used.get(this.#pairCols.data[k]!)! * count + i] = this.#pairVals.data[k]!;
    }
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
      principals: this.#principals.slice(start, end),
      endpoints: this.#endpoints.slice(start, end),
      envHashes: this.#envHashes.slice(start, end),
      ...this.#optional.build(start, end),
    };
  }
}

/** Groups events by model version, in order of first appearance. */
export class GroupPacker {
  readonly #groups = new Map<string, GroupBuilder>();

  add(index: number, event: PackableEvent): void {
    const key = `${event.modelId.length}:${event.modelId}${event.modelVersion}`;
    let group = this.#groups.get(key);
    if (!group) {
      group = new GroupBuilder(event.modelId, event.modelVersion);
      this.#groups.set(key, group);
    }
    group.add(index, event);
  }

  build(maxCells: number): DecodedGroup[] {
    return [...this.#groups.values()].flatMap((g) => g.build(maxCells));
  }
}
