/**
 * A plain (non-transactional) Avro producer: what model servers do, used by the demo's synthetic
 * producer and by tests that play the producer's part.
 */
import type { Producer } from 'kafkajs';
import type { SchemaName } from '../../contracts/schemas.js';
import { kafkaClient } from './kafka.js';
import { recordEncoder, type RecordEncoder } from './encode.js';

export interface AvroProducer<T> {
  send(records: readonly { key: string; value: T }[]): Promise<void>;
  sendRaw(records: readonly { key: string | null; value: Buffer | null; partition?: number }[]): Promise<void>;
  readonly encoder: RecordEncoder<T>;
  close(): Promise<void>;
}

export async function avroProducer<T>(options: { brokers: readonly string[]; registryUrl: string; topic: string; schema: SchemaName; clientId?: string }): Promise<AvroProducer<T>> {
  const encoder = await recordEncoder<T>(options.registryUrl, options.topic, options.schema);
  const producer: Producer = kafkaClient({ brokers: options.brokers, clientId: options.clientId ?? 'vigil-producer' }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    encoder,
    async send(records) {
      if (records.length === 0) return;
      await producer.send({ topic: options.topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: encoder.encode(r.value) })) });
    },
    async sendRaw(records) {
      if (records.length === 0) return;
      await producer.send({ topic: options.topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }) })) });
    },
    close: () => producer.disconnect(),
  };
}
