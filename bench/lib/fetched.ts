/**
 * Records shaped as kafkajs hands them to `eachBatch`: the messages of a batch are encoded as one Kafka
 * record batch (kafkajs's own encoder) and read back with kafkajs's own decoder, so each value is a
 * view into one response buffer, with the keys and record headers between them, as after a fetch.
 */
import { createRequire } from 'node:module';
import type { InputRecord } from '../../src/pipeline/decode/index.js';

const require = createRequire(import.meta.url);

interface EncoderLike {
  readonly buffer: Buffer;
}
interface RecordLike {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
}
type RecordBatchEncoder = (options: { firstOffset: unknown; lastOffsetDelta: number; records: EncoderLike[] }) => Promise<EncoderLike>;
type RecordEncoder = (record: { offsetDelta: number; key: Buffer | null; value: Buffer | null }) => EncoderLike;
type RecordBatchDecoder = (decoder: unknown) => Promise<{ records: RecordLike[] }>;

const encodeBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: RecordBatchEncoder }).RecordBatch;
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as RecordEncoder;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as RecordBatchDecoder;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(value: number): unknown };

/** The messages `{ key, value }` as one fetched batch of `topic`/`partition` starting at `firstOffset`. */
export async function fetchedBatch(
  topic: string,
  partition: number,
  firstOffset: number,
  messages: readonly { readonly key: Buffer | null; readonly value: Buffer | null }[],
): Promise<InputRecord[]> {
  const records = messages.map((m, i) => encodeRecord({ offsetDelta: i, key: m.key, value: m.value }));
  const encoded = await encodeBatch({ firstOffset: Long.fromValue(firstOffset), lastOffsetDelta: messages.length - 1, records });
  // The response of a fetch: the batch somewhere inside a larger buffer.
  const response = Buffer.alloc(encoded.buffer.length + 64);
  encoded.buffer.copy(response, 32);
  const { records: decoded } = await decodeBatch(new Decoder(response.subarray(32, 32 + encoded.buffer.length)));
  return decoded.map((r) => ({ key: r.key, value: r.value, topic, partition, offset: r.offset }));
}
