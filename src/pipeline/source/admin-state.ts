/**
 * What the admin API needs to know from Kafka when it starts: every record of the compacted
 * `vigil.config` topic (detector overrides and silences), and where its own audit chain (`admin`)
 * ends on `vigil.audit`, so the next record continues it. Both are bounded reads up to the topics'
 * ends as of the call (read_committed).
 */
import type { Kafka } from 'kafkajs';
import { avroType } from '../../contracts/schemas.js';
import type { AuditRecord, DetectorConfig } from '../../contracts/records.js';
import type { ChainCheckpoint } from '../policy/audit.js';
import { readToEnd } from './read-to-end.js';
import { VigilError, describeError } from '../../errors.js';

export interface AdminState {
  /** Latest record per key, in topic order (null: a tombstone). */
  readonly config: { key: string; value: DetectorConfig | null }[];
  /** Records of vigil.config that could not be decoded, by offset. */
  readonly unreadable: string[];
  readonly auditCheckpoint: ChainCheckpoint | null;
}

/** Fails with one clear line when Kafka cannot be reached or a topic is missing. */
export async function requireTopics(kafka: Kafka, topics: readonly string[], brokers: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  let present: Set<string>;
  try {
    await admin.connect();
    present = new Set(await admin.listTopics());
  } catch (error) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${brokers.join(',')}: ${describeError(error)}`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const missing = topics.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `topics ${missing.join(', ')} do not exist on ${brokers.join(',')}; run \`vigil topics create\` first`, { retriable: false });
  }
}

export async function readAdminState(kafka: Kafka, topics: { config: string; audit: string }, chainId: string): Promise<AdminState> {
  const configType = avroType('DetectorConfig');
  const auditType = avroType('AuditRecord');
  const latest = new Map<string, DetectorConfig | null>();
  const unreadable: string[] = [];
  await readToEnd(kafka, {
    topic: topics.config,
    onMessage: (partition, message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined) return;
      try {
        latest.delete(key);
        latest.set(key, message.value === null ? null : (configType.fromBuffer(message.value.subarray(5)) as DetectorConfig));
      } catch (error) {
        unreadable.push(`${topics.config}[${partition}]@${message.offset}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  });
  let checkpoint: ChainCheckpoint | null = null;
  await readToEnd(kafka, {
    topic: topics.audit,
    onMessage: (_partition, message) => {
      if (message.key?.toString('utf8') !== chainId || message.value === null) return;
      const record = auditType.fromBuffer(message.value.subarray(5)) as AuditRecord;
      if (checkpoint === null || record.seq > checkpoint.seq) checkpoint = { seq: record.seq, hash: record.hash };
    },
  });
  return { config: [...latest].map(([key, value]) => ({ key, value })), unreadable, auditCheckpoint: checkpoint };
}
