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

  /**
   * Writes `messages` and commits `nextOffset` for the input partition, all or nothing, with the
   * producer of `topic`'s partition. The offset is that of `offsetsTopic` (default `topic`): a
   * co-partitioned topic (labels) commits through the producer of the partition it shares state with.
   */
  async commit(topic: string, partition: number, messages: readonly OutputMessage[], nextOffset: string, offsetsTopic = topic): Promise<void> {
    const producer = await this.producerFor(topic, partition);
    const transaction = await producer.transaction();
    try {
      // kafkajs writes all of a request's messages for one partition as one record batch, and the
      // broker refuses a batch over the topic's max.message.bytes: large outputs (a batch of dead
      // letters, a reference) go in several requests of the same transaction.
      for (const chunk of chunksOf(messages, MAX_REQUEST_BYTES)) {
        await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(chunk) });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.#options.groupId,
        topics: [{ topic: offsetsTopic, partitions: [{ partition, offset: nextOffset }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // A kafkajs producer can stay broken after losing its broker: rebuild it on the next use.
      await this.release(topic, partition);
      // kafkajs says whether the broker's refusal can change on a retry (MESSAGE_TOO_LARGE cannot).
      const retriable = (error as { retriable?: unknown }).retriable !== false;
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `transaction for ${offsetsTopic}[${partition}] failed: ${describeError(error)}`, { cause: error, retriable });
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

/** Bytes of output per produce request of a transaction (under the 1 MiB default batch limit of a topic). */
export const MAX_REQUEST_BYTES = 512 * 1024;

function sizeOf(m: OutputMessage): number {
  let bytes = 64 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) bytes += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 16);
  return bytes;
}

/** Messages in order, cut into runs of at most `limit` bytes (a message larger than that alone). */
export function chunksOf(messages: readonly OutputMessage[], limit: number): OutputMessage[][] {
  const chunks: OutputMessage[][] = [];
  let current: OutputMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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
