/**
 * What an IoLogRecord's encryption is bound to. The associated data covers the topic, the model, the
 * data key id and a subject made of every field that stays in the clear (eventId, version, principal,
 * timestamp, reason, redaction counts), so editing any of them makes the record unreadable rather
 * than misleading.
 */
import type { IoLogRecord } from '../contracts/records.js';
import type { SealContext } from '../security/crypto/envelope.js';

type ClearFields = Pick<IoLogRecord, 'eventId' | 'modelId' | 'modelVersion' | 'principal' | 'timestamp' | 'reason' | 'redactions'>;

export function ioLogContext(topic: string, record: ClearFields): SealContext {
  const counts = Object.keys(record.redactions)
    .sort()
    .map((k) => [k, record.redactions[k]]);
  const subject = JSON.stringify([record.eventId, record.modelVersion, record.principal, record.timestamp, record.reason, counts]);
  return { topic, modelId: record.modelId, subject };
}
