/**
 * The decode stage's outside: the records it takes, what it gives back, and its parts (wire format,
 * registry client, duplicate window, feature columns). The engine decodes in the worker pool
 * (pooled.ts and workers/decode/).
 *
 * Failure policy (ARCHITECTURE.md, principle 5): a record that is bad in itself (framing, unknown
 * schema, malformed or oversized body, invalid or duplicate event) becomes a DeadLetter naming its
 * index, and the rest of the batch goes on. The one thing that is not a property of a record is the
 * registry being unreachable for an id not cached yet: then decoding rejects with
 * VIGIL_REGISTRY_UNAVAILABLE before changing any state, so the batch can be retried.
 */
import type { ErrorCode } from '../../errors.js';
import type { ColumnarBatch } from '../../contracts/batch.js';

export { readSchemaId, frameWire, WIRE_HEADER_BYTES, WIRE_MAGIC } from './wire.js';
export { RegistryClient } from './registry.js';
export type { SchemaLookup, RegistryClientOptions, FetchFunction } from './registry.js';
export { DedupWindow } from './dedup.js';
export type { DedupPosition, DedupScope, DedupWindowOptions } from './dedup.js';
export { PositionCodec } from './position.js';
export { FeatureCatalog, FeatureIndex } from './columnar.js';
export type { ColumnarOptions } from './columnar.js';
export { PooledDecodeStage, positionOf } from './pooled.js';
export type { PooledDecodeOptions } from './pooled.js';

/** One Kafka record as the source hands it over. */
export interface InputRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A record that goes to the dead-letter topic; `index` is its position in the input array. */
export interface DeadLetter {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface DecodeResult {
  readonly batches: ColumnarBatch[];
  /** In input order. */
  readonly deadLetters: DeadLetter[];
  /** Events packed into the batches. */
  readonly decoded: number;
}
