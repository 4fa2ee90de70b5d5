/**
 * Exactly-once output: one transactional producer per input partition (kafkajs sends TxnOffsetCommit
 * without the group generation, so zombie fencing rests on a stable transactional id per partition).
 * Every output of a batch, the state changelog records and the consumed offset are committed in one
 * transaction; readers of the outputs use read_committed.
 */
import type { IHeaders, Kafka, Producer, TopicMessages } from 'kafkajs';
import { VigilError, describeError } from '../../errors.js';

export interface OutputMessage {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly partition?: number;
  readonly headers?: IHeaders;
}

export interface TransactionsOptions {
  readonly groupId: string;
  /** Stable across restarts: the transactional id of input partition p is `${idPrefix}${topic}-${p}`. */
  readonly idPrefix: string;
  readonly transactionTimeoutMs?: number;
}

export class PartitionTransactions {
  readonly #kafka: Kafka;
  readonly #options: TransactionsOptions;
  readonly #producers = new Map<string, Promise<Producer>>();

  constructor(kafka: Kafka, options: TransactionsOptions) {
    this.#kafka = kafka;
    this.#options = options;
  }

  /**
   * The producer of an input partition, created and initialised on first use. Initialising fences any
   * older producer with the same transactional id and aborts its open transaction, so call this before
   * restoring the partition's state: what a dead instance left half-written is then never read.
   */
  producerFor(topic: string, partition: number): Promise<Producer> {
    const id = `${topic}-${partition}`;
    let pending = this.#producers.get(id);
    if (!pending) {
      const producer = this.#kafka.producer({
        transactionalId: `${this.#options.idPrefix}${id}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.#options.transactionTimeoutMs ?? 60_000,
      });
      pending = producer.connect().then(() => producer);
      pending.catch(() => this.#producers.delete(id));
      this.#producers.set(id, pending);
    }
    return pending;
  }

  /** Writes `messages` and commits `nextOffset` for the input partition, all or nothing. */
  async commit(topic: string, partition: number, messages: readonly OutputMessage[], nextOffset: string): Promise<void> {
    const producer = await this.producerFor(topic, partition);
    const transaction = await producer.transaction();
    try {
      if (messages.length > 0) {
        await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(messages) });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.#options.groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // A kafkajs producer can stay broken after losing its broker: rebuild it on the next use.
      await this.release(topic, partition);
      // kafkajs says whether the broker's refusal can change on a retry (MESSAGE_TOO_LARGE cannot).
      const retriable = (error as { retriable?: unknown }).retriable !== false;
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `transaction for ${topic}[${partition}] failed: ${describeError(error)}`, { cause: error, retriable });
    }
  }

  async release(topic: string, partition: number): Promise<void> {
    const id = `${topic}-${partition}`;
    const pending = this.#producers.get(id);
    this.#producers.delete(id);
    if (pending) await pending.then((p) => p.disconnect()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const all = [...this.#producers.values()];
    this.#producers.clear();
    await Promise.all(all.map((p) => p.then((producer) => producer.disconnect()).catch(() => undefined)));
  }
}

function groupByTopic(messages: readonly OutputMessage[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const m of messages) {
    let entry = byTopic.get(m.topic);
    if (!entry) {
      entry = { topic: m.topic, messages: [] };
      byTopic.set(m.topic, entry);
    }
    entry.messages.push({
      key: m.key,
      value: m.value,
      ...(m.partition === undefined ? {} : { partition: m.partition }),
      ...(m.headers === undefined ? {} : { headers: m.headers }),
    });
  }
  return [...byTopic.values()];
}
