/**
 * The decode stage with the decoding done in the worker pool. The main thread frames the batch (its
 * values back to back), loads the writer schemas it needs from the registry (cached by id), and after
 * the pool has decoded and packed the events it applies what needs the partition's memory: duplicate
 * detection and the stable feature columns of each model version.
 */
import type { ColumnarBatch } from '../../contracts/batch.js';
import { schemaSource } from '../../contracts/schemas.js';
import { REHEARSAL_SCHEMA_ID, madeUpValues } from '../rehearsal.js';
import { VigilError, isVigilError, type ErrorCode } from '../../errors.js';
import type { DecodedGroup } from '../../../workers/decode/groups.js';
import { optionalOf, pickOptional } from '../../../workers/detectors/optional.js';
import type { ReaderLimits } from '../../../workers/decode/reader.js';
import { DEFAULT_FAST_LIMITS } from '../../../workers/decode/fast.js';
import { expandDictionary } from '../../../workers/decode/dictionary.js';
import { DEFAULT_FAST_VALIDATION } from '../../../workers/decode/validate.js';
import type { ScoringPool } from '../score/pool.js';
import { FeatureCatalog, type ColumnarOptions } from './columnar.js';
import { DedupWindow, type DedupWindowOptions } from './dedup.js';
import type { DeadLetter, DecodeResult, InputRecord } from './index.js';
import { PositionCodec } from './position.js';
import { FetchedMessage, type FetchedRegion } from '../source/fast-records.js';
import type { SchemaLookup } from './registry.js';

export interface PooledDecodeOptions extends ColumnarOptions {
  readonly pool: ScoringPool;
  readonly lookup: SchemaLookup;
  readonly now?: () => number;
  readonly dedup?: DedupWindowOptions;
  readonly limits?: Partial<ReaderLimits>;
}

export { positionOf } from './position.js';

/**
 * Buffers of earlier tasks the pool gave back, to copy later batches' values into: a fresh buffer of
 * megabytes per batch costs as much again as the copy (its pages are new to the process). Shared by
 * every stage of the process, so the memory they hold does not grow with the partitions assigned:
 * at most a few, enough for the partitions processed at once and the batches fetched ahead.
 */
const spareBuffers: ArrayBuffer[] = [];
const MAX_SPARE_BUFFERS = 4;

export class PooledDecodeStage {
  readonly catalog: FeatureCatalog;
  readonly dedup: DedupWindow;
  readonly #pool: ScoringPool;
  readonly #lookup: SchemaLookup;
  readonly #now: () => number;
  readonly #limits: ReaderLimits;
  readonly #schemas = new Map<number, string>();
  /** Positions of records for the dedup window: numbers, from this stage's own numbering of its partitions. */
  readonly #positions = new PositionCodec();

  constructor(options: PooledDecodeOptions) {
    this.#pool = options.pool;
    this.#lookup = options.lookup;
    this.#now = options.now ?? Date.now;
    this.catalog = new FeatureCatalog(options);
    this.dedup = new DedupWindow(options.dedup);
    this.#limits = { ...decodeLimits(this.catalog.options.maxBatchCells), ...options.limits };
  }

  async decodeRecords(records: readonly InputRecord[]): Promise<DecodeResult> {
    const { groups, failures } = await this.#decode(records);
    const deadLetters: DeadLetter[] = failures.map((f) => ({ index: f.index, code: f.code, message: f.message }));
    const batches: ColumnarBatch[] = [];
    let decoded = 0;
    for (const group of groups) {
      const batch = this.#admit(group, records, deadLetters);
      if (batch) {
        batches.push(batch);
        decoded += batch.count;
      }
    }
    deadLetters.sort((a, b) => a.index - b.index);
    return { batches, deadLetters, decoded };
  }

  /**
   * Re-learns the eventIds of records already processed and committed (read back from the input when
   * a partition's state is restored), so a duplicate sent after a restart is still caught.
   */
  async prime(records: readonly InputRecord[]): Promise<number> {
    let remembered = 0;
    for (let at = 0; at < records.length; at += 10_000) {
      const slice = records.slice(at, at + 10_000);
      let groups: DecodedGroup[];
      try {
        groups = (await this.#decode(slice)).groups;
      } catch {
        return remembered; // a registry outage only costs duplicate detection for what it cannot read
      }
      for (const group of groups) {
        for (let r = 0; r < group.rows.length; r++) {
          if (this.dedup.admit(group.modelId, group.eventIds[r]!, this.#positions.of(slice[group.rows[r]!]!))) remembered++;
        }
      }
    }
    return remembered;
  }

  async #decode(records: readonly InputRecord[]) {
    // Records of the engine's own record decoding are copied a record batch at a time, as fetched
    // (their values where they lie among the records); other values back to back.
    let total = 0;
    let region: FetchedRegion | undefined;
    for (const r of records) {
      if (!(r instanceof FetchedMessage)) total += r.value?.length ?? 0;
      else if (r.region !== region) {
        region = r.region;
        total += region.end - region.start;
      }
    }
    const bytes = this.#bytes(total);
    const bounds = new Uint32Array(records.length + 1);
    const ends = new Uint32Array(records.length);
    const nulls = new Uint8Array(records.length);
    const ids = new Set<number>();
    let at = 0;
    let lastId = -1;
    let base = 0;
    region = undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      let start: number;
      let length: number;
      if (record instanceof FetchedMessage) {
        length = record.valueLength();
        if (length < 0) {
          nulls[i] = 1;
          continue;
        }
        if (record.region !== region) {
          region = record.region;
          region.bytes.copy(bytes, at, region.start, region.end);
          base = at - region.start;
          at += region.end - region.start;
        }
        start = base + record.valueStart();
      } else {
        const value = record.value;
        if (value === null) {
          nulls[i] = 1;
          continue;
        }
        length = value.length;
        start = at;
        bytes.set(value, at);
        at += length;
      }
      bounds[i] = start;
      ends[i] = start + length;
      if (length >= 5 && bytes[start] === 0) {
        const id = ((bytes[start + 1]! << 24) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 8) | bytes[start + 4]!) >>> 0;
        if (id !== lastId) {
          ids.add(id);
          lastId = id;
        }
      }
    }
    bounds[records.length] = at;
    const { schemas, unknownIds } = await this.#schemasFor(ids);
    const result = await this.#pool.decodeBatch({ bytes, bounds, ends, nulls, schemas, unknownIds, nowMs: this.#now(), limits: this.#limits });
    const spent = result.spent?.buffer;
    if (spent instanceof ArrayBuffer && spent.byteLength > 0) keepSpare(spent);
    return result;
  }

  /** A buffer for `total` bytes of values: the smallest spare one large enough, else a new one with some room to spare. */
  #bytes(total: number): Uint8Array {
    let at = -1;
    spareBuffers.forEach((buffer, i) => {
      if (buffer.byteLength >= total && (at < 0 || buffer.byteLength < spareBuffers[at]!.byteLength)) at = i;
    });
    if (at >= 0) return new Uint8Array(spareBuffers.splice(at, 1)[0]!, 0, total);
    return new Uint8Array(new ArrayBuffer(Math.ceil(total * 1.25)), 0, total);
  }

  /** The writer schemas of `ids`: cached, else from the registry (an outage throws, retriable). */
  async #schemasFor(ids: ReadonlySet<number>): Promise<{ schemas: Record<number, string>; unknownIds: number[] }> {
    const missing = [...ids].filter((id) => !this.#schemas.has(id));
    const unknownIds: number[] = [];
    const results = await Promise.allSettled(missing.map((id) => this.#lookup.schemaFor(id)));
    results.forEach((result, i) => {
      const id = missing[i]!;
      if (result.status === 'fulfilled') this.#schemas.set(id, result.value);
      else if (isVigilError(result.reason) && result.reason.code === 'VIGIL_DECODE_UNKNOWN_SCHEMA') unknownIds.push(id);
      else throw result.reason;
    });
    const schemas: Record<number, string> = {};
    for (const id of ids) {
      const text = this.#schemas.get(id);
      if (text !== undefined) schemas[id] = text;
    }
    return { schemas, unknownIds };
  }

  /** Dedup and stable columns for one packed group; its rejected rows become dead letters. */
  #admit(group: DecodedGroup, records: readonly InputRecord[], deadLetters: DeadLetter[]): ColumnarBatch | undefined {
    const rejectAll = (code: ErrorCode, message: string): undefined => {
      for (const row of group.rows) deadLetters.push({ index: row, code, message });
      return undefined;
    };
    const index = this.catalog.indexFor(group.modelId, group.modelVersion);
    if (index instanceof VigilError) return rejectAll(index.code, index.message);
    const appended = index.appendNames(group.featureNames);
    if (appended) return rejectAll(appended.code, `${group.modelId}@${group.modelVersion}: ${appended.message}`);

    const localCount = group.rows.length;
    // The rows kept, listed once one is not (until then: every row so far).
    let kept: number[] | undefined;
    for (let r = 0; r < localCount; r++) {
      const row = group.rows[r]!;
      const eventId = group.eventIds[r]!;
      if (!this.dedup.admit(group.modelId, eventId, this.#positions.of(records[row]!))) {
        deadLetters.push({ index: row, code: 'VIGIL_EVENT_DUPLICATE', message: `eventId ${eventId.slice(0, 64)} of ${group.modelId.slice(0, 64)} was already seen` });
        kept ??= Array.from({ length: r }, (_, i) => i);
        continue;
      }
      kept?.push(r);
    }
    const n = kept?.length ?? localCount;
    if (n === 0) return undefined;
    const keep = kept ?? []; // read only where some row was not kept
    const rowAt = (k: number): number => (kept === undefined ? k : kept[k]!);

    const names = index.names();
    const width = names.length;
    const identity = n === localCount && group.featureNames.length === width && group.featureNames.every((name, f) => names[f] === name);
    let features: Float64Array;
    if (identity) features = group.features;
    else {
      features = new Float64Array(n * width).fill(Number.NaN);
      group.featureNames.forEach((name, local) => {
        const column = index.columnOf(name)!;
        for (let k = 0; k < n; k++) features[column * n + k] = group.features[local * localCount + rowAt(k)]!;
      });
    }
    const pick = <T extends Float64Array | Uint8Array>(column: T): T => (n === localCount ? column : pickRows(column, keep));
    const offsets = new Array<string>(n);
    for (let k = 0; k < n; k++) offsets[k] = records[group.rows[rowAt(k)]!]!.offset;
    const optional = optionalOf(group);
    const optionalKept = n === localCount ? optional : pickOptional(optional, localCount, keep);
    const first = records[group.rows[rowAt(0)]!]!;
    const rowsKept = n === localCount ? undefined : keep;
    return {
      count: n,
      featureCount: width,
      features,
      scores: pick(group.scores),
      latencies: pick(group.latencies),
      statuses: pick(group.statuses),
      timestamps: pick(group.timestamps),
      ...optionalKept,
      modelId: group.modelId,
      modelVersion: group.modelVersion,
      featureNames: names,
      // Every row kept: the group's own array (it crossed from the pool and nothing else holds it).
      eventIds: rowsKept === undefined ? group.eventIds : keep.map((r) => group.eventIds[r]!),
      principals: expandDictionary(group.principals, 'principals', rowsKept),
      endpoints: expandDictionary(group.endpoints, 'endpoints', rowsKept),
      envHashes: expandDictionary(group.envHashes, 'envHashes', rowsKept),
      offsets,
      source: { topic: first.topic, partition: first.partition, firstOffset: offsets[0]!, lastOffset: offsets[n - 1]! },
    };
  }
}

/**
 * A decodeBatch task of made-up events written with the contract's own InferenceEvent schema: what a
 * new pool thread is given before the first batch, so it has loaded its code, compiled the reader of
 * the schema producers write with (the contract's), and run the decoding often enough to have it
 * optimised ahead of the first fetch.
 */
export function warmUpDecodeTask(nowMs: number, events = 2000): Parameters<ScoringPool['decodeBatch']>[0] {
  const values = madeUpValues(nowMs, 0, events);
  const bounds = new Uint32Array(events + 1);
  values.forEach((value, i) => (bounds[i + 1] = bounds[i]! + value.length));
  return { bytes: new Uint8Array(Buffer.concat(values)), bounds, nulls: new Uint8Array(events), schemas: { [REHEARSAL_SCHEMA_ID]: schemaSource('InferenceEvent') }, unknownIds: [], nowMs, limits: decodeLimits(new FeatureCatalog({}).options.maxBatchCells) };
}

/** The pool decoder's limits and validation as the decode stage asks for them, with its batch cell cap. */
export function decodeLimits(maxBatchCells: number): ReaderLimits {
  return { ...DEFAULT_FAST_LIMITS, ...DEFAULT_FAST_VALIDATION, maxBatchCells };
}

/** Keeps `buffer` as a spare: in a free place, else instead of the smallest spare if it is larger. */
function keepSpare(buffer: ArrayBuffer): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) {
    spareBuffers.push(buffer);
    return;
  }
  let smallest = 0;
  spareBuffers.forEach((b, i) => {
    if (b.byteLength < spareBuffers[smallest]!.byteLength) smallest = i;
  });
  if (buffer.byteLength > spareBuffers[smallest]!.byteLength) spareBuffers[smallest] = buffer;
}

function pickRows<T extends Float64Array | Uint8Array>(column: T, keep: readonly number[]): T {
  const out = new (column.constructor as { new (length: number): T })(keep.length);
  for (let k = 0; k < keep.length; k++) out[k] = column[keep[k]!]!;
  return out;
}
