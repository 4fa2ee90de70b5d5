/**
 * Reads a topic from the beginning up to its end as of the call (read_committed): how state is
 * restored from the compacted changelog and how materialised views are built. kafkajs cannot assign
 * partitions by hand, so a throwaway group subscribes to the whole topic and records of other
 * partitions are skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ReadOptions {
  readonly topic: string;
  /** Partitions whose records are wanted (default: all). */
  readonly partitions?: readonly number[];
  readonly timeoutMs?: number;
  readonly onMessage: (partition: number, message: KafkaMessage) => void;
}

export async function readToEnd(kafka: Kafka, options: ReadOptions): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    ends = new Map(
      offsets
        .filter((o) => (options.partitions ? options.partitions.includes(o.partition) : true))
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high) - 1n]),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return 0;

  const consumer = kafka.consumer({ groupId: `vigil-read-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
  let count = 0;
  const pending = new Set(ends.keys());
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`reading ${options.topic} to its end took longer than ${options.timeoutMs ?? 60_000} ms (partitions left: ${[...pending].join(',')})`)),
      options.timeoutMs ?? 60_000,
    );
    const reached = (partition: number, lastOffset: string): void => {
      const end = ends.get(partition);
      if (end !== undefined && BigInt(lastOffset) >= end) pending.delete(partition);
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
          if (ends.has(batch.partition)) {
            for (const message of batch.messages) {
              if (BigInt(message.offset) > (ends.get(batch.partition) ?? -1n)) break;
              options.onMessage(batch.partition, message);
              count++;
            }
          }
          reached(batch.partition, batch.lastOffset());
        },
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

/**
 * Reads offsets [from, to) of one partition (read_committed). Used to re-learn recent eventIds when a
 * partition's state is restored. Returns the number of records handed to `onMessage`.
 */
export async function readRange(
  kafka: Kafka,
  options: { topic: string; partition: number; from: bigint; to: bigint; timeoutMs?: number; onMessage: (message: KafkaMessage) => void },
): Promise<number> {
  if (options.to <= options.from) return 0;
  const last = options.to - 1n;
  const consumer = kafka.consumer({ groupId: `vigil-read-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
  let count = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${options.topic}[${options.partition}] ${options.from}..${last} took longer than ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    const reached = (partition: number, lastOffset: string): void => {
      if (partition === options.partition && BigInt(lastOffset) >= last) {
        clearTimeout(timer);
        resolve();
      }
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => reached(event.payload.partition, event.payload.lastOffset));
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== options.partition) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < options.from) continue;
            if (offset > last) break;
            options.onMessage(message);
            count++;
          }
          reached(batch.partition, batch.lastOffset());
        },
      })
      .then(() => consumer.seek({ topic: options.topic, partition: options.partition, offset: options.from.toString() }))
      .catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return count;
}
