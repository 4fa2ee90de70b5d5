/**
 * Bounded reads of a topic (read_committed): a topic up to its end as of the call (how state is
 * restored from the compacted changelog and configuration is loaded), or one partition's offset range
 * (how recent eventIds are re-learnt after a restore). kafkajs cannot assign partitions by hand, so a
 * throwaway group subscribes to the whole topic, seeks where it must, and skips what is not wanted.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface ReadOptions {
  readonly topic: string;
  /** Partitions whose records are wanted (default: all). */
  readonly partitions?: readonly number[];
  readonly timeoutMs?: number;
  readonly onMessage: (partition: number, message: KafkaMessage) => void;
  /** A connected admin client to look up the topic's offsets with (default: one of its own, for this call). */
  readonly admin?: Admin;
}

/** Offsets [from, to] (inclusive) to read, per partition. */
type Ranges = ReadonlyMap<number, { readonly from: bigint; readonly to: bigint }>;

export async function readToEnd(kafka: Kafka, options: ReadOptions): Promise<number> {
  const admin = options.admin ?? kafka.admin();
  if (options.admin === undefined) await admin.connect();
  let ranges: Ranges;
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    ranges = new Map(
      offsets
        .filter((o) => (options.partitions ? options.partitions.includes(o.partition) : true))
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, { from: BigInt(o.low), to: BigInt(o.high) - 1n }]),
    );
  } finally {
    if (options.admin === undefined) await admin.disconnect();
  }
  return readRanges(kafka, options.topic, ranges, options.timeoutMs ?? 60_000, options.onMessage, false);
}

/** Reads offsets [from, to) of one partition. Returns the number of records handed to `onMessage`. */
export async function readRange(
  kafka: Kafka,
  options: { topic: string; partition: number; from: bigint; to: bigint; timeoutMs?: number; onMessage: (message: KafkaMessage) => void },
): Promise<number> {
  if (options.to <= options.from) return 0;
  const ranges: Ranges = new Map([[options.partition, { from: options.from, to: options.to - 1n }]]);
  return readRanges(kafka, options.topic, ranges, options.timeoutMs ?? 60_000, (_p, m) => options.onMessage(m), true);
}

async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: Ranges,
  timeoutMs: number,
  onMessage: (partition: number, message: KafkaMessage) => void,
  seek: boolean,
): Promise<number> {
  if (ranges.size === 0) return 0;
  const consumer = kafka.consumer({ groupId: `vigil-read-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
  let count = 0;
  const pending = new Set(ranges.keys());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms (partitions left: ${[...pending].join(',')})`)), timeoutMs);
    const reached = (partition: number, lastOffset: string): void => {
      const range = ranges.get(partition);
      if (range !== undefined && BigInt(lastOffset) >= range.to) pending.delete(partition);
      if (pending.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    // Batches that hold only transaction markers never reach eachBatch; this event still reports
    // how far the partition has been read.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => reached(event.payload.partition, event.payload.lastOffset));
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = ranges.get(batch.partition);
          if (range === undefined) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < range.from) continue;
            if (offset > range.to) break;
            onMessage(batch.partition, message);
            count++;
          }
          reached(batch.partition, batch.lastOffset());
        },
      })
      .then(() => {
        if (!seek) return;
        for (const [partition, range] of ranges) consumer.seek({ topic, partition, offset: range.from.toString() });
      })
      .catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return count;
}
