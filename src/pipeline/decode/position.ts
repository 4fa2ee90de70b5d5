/**
 * Where a record was read (topic, partition, offset), as the dedup window keys it: one number per
 * record rather than a string, so remembering 100k positions keeps no string per entry and reading a
 * position builds none.
 *
 * Each (topic, partition) this codec meets gets a small stream number; the position is
 * `stream × 2^42 + offset`, a safe integer, for streams below 2^11 and offsets below 2^42 (about 4.4
 * trillion records per partition). A record outside those bounds, or whose offset is not a plain
 * decimal integer, gets its position as a string instead (`positionOf`), which never equals a number:
 * the same record always gets the same position either way, and two different records never share one.
 */
import type { InputRecord } from './index.js';

const OFFSET_LIMIT = 2 ** 42;
const MAX_STREAMS = 2 ** 11;
/** Digits of the largest offset below OFFSET_LIMIT (4398046511103). */
const MAX_OFFSET_DIGITS = 13;

/** Where a record was read, as text: the fallback of PositionCodec (and what it was before it). */
export function positionOf(record: InputRecord): string {
  return `${record.topic.length}:${record.topic}${record.partition}@${record.offset}`;
}

/** The offset as a number below 2^42, or -1 when it is not a plain decimal integer in that range. */
export function smallOffset(offset: string): number {
  const n = offset.length;
  if (n === 0 || n > MAX_OFFSET_DIGITS || (n > 1 && offset.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const digit = offset.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value < OFFSET_LIMIT ? value : -1;
}

export class PositionCodec {
  /** topic → partition → stream number. */
  readonly #streams = new Map<string, Map<number, number>>();
  #count = 0;
  /** The previous record's stream: the records of one batch share their topic and partition. */
  #lastTopic: string | undefined;
  #lastPartition = -1;
  #lastStream = -1;

  /** How many (topic, partition) pairs have a stream number. */
  get streams(): number {
    return this.#count;
  }

  /** The position of `record`: a safe integer, or the text of `positionOf` where it cannot be one. */
  of(record: InputRecord): number | string {
    const stream = record.topic === this.#lastTopic && record.partition === this.#lastPartition ? this.#lastStream : this.#streamOf(record.topic, record.partition);
    const offset = stream < 0 ? -1 : smallOffset(record.offset);
    return offset < 0 ? positionOf(record) : stream * OFFSET_LIMIT + offset;
  }

  /** The stream number of (topic, partition); -1 once MAX_STREAMS are taken. */
  #streamOf(topic: string, partition: number): number {
    let partitions = this.#streams.get(topic);
    let stream = partitions?.get(partition);
    if (stream === undefined) {
      if (this.#count >= MAX_STREAMS || !Number.isSafeInteger(partition)) return -1;
      if (partitions === undefined) {
        partitions = new Map();
        this.#streams.set(topic, partitions);
      }
      stream = this.#count++;
      partitions.set(partition, stream);
    }
    this.#lastTopic = topic;
    this.#lastPartition = partition;
    this.#lastStream = stream;
    return stream;
  }
}
