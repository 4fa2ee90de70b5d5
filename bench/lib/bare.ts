/**
 * The baseline: a bare kafkajs consumer with the engine source's client settings (readUncommitted
 * false, eachBatch, maxBytesPerPartition 1 MiB, autoCommit off, the same session, heartbeat and retry
 * settings and the same partition concurrency) that does nothing but count what it reads.
 *
 * For context it can also do part of the engine's work: decode each value on the spot (`decode`), or
 * hand each batch to a `stage` that runs while kafkajs fetches the partition's next batch, as the
 * engine pipelines its batches (eachBatch returns once the partition's previous batch is done).
 */
import { randomBytes } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { CpuMeter, brokerPid, type BenchStack } from './stack.js';
import { RateTrack, round, withTimeout } from './stats.js';

export interface CountResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Between 10 % and 90 % of the events: no start-up ramp, no tail. */
  readonly steadyEventsPerSecond: number;
  readonly batches: number;
  /** Cores used while consuming: this process (all threads) and the broker. */
  readonly cpuCores: Record<string, number>;
}

/** Reads `topic` from the beginning until `expected` records were seen; times from group join. */
export async function bareConsume(
  stack: BenchStack,
  topic: string,
  expected: number,
  options: {
    concurrency: number;
    timeoutMs: number;
    fetchBytes?: number;
    decode?: (value: Buffer) => unknown;
    stage?: (topic: string, partition: number, messages: readonly KafkaMessage[]) => Promise<unknown>;
    /** Records in a batch's messages (default: one per message; see record-walk.ts for when not). */
    records?: (messages: readonly KafkaMessage[]) => number;
  },
): Promise<CountResult> {
  const consumer = stack.kafka.consumer({
    groupId: `${stack.prefix}bare-${randomBytes(4).toString('hex')}`,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    readUncommitted: false,
    maxBytesPerPartition: options.fetchBytes ?? 1_048_576,
    retry: { retries: 10 },
  });
  let count = 0;
  let batches = 0;
  let doneAt = 0;
  let startedAt = 0;
  const track = new RateTrack();
  const meter = new CpuMeter({ broker: brokerPid() });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      startedAt = performance.now();
      meter.start();
      track.add(startedAt, 0);
      resolve();
    });
  });
  let finished: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const counted = (n: number): void => {
    count += n;
    batches++;
    const now = performance.now();
    track.add(now, count);
    if (count >= expected && doneAt === 0) {
      doneAt = now;
      finished();
    }
  };
  const staged = new Map<number, Promise<void>>();
  const size = options.records ?? ((messages: readonly KafkaMessage[]) => messages.length);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        const { stage } = options;
        if (stage) {
          const previous = staged.get(batch.partition) ?? Promise.resolve();
          const work = previous.then(async () => {
            await stage(batch.topic, batch.partition, batch.messages);
            counted(size(batch.messages));
          });
          work.catch(failed);
          staged.set(batch.partition, work.catch(() => undefined));
          return previous;
        }
        if (options.decode) for (const m of batch.messages) if (m.value) options.decode(m.value);
        counted(size(batch.messages));
      },
    });
    await joined;
    await withTimeout(done, options.timeoutMs, () => `the bare consumer read ${count} of ${expected} records`);
    const cpuCores = meter.stop();
    const seconds = (doneAt - startedAt) / 1000;
    return {
      events: count,
      seconds: round(seconds, 3),
      eventsPerSecond: Math.round(count / seconds),
      steadyEventsPerSecond: Math.round(track.steady(expected)),
      batches,
      cpuCores,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
