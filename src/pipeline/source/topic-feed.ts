/**
 * A topic followed by the admin API from its beginning: a consumer in a group of its own (one per
 * process, never committing), read_committed, handing every record to `onMessage` in partition order.
 * `start` resolves once every partition has been read up to where it ended when the feed started, so
 * what is folded from the history is complete before anything is served.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { VigilError, describeError } from '../../errors.js';

export interface TopicFeedOptions {
  readonly topic: string;
  /** Group id; default `<groupPrefix>-<random>`. */
  readonly groupId?: string;
  readonly groupPrefix: string;
  readonly onMessage: (partition: number, message: KafkaMessage) => void;
  /** Whether `start` waits until the history is read (default true); false: it resolves once subscribed. */
  readonly waitForHistory?: boolean;
}

export class TopicFeed {
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #onMessage: (partition: number, message: KafkaMessage) => void;
  readonly #waitForHistory: boolean;
  #running = false;

  constructor(kafka: Kafka, options: TopicFeedOptions) {
    this.#kafka = kafka;
    this.#waitForHistory = options.waitForHistory ?? true;
    this.#topic = options.topic;
    this.#onMessage = options.onMessage;
    this.#consumer = kafka.consumer({ groupId: options.groupId ?? `${options.groupPrefix}-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 200 });
  }

  async start(timeoutMs = 60_000): Promise<void> {
    try {
      const pending = this.#waitForHistory ? await this.#ends() : new Map<number, bigint>();
      let caughtUp: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => {
        caughtUp = resolve;
      });
      const reached = (partition: number, lastOffset: string): void => {
        const end = pending.get(partition);
        if (end !== undefined && BigInt(lastOffset) >= end) pending.delete(partition);
        if (pending.size === 0) caughtUp();
      };
      if (pending.size === 0) caughtUp();
      // Batches of transaction markers only never reach eachBatch; this event still says how far a partition was read.
      this.#consumer.on(this.#consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topic: this.#topic, fromBeginning: true });
      await this.#consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) this.#onMessage(batch.partition, message);
          reached(batch.partition, batch.lastOffset());
        },
      });
      this.#running = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not caught up after ${timeoutMs} ms (partitions left: ${[...pending.keys()].join(',')})`)), timeoutMs);
      });
      try {
        await Promise.race([ready, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      this.#running = false;
      await this.#consumer.disconnect().catch(() => undefined);
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot read ${this.#topic}: ${describeError(error)}`, { cause: error });
    }
  }

  /** The last offset of every non-empty partition, by partition. */
  async #ends(): Promise<Map<number, bigint>> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.#topic);
      return new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#consumer.disconnect();
  }
}
