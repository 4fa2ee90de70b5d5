/**
 * Reads one record body (no wire header) written with one writer schema into a reused FastEvent:
 * bounds-checked before anything is allocated (workers/decode/fast.ts), then validated. One reader per
 * writer schema and thread; the interning caches are shared by all readers of the thread.
 */
import type { Type } from 'avsc';
import type { ErrorCode } from '../../src/errors.js';
import { compileFastDecoder, FastEvent, type FastDecoder, type FastDecoderLimits } from './fast.js';
import type { PackableEvent } from './groups.js';
import { KeyCache } from './keys.js';
import { validateFast, type FastValidationLimits } from './validate.js';

export interface ReaderLimits extends FastDecoderLimits, FastValidationLimits {
  /** Most rows × feature columns in one packed matrix. */
  readonly maxBatchCells: number;
}

/** Why a record could not be read. */
export interface ReadFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

const featureKeys = new KeyCache();
const values = new KeyCache();

export class RecordReader {
  readonly #decoder: FastDecoder | undefined;
  readonly #broken: ReadFailure | undefined;
  readonly #event = new FastEvent();
  readonly #limits: ReaderLimits;
  #failure: ReadFailure = { code: 'VIGIL_INTERNAL', message: 'no record read yet' };

  /** `writer`: the writer schema's text, or its parsed type. */
  constructor(writer: string | Type, limits: ReaderLimits) {
    this.#limits = limits;
    let decoder: FastDecoder | undefined;
    let broken: ReadFailure | undefined;
    try {
      decoder = compileFastDecoder(writer, { ...limits, keyCache: featureKeys, valueCache: values });
    } catch (error) {
      const code = (error as { code?: ErrorCode }).code ?? 'VIGIL_DECODE_SCHEMA_MISMATCH';
      broken = { code, message: `the writer schema cannot be read as an InferenceEvent: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.#decoder = decoder;
    this.#broken = broken;
  }

  /**
   * The record's event, valid until the next read, or undefined when the record is broken or invalid
   * (then `failure` says why). Allocates nothing for a good record.
   */
  read(bytes: Uint8Array, start: number, end: number, nowMs: number): PackableEvent | undefined {
    const decoder = this.#decoder;
    if (decoder === undefined) return this.#failed(this.#broken ?? { code: 'VIGIL_DECODE_SCHEMA_MISMATCH', message: 'no decoder' });
    const code = decoder.decode(bytes, start, end, this.#event);
    if (code !== undefined) return this.#failed({ code, message: decoder.lastError?.message ?? code });
    const invalid = validateFast(this.#event, nowMs, this.#limits);
    if (invalid) return this.#failed({ code: invalid.code, message: invalid.message });
    return this.#event;
  }

  /** Why the last read returned undefined. */
  get failure(): ReadFailure {
    return this.#failure;
  }

  #failed(failure: ReadFailure): undefined {
    this.#failure = failure;
    return undefined;
  }

  /** Lets go of the last input buffer (the decoder keeps views on it between records). */
  release(): void {
    this.#decoder?.release();
  }
}
