/**
 * The reference decode stage: decoding on the calling thread with the byte guard, avsc and the event
 * checks. The engine decodes in the pool with workers/decode/fast.ts; this stage is what the fast
 * decoder is tested against (same codes, same messages, same columns).
 */
import { VigilError, describeError, isVigilError } from '../../../src/errors.js';
import { FeatureCatalog } from '../../../src/pipeline/decode/columnar.js';
import type { ColumnarOptions } from '../../../src/pipeline/decode/columnar.js';
import { DedupWindow } from '../../../src/pipeline/decode/dedup.js';
import type { DedupWindowOptions } from '../../../src/pipeline/decode/dedup.js';
import type { DeadLetter, DecodeResult, InputRecord } from '../../../src/pipeline/decode/index.js';
import { positionOf } from '../../../src/pipeline/decode/pooled.js';
import { WIRE_HEADER_BYTES, WIRE_MAGIC, readSchemaId } from '../../../src/pipeline/decode/wire.js';
import { BatchBuilder } from './batch-builder.js';
import { InferenceDecoder } from './decoder.js';
import type { InferenceDecoderOptions } from './decoder.js';

export { compileGuard, DEFAULT_GUARD_LIMITS, MALFORMED_CODE } from './guard.js';
export type { BodyGuard, GuardLimits } from './guard.js';
export { InferenceDecoder } from './decoder.js';
export type { DecodeOutcome } from './decoder.js';
export { validateEvent, DEFAULT_VALIDATION } from './validate.js';
export type { ValidationOptions } from './validate.js';
export { BatchBuilder } from './batch-builder.js';
export type { RecordPosition } from './batch-builder.js';
export type { InferenceDecoderOptions };

export interface DecodeStageOptions extends InferenceDecoderOptions, ColumnarOptions {
  dedup?: DedupWindowOptions;
}

/**
 * The stage's state that outlives one batch: loaded schemas (in the decoder), the feature catalogue
 * and the dedup window. One stage per consumer; calls must not overlap (the source awaits each batch).
 */
export class DecodeStage {
  readonly decoder: InferenceDecoder;
  readonly catalog: FeatureCatalog;
  readonly dedup: DedupWindow;

  constructor(options: DecodeStageOptions) {
    this.decoder = new InferenceDecoder(options);
    this.catalog = new FeatureCatalog(options);
    this.dedup = new DedupWindow(options.dedup);
  }

  decodeRecords(records: readonly InputRecord[]): Promise<DecodeResult> {
    return decodeRecords(records, this);
  }

  /**
   * Re-learns the eventIds of records that were already processed and committed (read back from the
   * input partition when its state is restored), so a duplicate sent after a restart is still caught.
   * Returns how many ids it remembered; records that do not decode are skipped.
   */
  async prime(records: readonly InputRecord[]): Promise<number> {
    try {
      await loadSchemas(missingIds(records, this.decoder), this.decoder);
    } catch {
      // A registry outage only costs duplicate detection for ids it cannot read now.
    }
    const nowMs = this.decoder.now();
    let remembered = 0;
    for (const record of records) {
      if (record.value === null || record.value.length === 0) continue;
      const outcome = this.decoder.decodeSync(record.value, nowMs);
      if (outcome === undefined || !outcome.ok) continue;
      const { modelId, eventId } = outcome.event;
      const position = positionOf(record);
      if (this.dedup.isDuplicate(modelId, eventId, position)) continue;
      this.dedup.remember(modelId, eventId, position);
      remembered++;
    }
    return remembered;
  }
}

export function createDecodeStage(options: DecodeStageOptions): DecodeStage {
  return new DecodeStage(options);
}

/** Schema ids the batch needs that are not loaded yet, in order of first appearance. */
function missingIds(records: readonly InputRecord[], decoder: InferenceDecoder): number[] {
  const missing = new Set<number>();
  for (const record of records) {
    const value = record.value;
    if (value === null || value.length < WIRE_HEADER_BYTES || value[0] !== WIRE_MAGIC) continue;
    const id = readSchemaId(value);
    if (!decoder.isLoaded(id)) missing.add(id);
  }
  return [...missing];
}

/**
 * Loads every missing id (the registry client dedupes and bounds the requests). Returns the ids that
 * are unknown, to dead-letter their records; throws any other lookup failure, in id order so the
 * error is deterministic.
 */
async function loadSchemas(ids: readonly number[], decoder: InferenceDecoder): Promise<Map<number, VigilError>> {
  const unknown = new Map<number, VigilError>();
  if (ids.length === 0) return unknown;
  const results = await Promise.allSettled(ids.map((id) => decoder.load(id)));
  for (let i = 0; i < ids.length; i++) {
    const result = results[i]!;
    if (result.status === 'fulfilled') continue;
    const err = result.reason;
    if (isVigilError(err) && err.code === 'VIGIL_DECODE_UNKNOWN_SCHEMA') unknown.set(ids[i]!, err);
    else throw err;
  }
  return unknown;
}

function empty(): VigilError {
  return new VigilError('VIGIL_DECODE_SHORT', 'empty value');
}

/** The fate of one record: undefined when packed, else why it is dead-lettered. */
function decodeOne(record: InputRecord, stage: DecodeStage, builder: BatchBuilder, unknown: Map<number, VigilError>, nowMs: number): VigilError | undefined {
  const value = record.value;
  // A tombstone (or an empty value) carries no event; it is not the producer's intent to send one here.
  if (value === null || value.length === 0) return empty();
  const outcome = stage.decoder.decodeSync(value, nowMs);
  if (outcome === undefined) {
    const id = readSchemaId(value);
    return unknown.get(id) ?? new VigilError('VIGIL_INTERNAL', `schema id ${id} neither loaded nor reported unknown`);
  }
  if (!outcome.ok) return outcome.error;
  const event = outcome.event;
  const position = positionOf(record);
  if (stage.dedup.isDuplicate(event.modelId, event.eventId, position)) {
    return new VigilError('VIGIL_EVENT_DUPLICATE', `eventId ${event.eventId.slice(0, 64)} of ${event.modelId.slice(0, 64)} was already seen`, {
      details: { field: 'eventId' },
    });
  }
  const rejected = builder.add(event, record);
  if (rejected !== undefined) return rejected;
  stage.dedup.remember(event.modelId, event.eventId, position);
  return undefined;
}

/**
 * Decodes one batch of records of the inference topic. Deterministic for a given stage state, input
 * and clock (`now` is read once per call). Bad records never make it reject; see the module comment
 * for the one rejection (registry unavailable).
 */
export async function decodeRecords(records: readonly InputRecord[], stage: DecodeStage): Promise<DecodeResult> {
  const unknown = await loadSchemas(missingIds(records, stage.decoder), stage.decoder);
  const nowMs = stage.decoder.now();
  const builder = new BatchBuilder(stage.catalog);
  const deadLetters: DeadLetter[] = [];
  for (let index = 0; index < records.length; index++) {
    let error: VigilError | undefined;
    try {
      error = decodeOne(records[index]!, stage, builder, unknown, nowMs);
    } catch (err) {
      // A bug, not bad input: still contained to its record, and the message says so.
      error = new VigilError('VIGIL_INTERNAL', `unexpected failure decoding the record: ${describeError(err)}`, { cause: err });
    }
    if (error !== undefined) deadLetters.push({ index, code: error.code, message: error.message });
  }
  return { batches: builder.build(), deadLetters, decoded: builder.size };
}
