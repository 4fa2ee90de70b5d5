/**
 * Synthetic inference traffic for the end-to-end benchmarks: several models (EventGenerator each),
 * interleaved round-robin, keyed by model id and spread evenly over the topic's partitions (model k
 * goes to partition k mod P, so every partition gets data whatever the key hash does), encoded in the
 * Confluent wire format with the schema registered for the topic.
 *
 * Event time is `startTime + index * spacingMs` per model, so an alert's `windowEnd` (last event
 * time + 1 for a window closed by count) names the event that closed its window.
 */
import type { Message } from 'kafkajs';
import type { InferenceEvent } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { recordEncoder, type RecordEncoder } from '../../src/pipeline/sink/encode.js';
import { fastProducer, sendPipelined, topicEnd, type BenchStack } from './stack.js';

export interface StreamOptions {
  readonly models: number;
  readonly partitions: number;
  readonly features: number;
  /** Event time of each model's event 0; default: one day ago (well inside the engine's skew check). */
  readonly startTime?: number;
  /** Event-time spacing between consecutive events of one model; default 1 ms. */
  readonly spacingMs?: number;
  readonly seed?: number;
  /** Index (per model) of the first drifted event; default never. */
  readonly driftFrom?: number;
  readonly driftSigma?: number;
  readonly driftedFeatures?: number;
  /** From this index (per model) on, a share `anomalyRate` of events lie far off; default never. */
  readonly anomalyFrom?: number;
  readonly anomalyRate?: number;
  readonly modelPrefix?: string;
}

export class InferenceStream {
  readonly modelIds: readonly string[];
  readonly startTime: number;
  readonly spacingMs: number;
  readonly #generators: EventGenerator[];
  readonly #encoder: RecordEncoder<InferenceEvent>;
  readonly #partitions: number;
  #turn = 0;

  private constructor(options: StreamOptions, encoder: RecordEncoder<InferenceEvent>) {
    this.#encoder = encoder;
    this.#partitions = options.partitions;
    this.startTime = options.startTime ?? Date.now() - 86_400_000;
    this.spacingMs = options.spacingMs ?? 1;
    const prefix = options.modelPrefix ?? 'bench-model';
    this.modelIds = Array.from({ length: options.models }, (_, k) => `${prefix}-${k}`);
    this.#generators = this.modelIds.map(
      (modelId, k) =>
        new EventGenerator({
          modelId,
          modelVersion: '1.0.0',
          features: options.features,
          seed: (options.seed ?? 1000) + k,
          startTime: this.startTime,
          spacingMs: this.spacingMs,
          ...(options.driftFrom === undefined ? {} : { driftFrom: options.driftFrom }),
          ...(options.driftSigma === undefined ? {} : { driftSigma: options.driftSigma }),
          ...(options.driftedFeatures === undefined ? {} : { driftedFeatures: options.driftedFeatures }),
          ...(options.anomalyFrom === undefined ? {} : { anomalyFrom: options.anomalyFrom, anomalyRate: options.anomalyRate ?? 0 }),
        }),
    );
  }

  /** Registers the InferenceEvent schema for `topic` and builds the stream. */
  static async create(registryUrl: string, topic: string, options: StreamOptions): Promise<InferenceStream> {
    return new InferenceStream(options, await recordEncoder<InferenceEvent>(registryUrl, topic, 'InferenceEvent'));
  }

  partitionOf(model: number): number {
    return model % this.#partitions;
  }

  /** Events produced so far for model `model`. */
  produced(model: number): number {
    return this.#generators[model]?.index ?? 0;
  }

  /**
   * The next `n` events as Kafka messages, models in turn. `onEvent(model, index)` is called for each,
   * in order, for per-event bookkeeping.
   */
  messages(n: number, onEvent?: (model: number, index: number) => void): Message[] {
    const out: Message[] = new Array<Message>(n);
    const models = this.#generators.length;
    for (let i = 0; i < n; i++) {
      const model = this.#turn;
      this.#turn = (this.#turn + 1) % models;
      const generator = this.#generators[model]!;
      const index = generator.index;
      const event = generator.next();
      onEvent?.(model, index);
      out[i] = { key: event.modelId, value: this.#encoder.encode(event), partition: this.partitionOf(model) };
    }
    return out;
  }

  /** The per-model index of the event whose timestamp is `timestamp`. */
  indexAt(timestamp: number): number {
    return Math.round((timestamp - this.startTime) / this.spacingMs);
  }
}

/**
 * Loads `events` events of `models` models onto `topic` in order, with the fast producer (requests of
 * 2,000 records, one in flight), and checks they all landed. Returns the seconds it took and the bytes
 * of the values.
 */
export async function loadInference(stack: BenchStack, topic: string, options: { events: number; models: number; partitions: number; features: number }): Promise<{ seconds: number; bytes: number }> {
  const stream = await InferenceStream.create(stack.registryUrl, topic, { models: options.models, partitions: options.partitions, features: options.features });
  const producer = await fastProducer(stack);
  const started = performance.now();
  let bytes = 0;
  try {
    for (let sent = 0; sent < options.events; ) {
      const messages = stream.messages(Math.min(50_000, options.events - sent));
      for (const m of messages) bytes += (m.value as Buffer).length;
      await sendPipelined(producer, topic, messages, 2000, 1);
      sent += messages.length;
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  const onTopic = await topicEnd(stack, topic);
  if (onTopic !== options.events) throw new Error(`${onTopic} records on ${topic}, expected ${options.events}`);
  return { seconds, bytes };
}
