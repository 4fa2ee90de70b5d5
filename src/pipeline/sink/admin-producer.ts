/**
 * The admin API's writes to Kafka: detector configurations and silences to `vigil.config` (Avro
 * `DetectorConfig`, key: model id or `silence:<id>`), and its hash-chained audit records to
 * `vigil.audit` (Avro `AuditRecord`, key: the chain id). One idempotent producer, acks from all
 * in-sync replicas; a send resolves only once the broker has the record.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { Alert, AuditRecord, DetectorConfig } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';
import { recordEncoder } from './encode.js';

export interface AdminProducer {
  publishConfig(key: string, value: DetectorConfig): Promise<void>;
  publishAudit(record: AuditRecord): Promise<void>;
  /** Writes an alert to the alerts topic (key: its fingerprint). */
  publishAlert(record: Alert): Promise<void>;
  close(): Promise<void>;
}

export async function adminProducer(kafka: Kafka, options: { registryUrl: string; configTopic: string; auditTopic: string; alertsTopic: string }): Promise<AdminProducer> {
  const [config, audit, alert] = await Promise.all([
    recordEncoder<DetectorConfig>(options.registryUrl, options.configTopic, 'DetectorConfig'),
    recordEncoder<AuditRecord>(options.registryUrl, options.auditTopic, 'AuditRecord'),
    recordEncoder<Alert>(options.registryUrl, options.alertsTopic, 'Alert'),
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
    publishAlert: (record) => send(options.alertsTopic, record.fingerprint, alert.encode(record)),
    close: () => producer.disconnect(),
  };
}
