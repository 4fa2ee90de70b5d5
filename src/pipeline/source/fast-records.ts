/**
 * A faster decoding of fetched records for kafkajs 2.2.4, giving the same messages.
 *
 * kafkajs turns each fetched record into a message object. On the way it builds a Decoder object per
 * record, parses the batch's first offset and timestamp from text and adds 64-bit `Long`s for every
 * record, and folds the headers with an object spread per header. That costs more per event than
 * anything else a consumer does that only counts. This module decodes an uncompressed v2 record batch
 * in one pass over its bytes, with plain numbers where they are exact. Every message has the same
 * fields with the same values as kafkajs's own: the same offset and timestamp text, key and value
 * views of the same bytes, headers, control flag and the batch context that kafkajs's
 * aborted-transaction filter reads.
 *
 * The messages are `FetchedMessage`s: the offset is made at decoding (kafkajs reads it of every
 * message), every other field when first read, through a getter, and kept. A reader that only wants
 * a value's bytes copies them from the fetched bytes (`inputRecords`: the messages themselves serve as
 * input records), so the engine builds no key or value view, header object, timestamp text or record
 * object for an event. Being getters, those fields are not own properties: spreading a message or
 * turning it into JSON gives its offset only.
 *
 * It takes the place of the module kafkajs decodes a fetched partition's records with (fetch v4 and
 * later share it), for every kafkajs consumer of the process. Anything outside its fast path goes to
 * kafkajs's own decoder, whole batch at a time, so kafkajs decides what happens to it:
 * - compressed batches;
 * - the old message formats;
 * - varints longer than four bytes, and lengths below -1;
 * - offsets or timestamps beyond 2^53;
 * - records that do not fit their batch.
 *
 * The tests compare both decoders' output on the same fetched bytes.
 *
 * `installFastRecords()` must run before kafkajs first decodes a fetch response, that is before the
 * first consumer connects. It refuses, and says why, when kafkajs is not 2.2.4 or its fetch decoding
 * is already loaded. The engine then keeps kafkajs's decoding, and only its speed differs.
 */
import { createRequire } from 'node:module';
import type { KafkaMessage } from 'kafkajs';
import type { InputRecord } from '../decode/index.js';
import { replaceKafkajsModule, type PatchOutcome } from '../kafkajs-patch.js';

const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;
const BATCH_HEADER = 61;
const TIMESTAMP_TYPE_FLAG = 0x8;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;
/**
 * On a record decoding put in kafkajs's place: the one it replaced. A second install (another copy of
 * this module) sees it, and tests find kafkajs's own decoding through it.
 */
export const FAST_RECORDS_MARK = Symbol.for('vigil.fastRecordDecoding');
/** Offsets and timestamps below this are added as numbers (the sum stays exact). */
const EXACT = 2 ** 53 - 2 ** 32;

export interface KafkajsDecoder {
  readInt32(): number;
  readBytes(n: number): Buffer;
  canReadBytes(n: number): boolean;
}

export type DecodeMessages = (decoder: KafkajsDecoder) => Promise<unknown[]>;

export interface Kafkajs {
  readonly Decoder: new (buffer: Buffer) => KafkajsDecoder & { offset: number };
  readonly RecordBatchDecoder: (decoder: unknown) => Promise<{ records: unknown[] }>;
  readonly MessageSetDecoder: (decoder: unknown, size: number) => unknown;
  readonly original: DecodeMessages;
}

/** The batch context kafkajs attaches to every message of a batch (one object per batch). */
interface BatchContext {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly partitionLeaderEpoch: number;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly maxTimestamp: string;
  readonly timestampType: number;
  readonly magicByte: number;
}

/** Record batches decoded so far in this process: by the fast path, and handed to kafkajs's decoder. */
const counts = { fast: 0, kafkajs: 0 };

/** A batch outside the fast path; kafkajs's own decoder reads it. */
class Unusual extends Error {}

/** A zigzag varint of at most four bytes (|value| < 2^27) at `cursor.at`; Unusual otherwise. */
function varint(bytes: Buffer, cursor: { at: number }, end: number): number {
  let result = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (cursor.at >= end) throw new Unusual();
    const byte = bytes[cursor.at++]!;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) return (result >>> 1) ^ -(result & 1);
  }
  throw new Unusual();
}

/** Where a length-prefixed part starts (its length in `spans[at + 1]`, -1 for null); the cursor moves past it. */
function span(bytes: Buffer, cursor: { at: number }, end: number, spans: Int32Array, at: number): void {
  const length = varint(bytes, cursor, end);
  if (length < -1 || cursor.at + Math.max(length, 0) > end) throw new Unusual();
  spans[at] = cursor.at;
  spans[at + 1] = length;
  if (length > 0) cursor.at += length;
}

/** A length-prefixed byte view (null for -1), as kafkajs's readVarIntBytes gives it. */
function bytesAt(bytes: Buffer, cursor: { at: number }, end: number): Buffer | null {
  const length = varint(bytes, cursor, end);
  if (length === -1) return null;
  if (length < -1 || cursor.at + length > end) throw new Unusual();
  const view = bytes.subarray(cursor.at, cursor.at + length);
  cursor.at += length;
  return view;
}

type Headers = Record<string, Buffer | null | (Buffer | null)[]>;

/** Per record of a RecordBatchView: key start and length, value start and length, timestamp delta, attributes, offset delta. */
const SPAN = 7;
/** Per record of RecordBatchView.made: its key, value, headers and timestamp once asked for. */
const MADE = 4;

/** The bytes of a record batch's records, as fetched: `bytes[start .. end)`. */
export interface FetchedRegion {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/** One decoded record batch: where each record's parts lie in the fetched bytes. */
class RecordBatchView implements FetchedRegion {
  /** What the messages have built of themselves (the same object on every read), once any has. */
  made: unknown[] | undefined;
  /** Where the batch was fetched from, once `inputRecords` has said (fetch responses do not tell the decoding). */
  topic: string | undefined;
  partition = -1;

  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
    readonly context: BatchContext,
    /** The batch's base offset (exact: the fast path takes offsets below 2^53 only). */
    readonly baseOffset: number,
    readonly baseTime: number,
    /** LOG_APPEND_TIME batches: every record's timestamp. */
    readonly appendTime: string | null,
    readonly spans: Int32Array,
  ) {}

  /** The headers of the records that have any (kafkajs decides unusual keys, so they are read at decoding). */
  headers: (Headers | undefined)[] | undefined;
}

/**
 * A message of the fast decoding: the fields kafkajs's messages have, with the same values, but built
 * when first read (and then kept, so each read gives the same object). Only the offset, which kafkajs
 * reads of every message, is made at decoding. A reader that needs just the value's bytes finds them
 * in the fetched bytes (`region`, `valueStart`, `valueLength`) and builds nothing.
 */
export class FetchedMessage implements InputRecord {
  readonly offset: string;
  readonly #view: RecordBatchView;
  readonly #index: number;

  constructor(view: RecordBatchView, index: number, offset: string) {
    this.#view = view;
    this.#index = index;
    this.offset = offset;
  }

  get magicByte(): number {
    return this.#view.context.magicByte;
  }

  get attributes(): number {
    return this.#view.spans[this.#index * SPAN + 5]!;
  }

  get isControlRecord(): boolean {
    return this.#view.context.isControlBatch;
  }

  get batchContext(): BatchContext {
    return this.#view.context;
  }

  get key(): Buffer | null {
    return this.#made(0, () => this.#bytes(0)) as Buffer | null;
  }

  get value(): Buffer | null {
    return this.#made(1, () => this.#bytes(2)) as Buffer | null;
  }

  get headers(): Headers {
    return this.#made(2, () => this.#view.headers?.[this.#index] ?? {}) as Headers;
  }

  get timestamp(): string {
    const view = this.#view;
    return this.#made(3, () => view.appendTime ?? String(view.baseTime + view.spans[this.#index * SPAN + 4]!)) as string;
  }

  /** The records of the batch this message is one of (the same object for all of them). */
  get region(): FetchedRegion {
    return this.#view;
  }

  /** The offset as a number (exact: the fast path takes offsets below 2^53 only). */
  offsetValue(): number {
    return this.#view.baseOffset + this.#view.spans[this.#index * SPAN + 6]!;
  }

  /** As an input record: the topic its batch was fetched from (set by `inputRecords`). */
  get topic(): string {
    return this.#view.topic!;
  }

  /** As an input record: the partition its batch was fetched from (set by `inputRecords`). */
  get partition(): number {
    return this.#view.partition;
  }

  /** Says where the message's record batch was fetched from (the same for all its messages). */
  fetchedFrom(topic: string, partition: number): void {
    const view = this.#view;
    if (view.topic === topic && view.partition === partition) return;
    if (view.topic !== undefined) throw new Error(`a record batch of ${view.topic}[${view.partition}] was handed in as one of ${topic}[${partition}]`);
    view.topic = topic;
    view.partition = partition;
  }

  /** Where the value starts in `region.bytes` (meaningless when it is null). */
  valueStart(): number {
    return this.#view.spans[this.#index * SPAN + 2]!;
  }

  /** The value's length in bytes; -1 when it is null. */
  valueLength(): number {
    return this.#view.spans[this.#index * SPAN + 3]!;
  }

  #bytes(field: number): Buffer | null {
    const { bytes, spans } = this.#view;
    const start = spans[this.#index * SPAN + field]!;
    const length = spans[this.#index * SPAN + field + 1]!;
    return length < 0 ? null : bytes.subarray(start, start + length);
  }

  #made(slot: number, make: () => unknown): unknown {
    const view = this.#view;
    view.made ??= new Array<unknown>((view.spans.length / SPAN) * MADE);
    const at = this.#index * MADE + slot;
    if (view.made[at] === undefined) view.made[at] = make();
    return view.made[at];
  }
}

/**
 * The input records of a fetched batch's messages, whichever decoding made them. Messages of the fast
 * decoding serve as input records themselves (their record batches learn their topic and partition
 * here): their key and value views are built only if read (a dead letter), and a decode stage copies
 * the values' bytes straight from the fetched bytes (`message.region`, `message.valueStart()`).
 * kafkajs's own messages get a plain record each.
 */
export function inputRecords(topic: string, partition: number, messages: readonly KafkaMessage[]): readonly InputRecord[] {
  let plain = 0;
  let region: FetchedRegion | undefined;
  for (const m of messages) {
    if (!(m instanceof FetchedMessage)) plain++;
    else if (m.region !== region) {
      // Once per record batch: its messages share where it was fetched from.
      m.fetchedFrom(topic, partition);
      region = m.region;
    }
  }
  if (plain === 0) return messages as readonly FetchedMessage[];
  return messages.map((m) => (m instanceof FetchedMessage ? m : { key: m.key, value: m.value, topic, partition, offset: m.offset }));
}

/** The records of one uncompressed v2 batch (bytes[at .. at + 12 + length)), as kafkajs's messages. */
function decodeBatch(bytes: Buffer, at: number, length: number): FetchedMessage[] {
  const end = at + 12 + length;
  const baseOffset = bytes.readBigInt64BE(at);
  const attributes = bytes.readInt16BE(at + 21);
  const firstTimestamp = bytes.readBigInt64BE(at + 27);
  const maxTimestamp = bytes.readBigInt64BE(at + 35);
  if (baseOffset < 0n || baseOffset > BigInt(EXACT) || firstTimestamp < -BigInt(EXACT) || firstTimestamp > BigInt(EXACT)) throw new Unusual();
  const timestampType = (attributes & TIMESTAMP_TYPE_FLAG) > 0 ? LOG_APPEND_TIME : CREATE_TIME;
  const context: BatchContext = {
    firstOffset: baseOffset.toString(),
    firstTimestamp: firstTimestamp.toString(),
    partitionLeaderEpoch: bytes.readInt32BE(at + 12),
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: bytes.readInt32BE(at + 23),
    producerId: bytes.readBigInt64BE(at + 43).toString(),
    producerEpoch: bytes.readInt16BE(at + 51),
    firstSequence: bytes.readInt32BE(at + 53),
    maxTimestamp: maxTimestamp.toString(),
    timestampType,
    magicByte: bytes.readInt8(at + MAGIC_OFFSET),
  };
  const count = bytes.readInt32BE(at + 57);
  // Each record takes at least 7 bytes: a count beyond that is not this path's to judge.
  if (count < 0 || count > length / 7) throw new Unusual();
  const base = Number(baseOffset);
  // kafkajs gives LOG_APPEND_TIME batches their max timestamp whenever it is not the empty string.
  const appendTime = timestampType === LOG_APPEND_TIME ? context.maxTimestamp : null;
  const spans = new Int32Array(count * SPAN);
  const view = new RecordBatchView(bytes, at + BATCH_HEADER, end, context, base, Number(firstTimestamp), appendTime, spans);
  const messages = new Array<FetchedMessage>(count);
  const cursor = { at: at + BATCH_HEADER };
  for (let i = 0; i < count; i++) {
    const recordLength = varint(bytes, cursor, end);
    const recordEnd = cursor.at + recordLength;
    if (recordLength < 0 || recordEnd > end) throw new Unusual();
    const s = i * SPAN;
    spans[s + 5] = bytes.readInt8(cursor.at);
    cursor.at += 1;
    spans[s + 4] = varint(bytes, cursor, recordEnd);
    const offsetDelta = varint(bytes, cursor, recordEnd);
    spans[s + 6] = offsetDelta;
    span(bytes, cursor, recordEnd, spans, s);
    span(bytes, cursor, recordEnd, spans, s + 2);
    const headerCount = varint(bytes, cursor, recordEnd);
    if (headerCount > 0) {
      const folded: Headers = {};
      for (let h = 0; h < headerCount; h++) {
        const name = bytesAt(bytes, cursor, recordEnd);
        const headerValue = bytesAt(bytes, cursor, recordEnd);
        // kafkajs reads a header key as text (null stays null, which an object key spells "null").
        const text = name === null ? 'null' : name.toString('utf8');
        // kafkajs looks keys up through the prototype ("constructor", "__proto__"): its decoder decides those.
        if (text in Object.prototype) throw new Unusual();
        const seen = folded[text];
        folded[text] = seen === undefined ? headerValue : Array.isArray(seen) ? [...seen, headerValue] : [seen, headerValue];
      }
      view.headers ??= [];
      view.headers[i] = folded;
    } else if (headerCount < -1) throw new Unusual();
    if (cursor.at !== recordEnd) throw new Unusual();
    messages[i] = new FetchedMessage(view, i, String(base + offsetDelta));
  }
  if (cursor.at !== end) throw new Unusual();
  return messages;
}

/** A decoder of `bytes` behind their int32 size, as kafkajs's decodeMessages reads them. */
function sizedDecoder(kafkajs: Kafkajs, bytes: Buffer): KafkajsDecoder {
  const sized = Buffer.allocUnsafe(4 + bytes.length);
  sized.writeInt32BE(bytes.length, 0);
  bytes.copy(sized, 4);
  return new kafkajs.Decoder(sized);
}

function fastDecodeMessages(kafkajs: Kafkajs): DecodeMessages {
  return async (decoder) => {
    const size = decoder.readInt32();
    if (size <= 0 || !decoder.canReadBytes(size)) return [];
    const bytes = decoder.readBytes(size);
    if (bytes.length <= MAGIC_OFFSET || bytes.readInt8(MAGIC_OFFSET) !== 2) return kafkajs.MessageSetDecoder(new kafkajs.Decoder(bytes), size) as unknown[];
    // Each record batch's messages, joined once at the end into an array of the exact length.
    const parts: (readonly unknown[])[] = [];
    let total = 0;
    for (let at = 0; bytes.length - at >= RECORD_BATCH_OVERHEAD; ) {
      const length = bytes.readInt32BE(at + 8);
      // A batch too short for its header: kafkajs's own decoding decides what that means.
      if (length < BATCH_HEADER - 12) {
        counts.kafkajs++;
        return kafkajs.original(sizedDecoder(kafkajs, bytes));
      }
      // A partial batch at the end (fetches stop at a byte limit): kafkajs stops there too.
      if (at + 12 + length > bytes.length) break;
      const attributes = bytes.readInt16BE(at + 21);
      let batch: readonly unknown[] | undefined;
      if ((attributes & 0x7) === 0 && bytes.readInt8(at + MAGIC_OFFSET) === 2) {
        try {
          batch = decodeBatch(bytes, at, length);
        } catch (error) {
          if (!(error instanceof Unusual)) throw error;
        }
      }
      if (batch === undefined) {
        counts.kafkajs++;
        batch = (await kafkajs.RecordBatchDecoder(new kafkajs.Decoder(bytes.subarray(at, at + 12 + length)))).records;
      } else counts.fast++;
      parts.push(batch);
      total += batch.length;
      at += 12 + length;
    }
    if (parts.length === 1) return parts[0] as unknown[];
    const records = new Array<unknown>(total);
    let k = 0;
    for (const part of parts) for (const message of part) records[k++] = message;
    return records;
  };
}

export type FastRecordsOutcome = PatchOutcome;

const DECODE_MESSAGES = 'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js';
/** The fetch responses that bind kafkajs's record decoding when they load (fetch v4 to v11). */
const FETCH_RESPONSES = /[\\/]kafkajs[\\/]src[\\/]protocol[\\/]requests[\\/]fetch[\\/]v(?:[4-9]|1[01])[\\/]response\.js$/;

/** A record decoding put in kafkajs's place, with the one it replaced. */
type Replacement = DecodeMessages & { [FAST_RECORDS_MARK]?: DecodeMessages };

/**
 * Puts `build(kafkajs's decoding)` in the place kafkajs 2.2.4 decodes fetched records from, for every
 * kafkajs consumer of this process, or says why not: another kafkajs version, its fetch decoding
 * already loaded (a consumer fetched before), or its internals not where they are expected. A
 * decoding put there by an earlier call (this module loaded twice) stays, and counts as installed.
 */
export function replaceRecordDecoding(build: (kafkajs: Kafkajs) => DecodeMessages): FastRecordsOutcome {
  return replaceKafkajsModule<DecodeMessages>('the record decoding', {
    module: DECODE_MESSAGES,
    mark: FAST_RECORDS_MARK,
    boundBy: FETCH_RESPONSES,
    tooLate: 'kafkajs has already loaded its fetch decoding (a consumer ran before the install)',
    replace: (current, require) => build(kafkajsParts(require, current)),
  });
}

/** kafkajs's decoders the fast path hands unusual input to; `original`: its record decoding. */
function kafkajsParts(require: NodeJS.Require, original: DecodeMessages): Kafkajs {
  return {
    Decoder: require('kafkajs/src/protocol/decoder.js') as Kafkajs['Decoder'],
    RecordBatchDecoder: require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as Kafkajs['RecordBatchDecoder'],
    MessageSetDecoder: require('kafkajs/src/protocol/messageSet/decoder.js') as Kafkajs['MessageSetDecoder'],
    original,
  };
}

let outcome: FastRecordsOutcome | undefined;

/** Installs the fast decoding for this process (once; later calls return the first outcome). */
export function installFastRecords(): FastRecordsOutcome {
  outcome ??= replaceRecordDecoding(fastDecodeMessages);
  return outcome;
}

/** Record batches decoded so far in this process by the fast path and by kafkajs's decoder (through it). */
export function fastRecordCounts(): { readonly fast: number; readonly kafkajs: number } {
  return { ...counts };
}

/** For tests: kafkajs's own decoding and the fast one, side by side, without installing anything. */
export function decoders(): { kafkajs: DecodeMessages; fast: DecodeMessages; Decoder: Kafkajs['Decoder'] } {
  const require = createRequire(import.meta.url);
  const current = require(DECODE_MESSAGES) as Replacement;
  const kafkajs = kafkajsParts(require, current[FAST_RECORDS_MARK] ?? current);
  return { kafkajs: kafkajs.original, fast: fastDecodeMessages(kafkajs), Decoder: kafkajs.Decoder };
}
