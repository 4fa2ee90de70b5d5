/**
 * A read_committed tail of output topics: what an operator's console (the demo) uses to show alerts
 * and commands as they are committed. Each tail is its own fresh consumer group whose offsets are set
 * to the topics' ends before it joins, so it sees exactly the records committed after `start()`
 * (never the history of earlier runs, and nothing missed while the group forms). It commits nothing.
 *
 * `positionGroupAtEnd` does the same positioning for any group that has never run, e.g. a fresh
 * engine group that should watch only what is produced from now on rather than the topic's history.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { VigilError, describeError } from '../../errors.js';
import { kafkaClient } from '../sink/kafka.js';

export interface TailRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface TailOptions {
  readonly brokers: readonly string[];
  /** A group id no other consumer uses (its committed offsets are overwritten). */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly clientId?: string;
  /** Called once per record, in offset order within a partition. A throw is reported, not retried. */
  readonly onRecord: (record: TailRecord) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Commits, for `groupId`, the current end of every partition of `topics`. The group must have no
 * running member: a fresh group id. (kafkajs' `admin.setOffsets` does the same but waits out a fetch
 * of up to 5 s per topic; a short-lived member that joins, commits and leaves takes milliseconds.)
 */
export async function positionGroupAtEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  const member = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 100 });
  try {
    await admin.connect();
    const ends = await Promise.all(
      topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
    );
    const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
    await member.connect();
    for (const topic of topics) await member.subscribe({ topic, fromBeginning: false });
    await member.run({ autoCommit: false, eachBatch: async () => undefined });
    await joined;
    await member.commitOffsets(ends.flatMap(({ topic, offsets }) => offsets.map((o) => ({ topic, partition: o.partition, offset: o.high }))));
  } catch (error) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot position consumer group ${groupId} at the end of ${topics.join(', ')}: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    await member.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

export class TopicTail {
  readonly #options: TailOptions;
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  #running = false;

  constructor(options: TailOptions) {
    this.#options = options;
    this.#kafka = kafkaClient({ brokers: options.brokers, clientId: options.clientId ?? 'vigil-tail' });
    this.#consumer = this.#kafka.consumer({ groupId: options.groupId, readUncommitted: false, sessionTimeout: 30_000, heartbeatInterval: 3000, maxWaitTimeInMs: 500 });
  }

  /** Resolves once the tail has joined its group, positioned at the topics' current ends. */
  async start(): Promise<void> {
    const { topics, onRecord, onError } = this.#options;
    await positionGroupAtEnd(this.#kafka, this.#options.groupId, topics);
    const joined = new Promise<void>((resolve) => {
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => resolve());
    });
    try {
      await this.#consumer.connect();
      for (const topic of topics) await this.#consumer.subscribe({ topic, fromBeginning: false });
      await this.#consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            try {
              onRecord({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value });
            } catch (error) {
              onError?.(error);
            }
          }
        },
      });
      this.#running = true;
      await joined;
    } catch (error) {
      await this.#consumer.disconnect().catch(() => undefined);
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot tail ${topics.join(', ')}: ${describeError(error)}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#consumer.disconnect();
  }
}
