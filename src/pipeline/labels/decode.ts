/**
 * Decoding of `vigil.labels` records (GroundTruth, Confluent wire format) on the main thread: labels
 * are few and small next to inference events, so they do not go through the pool. Writer schemas come
 * from the registry (cached by id: an outage does not stop known ids) and are resolved to the
 * contract's GroundTruth. A record is bounded in size before anything is decoded; every failure is a
 * dead letter with the code of what is wrong, and the batch goes on.
 */
import avro from 'avsc';
import type { Resolver, Schema, Type } from 'avsc';
import type { GroundTruth } from '../../contracts/records.js';
import { avroType } from '../../contracts/schemas.js';
import { VigilError, isVigilError, type ErrorCode } from '../../errors.js';
import type { DeadLetter, InputRecord } from '../decode/index.js';
import type { SchemaLookup } from '../decode/registry.js';
import { WIRE_HEADER_BYTES, readSchemaId } from '../decode/wire.js';

/** Largest label record accepted: a GroundTruth is an id, a model id, a time and a label. */
export const MAX_LABEL_BYTES = 64 * 1024;
/** Labels further than this in the future (event time against the wall clock) are refused. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

export interface DecodedLabel {
  /** Position in the input array. */
  readonly index: number;
  readonly offset: string;
  readonly label: GroundTruth;
}

export interface LabelDecodeResult {
  readonly labels: DecodedLabel[];
  readonly deadLetters: DeadLetter[];
}

export class LabelDecoder {
  readonly #lookup: SchemaLookup;
  readonly #now: () => number;
  readonly #reader: Type = avroType('GroundTruth');
  readonly #resolvers = new Map<number, Resolver | VigilError>();

  constructor(lookup: SchemaLookup, now: () => number = Date.now) {
    this.#lookup = lookup;
    this.#now = now;
  }

  async decode(records: readonly InputRecord[]): Promise<LabelDecodeResult> {
    const labels: DecodedLabel[] = [];
    const deadLetters: DeadLetter[] = [];
    const ids = new Set<number>();
    for (const r of records) if (r.value !== null && r.value.length >= WIRE_HEADER_BYTES && r.value[0] === 0) ids.add(r.value.readUInt32BE(1));
    await this.#load(ids);
    records.forEach((record, index) => {
      const outcome = this.#decodeOne(record);
      if (outcome instanceof VigilError) deadLetters.push({ index, code: outcome.code, message: outcome.message });
      else labels.push({ index, offset: record.offset, label: outcome });
    });
    return { labels, deadLetters };
  }

  /** Resolvers for the ids not cached yet; an id the registry does not know is remembered as such. */
  async #load(ids: ReadonlySet<number>): Promise<void> {
    const missing = [...ids].filter((id) => !this.#resolvers.has(id));
    const results = await Promise.allSettled(missing.map((id) => this.#lookup.schemaFor(id)));
    results.forEach((result, i) => {
      const id = missing[i]!;
      if (result.status === 'rejected') {
        if (isVigilError(result.reason) && result.reason.code === 'VIGIL_DECODE_UNKNOWN_SCHEMA') {
          this.#resolvers.set(id, new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is unknown to the registry`));
          return;
        }
        throw result.reason;
      }
      try {
        const writer = avro.Type.forSchema(JSON.parse(result.value) as Schema, { wrapUnions: false });
        this.#resolvers.set(id, this.#reader.createResolver(writer));
      } catch (error) {
        this.#resolvers.set(id, new VigilError('VIGIL_DECODE_SCHEMA_MISMATCH', `schema id ${id} cannot be read as a GroundTruth: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }

  #decodeOne(record: InputRecord): GroundTruth | VigilError {
    const fail = (code: ErrorCode, message: string): VigilError => new VigilError(code, message);
    const value = record.value;
    if (value === null || value.length === 0) return fail('VIGIL_DECODE_SHORT', 'empty value');
    if (value.length > MAX_LABEL_BYTES) return fail('VIGIL_DECODE_OVERSIZED', `label record of ${value.length} bytes is over the limit of ${MAX_LABEL_BYTES}`);
    let id: number;
    try {
      id = readSchemaId(value);
    } catch (error) {
      return error as VigilError;
    }
    const resolver = this.#resolvers.get(id);
    if (resolver === undefined) return fail('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} could not be loaded`);
    if (resolver instanceof VigilError) return resolver;
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.#reader.decode(value, WIRE_HEADER_BYTES, resolver);
    } catch (error) {
      return fail('VIGIL_DECODE_MALFORMED', `label record breaks its schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (decoded.offset < 0) return fail('VIGIL_DECODE_TRUNCATED', 'label record ends before its last field');
    if (decoded.offset !== value.length) return fail('VIGIL_DECODE_TRAILING', `${value.length - decoded.offset} bytes left over after the label record`);
    const label = decoded.value as GroundTruth;
    if (label.eventId.length === 0 || label.eventId.length > 512) return fail('VIGIL_EVENT_INVALID', 'eventId must be 1 to 512 characters');
    if (label.modelId.length === 0 || label.modelId.length > 200) return fail('VIGIL_EVENT_INVALID', 'modelId must be 1 to 200 characters');
    if (!Number.isSafeInteger(label.timestamp) || label.timestamp < 0) return fail('VIGIL_EVENT_INVALID', `timestamp ${String(label.timestamp)} is not a time`);
    if (label.timestamp > this.#now() + MAX_FUTURE_MS) return fail('VIGIL_EVENT_INVALID', `timestamp ${label.timestamp} is more than a day in the future`);
    if (typeof label.label === 'number' ? !Number.isFinite(label.label) : label.label.length > 1024) {
      return fail('VIGIL_EVENT_INVALID', 'label must be a finite number or a string of at most 1024 characters');
    }
    return label;
  }
}
