/**
 * The admin API's writes to Kafka that stand alone: audit records of what changes nothing else
 * (refused requests, reads of the I/O log) to `vigil.audit` (Avro `AuditRecord`, key: the chain id),
 * and `vigil.config` records without an audit entry of their own (Avro `DetectorConfig`). Decisions
 * and their audit records go through the transactional governance producer
 * (./governance-producer.ts). One idempotent producer, acks from all in-sync replicas; a send resolves
 * only once the broker has the record.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { AuditRecord, DetectorConfig } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';
import { recordEncoder } from './encode.js';

export interface AdminProducer {
  publishConfig(key: string, value: DetectorConfig): Promise<void>;
  publishAudit(record: AuditRecord): Promise<void>;
  close(): Promise<void>;
}

export async function adminProducer(kafka: Kafka, options: { registryUrl: string; configTopic: string; auditTopic: string }): Promise<AdminProducer> {
  const [config, audit] = await Promise.all([
    recordEncoder<DetectorConfig>(options.registryUrl, options.configTopic, 'DetectorConfig'),
    recordEncoder<AuditRecord>(options.registryUrl, options.auditTopic, 'AuditRecord'),
  ]);
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
  } catch (error) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot connect the admin producer: ${describeError(error)}`, { cause: error });
  }
  const send = async (topic: string, key: string, value: Buffer): Promise<void> => {
    try {
      await producer.send({ topic, acks: -1, messages: [{ key, value }] });
    } catch (error) {
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot write to ${topic}: ${describeError(error)}`, { cause: error });
    }
  };
  return {
    publishConfig: (key, value) => send(options.configTopic, key, config.encode(value)),
    publishAudit: (record) => send(options.auditTopic, record.chainId, audit.encode(record)),
    close: () => producer.disconnect(),
  };
}
