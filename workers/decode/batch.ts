/**
 * The `decodeBatch` task: the records of one Kafka batch (their values back to back in one buffer)
 * in, column-wise groups per model version and the failures out. Decoding is the heaviest per-event
 * work of the engine, so it runs here, in the pool, and the main thread only fetches and commits.
 *
 * A record fails with the code of what is wrong with it: the wire header, an unknown schema id, bytes
 * that break the writer schema, or an invalid value. Decoding is bounded by the byte guard, so no
 * record, however hostile, makes this thread allocate beyond the limits.
 */
import type { ErrorCode } from '../../src/errors.js';
import { optionalBuffers } from '../detectors/optional.js';
import { GroupPacker, type DecodedGroup } from './groups.js';
import { parseWriterSchema } from './fast.js';
import { RecordReader, type ReaderLimits } from './reader.js';

export interface DecodeBatchTask {
  /** Every record's value: back to back, or where `ends` says. */
  readonly bytes: Uint8Array;
  /** Record i is bytes[bounds[i] .. bounds[i+1]), or bytes[bounds[i] .. ends[i]) when `ends` is given; length n + 1. */
  readonly bounds: Uint32Array;
  /** Where each record ends, when the values are not back to back (they lie among other bytes); length n. */
  readonly ends?: Uint32Array;
  /** 1 where the record's value was null (a tombstone), else 0. */
  readonly nulls: Uint8Array;
  /** Writer schemas (JSON text) of the ids the main thread could load. */
  readonly schemas: Readonly<Record<number, string>>;
  /** Ids the registry says it does not know. */
  readonly unknownIds: readonly number[];
  readonly nowMs: number;
  readonly limits: ReaderLimits;
}

export interface DecodeFailure {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface DecodeBatchResult {
  readonly groups: DecodedGroup[];
  /** In input order. */
  readonly failures: DecodeFailure[];
  /**
   * The task's `bytes`, given back (transferred) once read, so the caller can fill the same buffer
   * with a later batch rather than allocate (and fault in) megabytes per batch.
   */
  readonly spent: Uint8Array;
}

/**
 * The compiled readers of this thread for one set of limits, by writer schema text and, for a text not
 * met before, by the schema's Parsing Canonical Form: every text of one schema shares one reader, so a
 * reader warmed up on the contract's schema file is the one that reads a registry's copy of it.
 */
class Readers {
  readonly #limits: ReaderLimits;
  readonly #byText = new Map<string, RecordReader>();
  readonly #bySchema = new Map<string, RecordReader>();

  constructor(limits: ReaderLimits) {
    this.#limits = limits;
  }

  get(text: string): RecordReader {
    const known = this.#byText.get(text);
    if (known !== undefined) return known;
    // A hostile registry could serve endless schemas: keep the cache bounded.
    if (this.#byText.size >= 1000) {
      this.#byText.clear();
      this.#bySchema.clear();
    }
    let parsed: ReturnType<typeof parseWriterSchema> | undefined;
    try {
      parsed = parseWriterSchema(text);
    } catch {
      // Not a schema: the reader built from the text is a broken one that says why.
    }
    const reader = parsed === undefined ? new RecordReader(text, this.#limits) : (this.#bySchema.get(parsed.canonical) ?? new RecordReader(parsed.type, this.#limits));
    if (parsed !== undefined) this.#bySchema.set(parsed.canonical, reader);
    this.#byText.set(text, reader);
    return reader;
  }
}

/** By limits (few and immutable). */
const readers = new Map<string, Readers>();

/** This thread's reader of records written with schema `text`, compiled on first use. */
export function readerFor(limits: ReaderLimits, text: string): RecordReader {
  const key = JSON.stringify(limits);
  let compiled = readers.get(key);
  if (compiled === undefined) {
    compiled = new Readers(limits);
    readers.set(key, compiled);
  }
  return compiled.get(text);
}

export function decodeBatch(task: DecodeBatchTask): DecodeBatchResult {
  const { bytes, bounds, ends, nulls, schemas, nowMs, limits } = task;
  const unknown = new Set(task.unknownIds);
  // Resolved once per task and id: the per-record path must not touch the schema text.
  const byId = new Map<number, RecordReader>();
  const readerOf = (id: number, text: string): RecordReader => {
    let reader = byId.get(id);
    if (!reader) {
      reader = readerFor(limits, text);
      byId.set(id, reader);
    }
    return reader;
  };
  let lastId = -1;
  let lastReader: RecordReader | undefined;
  const count = bounds.length - 1;
  if (ends !== undefined && ends.length !== count) throw new RangeError(`decodeBatch: ${ends.length} record ends for ${count} records`);
  const packer = new GroupPacker();
  const failures: DecodeFailure[] = [];
  const fail = (index: number, code: ErrorCode, message: string): void => {
    failures.push({ index, code, message });
  };
  for (let i = 0; i < count; i++) {
    const start = bounds[i]!;
    const end = ends === undefined ? bounds[i + 1]! : ends[i]!;
    if (end < start || end > bytes.length) {
      fail(i, 'VIGIL_DECODE_SHORT', `record bounds ${start}..${end} are outside the task's ${bytes.length} bytes`);
      continue;
    }
    if (nulls[i] === 1 || end === start) {
      fail(i, 'VIGIL_DECODE_SHORT', 'empty value');
      continue;
    }
    if (end - start < 5) {
      fail(i, 'VIGIL_DECODE_SHORT', `record has ${end - start} bytes; the wire header alone needs 5`);
      continue;
    }
    if (bytes[start] !== 0) {
      fail(i, 'VIGIL_DECODE_MAGIC', `record starts with byte ${bytes[start]}, not the Confluent magic byte 0`);
      continue;
    }
    const id = ((bytes[start + 1]! << 24) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 8) | bytes[start + 4]!) >>> 0;
    // (records of one batch nearly always share their schema id: the last one's reader is kept at hand)
    let reader = id === lastId ? lastReader : undefined;
    if (reader === undefined) {
      const text = schemas[id];
      if (text === undefined) {
        fail(i, 'VIGIL_DECODE_UNKNOWN_SCHEMA', unknown.has(id) ? `schema id ${id} is unknown to the registry` : `schema id ${id} could not be loaded`);
        continue;
      }
      reader = lastReader = readerOf(id, text);
      lastId = id;
    }
    const event = reader.read(bytes, start + 5, end, nowMs);
    if (event !== undefined) packer.add(i, event);
    else fail(i, reader.failure.code, reader.failure.message);
  }
  // The task's buffer is about to be transferred back or dropped: readers must not pin it.
  for (const reader of byId.values()) reader.release();
  return { groups: packer.build(limits.maxBatchCells), failures, spent: bytes };
}

/** The typed arrays of a result, for the transfer list. */
export function resultBuffers(result: DecodeBatchResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const g of result.groups) {
    for (const a of [g.rows, g.features, g.scores, g.latencies, g.statuses, g.timestamps, g.principals.codes, g.endpoints.codes, g.envHashes.codes]) {
      if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
    }
    for (const b of optionalBuffers(g)) buffers.add(b);
  }
  if (result.spent.buffer instanceof ArrayBuffer) buffers.add(result.spent.buffer);
  return [...buffers];
}
