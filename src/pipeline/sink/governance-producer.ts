/**
 * The governance gate's writes: GovernanceEvents to `vigil.governance` (Avro, key: model id). One
 * idempotent producer, acks from all in-sync replicas; the events of one action go in one send (one
 * batch to the model's partition), so a submission and its check result are written together.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { GovernanceEvent } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';
import { recordEncoder } from './encode.js';

export interface GovernanceProducer {
  publish(events: readonly GovernanceEvent[]): Promise<void>;
  close(): Promise<void>;
}

export async function governanceProducer(kafka: Kafka, options: { registryUrl: string; topic: string }): Promise<GovernanceProducer> {
  const encoder = await recordEncoder<GovernanceEvent>(options.registryUrl, options.topic, 'GovernanceEvent');
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
  } catch (error) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot connect the governance producer: ${describeError(error)}`, { cause: error });
  }
  return {
    publish: async (events) => {
      if (events.length === 0) return;
      try {
        await producer.send({ topic: options.topic, acks: -1, messages: events.map((e) => ({ key: e.modelId, value: encoder.encode(e) })) });
      } catch (error) {
        throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot write to ${options.topic}: ${describeError(error)}`, { cause: error });
      }
    },
    close: () => producer.disconnect(),
  };
}
