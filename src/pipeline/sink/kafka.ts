/**
 * The one place a kafkajs client is configured for the sink side and the admin tools. Logging from
 * kafkajs goes to Vigil's logger (or nowhere) rather than to the console.
 */
import kafkajs, { type Kafka, type KafkaConfig } from 'kafkajs';
import { framedSocketFactory } from '../source/framed-reads.js';

// kafkajs is CommonJS: its runtime values come through the default export under ESM.
export const { Kafka: KafkaClass, logLevel, ConfigResourceTypes } = kafkajs;

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** How long a single connection attempt may take. */
  readonly connectionTimeoutMs?: number;
  /** Retries kafkajs makes on its own for retriable errors. */
  readonly retries?: number;
  /** Responses read whole into buffers of their size (framed-reads.ts); default: kafkajs's own reads. */
  readonly framedReads?: boolean;
}

export function kafkaClient(options: KafkaClientOptions): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'vigil',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: 30_000,
    logLevel: logLevel.NOTHING,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2000 },
    ...(options.framedReads === true ? { socketFactory: framedSocketFactory() } : {}),
  };
  return new KafkaClass(config);
}
