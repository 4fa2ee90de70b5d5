/**
 * Keeps the admin API's governance registry current: a consumer of `vigil.governance` in a group of
 * its own (one per process, never committing), from the beginning, read_committed, handing each
 * decoded GovernanceEvent to `onEvent` in partition order (all events of a model share a partition).
 * `start` resolves once every partition has been read up to where it ended when the feed started, so
 * the server answers nothing from a half-folded registry. Undecodable records are counted and skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { GovernanceEvent } from '../../contracts/records.js';
import { avroType } from '../../contracts/schemas.js';
import { VigilError, describeError } from '../../errors.js';

export class GovernanceFeed {
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #onEvent: (event: GovernanceEvent, at: { partition: number; offset: string }) => void;
  #skipped = 0;
  #running = false;

  constructor(kafka: Kafka, options: { topic: string; onEvent: (event: GovernanceEvent, at: { partition: number; offset: string }) => void; groupId?: string }) {
    this.#kafka = kafka;
    this.#topic = options.topic;
    this.#onEvent = options.onEvent;
    this.#consumer = kafka.consumer({ groupId: options.groupId ?? `vigil-admin-governance-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 200 });
  }

  get skipped(): number {
    return this.#skipped;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const type = avroType('GovernanceEvent');
    try {
      const admin = this.#kafka.admin();
      await admin.connect();
      let pending: Map<number, bigint>;
      try {
        const offsets = await admin.fetchTopicOffsets(this.#topic);
        pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
      } finally {
        await admin.disconnect();
      }
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
          for (const message of batch.messages) {
            if (message.value === null || message.value.length < 5 || message.value[0] !== 0) {
              this.#skipped++;
              continue;
            }
            let event: GovernanceEvent;
            try {
              event = structuredClone(type.fromBuffer(message.value.subarray(5))) as GovernanceEvent;
            } catch (error) {
              if (!(error instanceof Error)) throw error;
              this.#skipped++;
              continue;
            }
            this.#onEvent(event, { partition: batch.partition, offset: message.offset });
          }
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

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#consumer.disconnect();
  }
}
