/**
 * InferenceDecoder: raw value bytes → wire header → writer schema → guard → avsc decode into the reader
 * type `InferenceEvent` → validation.
 *
 * Everything per writer schema id (parsed type, compiled guard, resolver) is built once and kept: ids
 * are immutable. Once an id is loaded, decoding it is synchronous (`decodeSync`); only a cache miss
 * goes to the registry (`load`).
 */
import avro from 'avsc';
import type { Resolver, Schema, Type } from 'avsc';
import { VigilError, describeError, isVigilError } from '../../../src/errors.js';
import type { InferenceEvent } from '../../../src/contracts/records.js';
import { avroType } from '../../../src/contracts/schemas.js';
import { compileGuard } from './guard.js';
import type { BodyGuard, GuardLimits } from './guard.js';
import type { SchemaLookup } from '../../../src/pipeline/decode/registry.js';
import { DEFAULT_VALIDATION, validateEvent } from './validate.js';
import type { ValidationOptions } from './validate.js';
import { WIRE_HEADER_BYTES, readSchemaId } from '../../../src/pipeline/decode/wire.js';

export interface InferenceDecoderOptions {
  /** Source of writer schemas (a RegistryClient, or a fake in tests). */
  lookup: SchemaLookup;
  /** Injected clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Allowed future skew of event timestamps, ms (default 5 minutes). */
  maxFutureSkewMs?: number;
  /** Longest eventId / modelId / modelVersion (default 256). */
  maxIdLength?: number;
  /** Guard limits (defaults in DEFAULT_GUARD_LIMITS). */
  limits?: Partial<GuardLimits>;
}

export type DecodeOutcome = { readonly ok: true; readonly event: InferenceEvent } | { readonly ok: false; readonly error: VigilError };

/** What one writer schema id compiles to. */
interface WriterPlan {
  readonly guard: BodyGuard;
  /** Undefined when the writer schema is the reader schema: avsc then reads directly, faster. */
  readonly resolver: Resolver | undefined;
}

function failed(error: VigilError): DecodeOutcome {
  return { ok: false, error };
}

function asVigil(err: unknown, fallback: 'VIGIL_INTERNAL' | 'VIGIL_DECODE_SCHEMA_MISMATCH', context: string): VigilError {
  if (isVigilError(err)) return err;
  return new VigilError(fallback, `${context}: ${describeError(err)}`, { cause: err });
}

function mismatch(id: number, what: string, err: unknown): VigilError {
  return new VigilError('VIGIL_DECODE_SCHEMA_MISMATCH', `writer schema ${id} ${what}: ${describeError(err)}`, {
    cause: err,
    details: { schemaId: id },
  });
}

/** Parses writer schema text the way the reader is parsed, falling back to wrapped unions if avsc finds them ambiguous. */
function parseWriter(id: number, text: string): Type {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw mismatch(id, 'is not JSON', err);
  }
  try {
    return avro.Type.forSchema(json as Schema, { wrapUnions: false });
  } catch {
    // Unwrapped unions cannot hold two branches of the same kind (two records, say); the writer type
    // is only read through a resolver, so its union representation does not matter.
  }
  try {
    return avro.Type.forSchema(json as Schema, { wrapUnions: true });
  } catch (err) {
    throw mismatch(id, 'is not a valid Avro schema', err);
  }
}

export class InferenceDecoder {
  readonly #lookup: SchemaLookup;
  readonly #now: () => number;
  readonly #validation: ValidationOptions;
  readonly #limits: Partial<GuardLimits>;
  readonly #reader: Type = avroType('InferenceEvent');
  /** Loaded ids: a plan, or the reason the id can never be decoded (a mismatch is as permanent as the id). */
  readonly #plans = new Map<number, WriterPlan | VigilError>();

  constructor(options: InferenceDecoderOptions) {
    this.#lookup = options.lookup;
    this.#now = options.now ?? Date.now;
    this.#validation = {
      maxFutureSkewMs: options.maxFutureSkewMs ?? DEFAULT_VALIDATION.maxFutureSkewMs,
      maxIdLength: options.maxIdLength ?? DEFAULT_VALIDATION.maxIdLength,
    };
    for (const [key, value] of Object.entries(this.#validation)) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new VigilError('VIGIL_CONFIG_INVALID', `decoder option ${key} must be a non-negative integer, got ${String(value)}`, {
          details: { option: key },
        });
      }
    }
    this.#limits = { ...(options.limits ?? {}) };
    // Compile once against the reader so bad limits fail at construction, not at the first record.
    compileGuard(this.#reader, this.#limits);
  }

  /** The injected clock. */
  now(): number {
    return this.#now();
  }

  /** True when records with this schema id decode synchronously. */
  isLoaded(schemaId: number): boolean {
    return this.#plans.has(schemaId);
  }

  /**
   * Fetches and compiles a writer schema. An unusable schema is remembered as a failure (decodeSync then
   * reports it); lookup failures are not, so an id registered later still works.
   *
   * @throws VigilError from the lookup: VIGIL_DECODE_UNKNOWN_SCHEMA or VIGIL_REGISTRY_UNAVAILABLE.
   */
  async load(schemaId: number): Promise<void> {
    if (this.#plans.has(schemaId)) return;
    let text: string;
    try {
      text = await this.#lookup.schemaFor(schemaId);
    } catch (err) {
      if (isVigilError(err)) throw err;
      throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema lookup for id ${schemaId} failed: ${describeError(err)}`, {
        cause: err,
        details: { schemaId },
      });
    }
    if (!this.#plans.has(schemaId)) this.#plans.set(schemaId, this.#plan(schemaId, text));
  }

  #plan(id: number, text: string): WriterPlan | VigilError {
    try {
      const writer = parseWriter(id, text);
      const guard = compileGuard(writer, this.#limits);
      if (writer.equals(this.#reader)) return { guard, resolver: undefined };
      try {
        return { guard, resolver: this.#reader.createResolver(writer) };
      } catch (err) {
        throw mismatch(id, 'cannot be read as dev.vigil.InferenceEvent', err);
      }
    } catch (err) {
      return asVigil(err, 'VIGIL_DECODE_SCHEMA_MISMATCH', `writer schema ${id}`);
    }
  }

  /**
   * Decodes one record value when its schema id is loaded; undefined when it is not (call `load`).
   * Never throws: every failure is an outcome with a VigilError.
   */
  decodeSync(value: Uint8Array, nowMs: number = this.#now()): DecodeOutcome | undefined {
    let id: number;
    try {
      id = readSchemaId(value);
    } catch (err) {
      return failed(asVigil(err, 'VIGIL_INTERNAL', 'wire header'));
    }
    const plan = this.#plans.get(id);
    if (plan === undefined) return undefined;
    if (plan instanceof VigilError) return failed(plan);
    const end = value.length;
    try {
      plan.guard.check(value, WIRE_HEADER_BYTES, end);
    } catch (err) {
      return failed(asVigil(err, 'VIGIL_INTERNAL', 'guard'));
    }
    // avsc's Tap needs Buffer methods (utf8Slice, readDoubleLE); wrap a plain Uint8Array without copying.
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.#reader.decode(buf, WIRE_HEADER_BYTES, plan.resolver);
    } catch (err) {
      // The guard has checked the bytes; what is left is the resolver refusing a value (e.g. a writer
      // enum symbol the reader lacks): the writer schema cannot be read as the reader.
      return failed(mismatch(id, 'value cannot be read as dev.vigil.InferenceEvent', err));
    }
    // Cannot happen after the guard; checked anyway because the two must never disagree silently.
    if (decoded.offset !== end) {
      const code = decoded.offset < 0 ? 'VIGIL_DECODE_TRUNCATED' : 'VIGIL_DECODE_TRAILING';
      return failed(new VigilError(code, `avsc stopped at byte ${decoded.offset} of ${end} after the guard accepted the body`));
    }
    const event = decoded.value as InferenceEvent;
    const error = validateEvent(event, nowMs, this.#validation);
    return error === undefined ? { ok: true, event } : failed(error);
  }

  /**
   * Decodes one record value, loading its schema first if needed.
   * @throws VigilError only when the schema cannot be fetched for a reason other than "unknown id"
   *   (VIGIL_REGISTRY_UNAVAILABLE): the record is then neither good nor bad yet.
   */
  async decode(value: Uint8Array, nowMs: number = this.#now()): Promise<DecodeOutcome> {
    const fast = this.decodeSync(value, nowMs);
    if (fast !== undefined) return fast;
    try {
      await this.load(readSchemaId(value));
    } catch (err) {
      if (isVigilError(err) && err.code === 'VIGIL_DECODE_UNKNOWN_SCHEMA') return failed(err);
      throw err;
    }
    return this.decodeSync(value, nowMs) ?? failed(new VigilError('VIGIL_INTERNAL', 'schema loaded but not found'));
  }
}
