/**
 * The reference of a model version: the raw numeric columns of its first N events (reference
 * quantiles need the raw values, not a summary), or rows read from a reference file. At most N rows
 * are kept; feature columns may be added while collecting (a version's feature index only grows),
 * and rows collected before a feature appeared hold NaN for it.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODE } from '../../contracts/batch.js';
import type { NumericColumns, SourceSpan } from '../../contracts/batch.js';
import type { InferenceStatus } from '../../contracts/records.js';
import { canonicalJson } from '../../config/canonical.js';
import { VigilError } from '../../errors.js';
import { f64ToBytes, sameSourcePartition, widenSpan } from './columns.js';
import type { ReferenceData } from './types.js';
import { concatOptional, optionalOf, sliceOptional, type OptionalColumns } from '../../../workers/detectors/optional.js';
import { encodeOptionalColumns } from './optional-codec.js';

/** The columns of a reference under construction, each `count` long; what a snapshot stores. */
export interface ReferenceColumns {
  readonly count: number;
  /** One column per feature of the index, row-aligned. */
  readonly features: readonly Float64Array[];
  readonly scores: Float64Array;
  readonly latencies: Float64Array;
  readonly statuses: Uint8Array;
  readonly timestamps: Float64Array;
  readonly source: SourceSpan | null;
  /** The optional columns (categorical, embedding, LLM traces...) of the rows, when any carried them. */
  readonly optional?: OptionalColumns;
}

export class ReferenceBuilder {
  readonly target: number;
  #count = 0;
  /** Rows allocated: grows geometrically up to `target`, so a large N costs memory only as rows arrive. */
  #capacity = 0;
  #features: Float64Array[] = [];
  #scores = new Float64Array(0);
  #latencies = new Float64Array(0);
  #statuses = new Uint8Array(0);
  #timestamps = new Float64Array(0);
  #source: SourceSpan | null = null;
  /** The optional columns of the rows taken, batch by batch (joined when the reference is read). */
  #optional: { columns: OptionalColumns; count: number }[] = [];

  constructor(target: number, from?: ReferenceColumns) {
    if (!Number.isSafeInteger(target) || target < 1) throw new VigilError('VIGIL_INTERNAL', `reference size must be a positive integer, got ${target}`);
    this.target = target;
    if (from !== undefined) {
      if (from.count > target) throw new VigilError('VIGIL_INTERNAL', `reference holds ${from.count} rows, more than its size ${target}`);
      this.#reserve(from.count);
      this.#features = from.features.map((column) => grown(column, this.#capacity, Number.NaN));
      this.#scores.set(from.scores);
      this.#latencies.set(from.latencies);
      this.#statuses.set(from.statuses);
      this.#timestamps.set(from.timestamps);
      this.#count = from.count;
      this.#source = from.source;
      if (from.optional !== undefined) this.#optional.push({ columns: from.optional, count: from.count });
    }
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const capacity = Math.min(this.target, Math.max(rows, this.#capacity * 2, 64));
    this.#features = this.#features.map((column) => grown(column, capacity, Number.NaN));
    this.#scores = grown(this.#scores, capacity, 0);
    this.#latencies = grown(this.#latencies, capacity, 0);
    this.#statuses = grown(this.#statuses, capacity, 0);
    this.#timestamps = grown(this.#timestamps, capacity, 0);
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.target;
  }

  /** Copies rows `[start, end)` of `batch` (at most the room left); returns how many were taken. */
  add(batch: NumericColumns & { readonly source: SourceSpan }, start: number, end: number): number {
    const take = Math.min(end - start, this.target - this.#count);
    if (take <= 0) return 0;
    this.#reserve(this.#count + take);
    while (this.#features.length < batch.featureCount) this.#features.push(new Float64Array(this.#capacity).fill(Number.NaN));
    for (let f = 0; f < batch.featureCount; f++) {
      const from = f * batch.count + start;
      (this.#features[f] as Float64Array).set(batch.features.subarray(from, from + take), this.#count);
    }
    this.#scores.set(batch.scores.subarray(start, start + take), this.#count);
    this.#latencies.set(batch.latencies.subarray(start, start + take), this.#count);
    this.#statuses.set(batch.statuses.subarray(start, start + take), this.#count);
    this.#timestamps.set(batch.timestamps.subarray(start, start + take), this.#count);
    const optional = optionalOf(batch);
    this.#optional.push({ columns: Object.keys(optional).length === 0 ? {} : sliceOptional(optional, batch.count, start, start + take), count: take });
    this.#count += take;
    // A reference is read from one partition (a model's events are keyed by model id); the span
    // records that partition's offsets.
    if (this.#source === null || sameSourcePartition(this.#source, batch.source)) this.#source = widenSpan(this.#source, batch.source);
    return take;
  }

  /** The columns collected so far, trimmed to `count` rows (copies). */
  columns(featureCount: number): ReferenceColumns {
    const n = this.#count;
    const features: Float64Array[] = [];
    for (let f = 0; f < featureCount; f++) features.push(this.#features[f]?.slice(0, n) ?? new Float64Array(n).fill(Number.NaN));
    return {
      count: n,
      features,
      scores: this.#scores.slice(0, n),
      latencies: this.#latencies.slice(0, n),
      statuses: this.#statuses.slice(0, n),
      timestamps: this.#timestamps.slice(0, n),
      source: this.#source,
      ...this.#optionalColumns(),
    };
  }

  #optionalColumns(): { optional?: OptionalColumns } {
    if (!this.#optional.some((part) => Object.keys(part.columns).length > 0)) return {};
    const optional = concatOptional(this.#optional);
    // Joined once: later reads (and snapshots) start from the joined columns.
    this.#optional = [{ columns: optional, count: this.#count }];
    return { optional };
  }

  build(featureNames: readonly string[]): ReferenceData {
    return referenceFromColumns(featureNames, this.columns(featureNames.length));
  }
}

function grown<T extends Float64Array | Uint8Array>(column: T, capacity: number, fill: number): T {
  const out = (column instanceof Float64Array ? new Float64Array(capacity) : new Uint8Array(capacity)) as T;
  out.fill(fill, column.length);
  out.set(column.subarray(0, Math.min(column.length, capacity)));
  return out;
}

/** A `ReferenceData` (column-major features, content id) from per-feature columns. */
export function referenceFromColumns(featureNames: readonly string[], columns: ReferenceColumns): ReferenceData {
  const n = columns.count;
  const features = new Float64Array(n * featureNames.length);
  columns.features.forEach((column, f) => features.set(column.subarray(0, n), f * n));
  const hash = createHash('sha256').update(canonicalJson({ featureNames: [...featureNames], count: n }));
  for (let f = 0; f < featureNames.length; f++) hash.update(f64ToBytes(features.subarray(f * n, (f + 1) * n)));
  hash.update(f64ToBytes(columns.scores)).update(f64ToBytes(columns.latencies)).update(columns.statuses).update(f64ToBytes(columns.timestamps));
  // Only a reference with optional columns hashes them, so the ids of numeric references stay as they were.
  if (columns.optional !== undefined) hash.update(encodeOptionalColumns(columns.optional));
  return Object.freeze({
    referenceId: hash.digest('hex'),
    featureNames: Object.freeze([...featureNames]),
    count: n,
    featureCount: featureNames.length,
    features,
    scores: columns.scores,
    latencies: columns.latencies,
    statuses: columns.statuses,
    timestamps: columns.timestamps,
    source: columns.source,
    ...(columns.optional ?? {}),
  });
}

/** One row of a reference file: an InferenceEvent-like object; only `features` is required. */
export interface ReferenceRow {
  readonly features: Readonly<Record<string, number>>;
  readonly score?: number | null;
  readonly latencyMs?: number;
  readonly timestamp?: number;
  readonly status?: InferenceStatus;
}

/** A reference from rows (features ordered by first appearance); absent values are NaN. */
export function referenceFromRows(rows: readonly ReferenceRow[]): ReferenceData {
  const n = rows.length;
  const names: string[] = [];
  const index = new Map<string, number>();
  const features: Float64Array[] = [];
  const scores = new Float64Array(n).fill(Number.NaN);
  const latencies = new Float64Array(n).fill(Number.NaN);
  const statuses = new Uint8Array(n);
  const timestamps = new Float64Array(n).fill(Number.NaN);
  rows.forEach((row, i) => {
    for (const [name, value] of Object.entries(row.features)) {
      let f = index.get(name);
      if (f === undefined) {
        f = names.length;
        index.set(name, f);
        names.push(name);
        features.push(new Float64Array(n).fill(Number.NaN));
      }
      (features[f] as Float64Array)[i] = value;
    }
    scores[i] = row.score ?? Number.NaN;
    latencies[i] = row.latencyMs ?? Number.NaN;
    statuses[i] = STATUS_CODE[row.status ?? 'OK'];
    timestamps[i] = row.timestamp ?? Number.NaN;
  });
  return referenceFromColumns(names, { count: n, features, scores, latencies, statuses, timestamps, source: null });
}

/**
 * Parses a reference file's text (JSON lines of InferenceEvent-like objects), keeping the first
 * `limit` rows. Blank lines are skipped; a malformed line is a VIGIL_INPUT_INVALID naming `origin`
 * and the line number.
 */
export function parseReferenceLines(text: string, origin: string, limit: number): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && rows.length < limit; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.length === 0) continue;
    const fail = (why: string, cause?: unknown): VigilError =>
      new VigilError('VIGIL_INPUT_INVALID', `reference file ${origin}, line ${i + 1}: ${why}`, { cause, details: { file: origin, line: i + 1 } });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw fail('not valid JSON', cause);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('must be a JSON object');
    const record = value as Record<string, unknown>;
    const features = record['features'];
    if (typeof features !== 'object' || features === null || Array.isArray(features)) throw fail('"features" must be an object of numbers');
    for (const [name, v] of Object.entries(features)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`features.${name} must be a finite number`);
    }
    const num = (key: string): number | undefined => {
      const v = record[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`"${key}" must be a finite number or null`);
      return v;
    };
    const status = record['status'];
    if (status !== undefined && (typeof status !== 'string' || !Object.hasOwn(STATUS_CODE, status))) {
      throw fail(`"status" must be one of ${Object.keys(STATUS_CODE).join(', ')}`);
    }
    const latencyMs = num('latencyMs');
    const timestamp = num('timestamp');
    rows.push({
      features: features as Record<string, number>,
      score: num('score') ?? null,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(status === undefined ? {} : { status: status as InferenceStatus }),
    });
  }
  return rows;
}
