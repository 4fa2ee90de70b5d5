/**
 * The engine's source: a kafkajs consumer group over the input topics, `eachBatch`, no auto-commit
 * (offsets are committed inside the sink's transactions). kafkajs has no rebalance listener, so the
 * assignment is learnt from the GROUP_JOIN event; partitions that arrive are restored lazily, before
 * their first batch is processed.
 */
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { copartitionedAssigner } from './assigner.js';

export interface SourceBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  readonly highWatermark: string;
}

export interface SourceControl {
  heartbeat(): Promise<void>;
  /** True once a rebalance has taken this partition away: stop working on the batch. */
  isStale(): boolean;
  isRunning(): boolean;
}

export interface SourceHandlers {
  onBatch(batch: SourceBatch, control: SourceControl): Promise<void>;
  onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** The consumer crashed; with `restart` kafkajs rejoins and resumes from the committed offsets. */
  onCrash?(error: Error, restart: boolean): void;
}

export interface SourceOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** How many partitions may be processed at once (kafkajs partitionsConsumedConcurrently). */
  readonly concurrency?: number;
  readonly sessionTimeoutMs?: number;
  readonly maxBytesPerPartition?: number;
  /**
   * How long an idle fetch waits at the broker for data (kafkajs default 5 s). A stop waits for the
   * fetch in flight, so this bounds how fast the engine can shut down; a fetch with data returns at once.
   */
  readonly maxWaitTimeMs?: number;
  /** Keep partition p of every topic on one member (for co-partitioned topics joined by key). */
  readonly copartitioned?: boolean;
}

export class InferenceSource {
  readonly #consumer: Consumer;
  readonly #options: SourceOptions;
  #paused = false;

  constructor(kafka: Kafka, options: SourceOptions) {
    this.#options = options;
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3000,
      readUncommitted: false,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
      retry: { retries: 10 },
      ...(options.copartitioned ? { partitionAssigners: [copartitionedAssigner] } : {}),
    });
  }

  /** Resolves once the consumer has joined its group (kafkajs' run() returns before that). */
  async start(handlers: SourceHandlers): Promise<void> {
    const joined = new Promise<void>((resolve) => {
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, (event) => {
        handlers.onAssignment(event.payload.memberAssignment);
        resolve();
      });
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => handlers.onCrash?.(event.payload.error, event.payload.restart));
    await this.#consumer.connect();
    for (const topic of this.#options.topics) await this.#consumer.subscribe({ topic, fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.#options.concurrency ?? 1,
      eachBatch: async ({ batch, heartbeat, isStale, isRunning }) => {
        if (batch.messages.length === 0) return;
        await handlers.onBatch(
          { topic: batch.topic, partition: batch.partition, messages: batch.messages, highWatermark: batch.highWatermark },
          { heartbeat, isStale, isRunning },
        );
      },
    });
    await joined;
  }

  /** Stops fetching (backpressure); in-flight batches finish. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#consumer.pause(this.#options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#consumer.resume(this.#options.topics.map((topic) => ({ topic })));
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Moves the fetch position back, e.g. to the last committed offset after a failed transaction. */
  seek(topic: string, partition: number, offset: string): void {
    this.#consumer.seek({ topic, partition, offset });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
