/**
 * Reads IoLogRecords back: filters on the clear fields first (model, event, time range, retention),
 * so only the records asked for are decrypted, then opens each with the envelope and parses the
 * redacted payload. A record that fails authentication stops the read with VIGIL_DECRYPT_FAILED
 * naming its eventId: a log that was tampered with is reported, never silently skipped.
 */
import type { IoLogRecord } from '../contracts/records.js';
import { VigilError } from '../errors.js';
import { Envelope } from '../security/crypto/envelope.js';
import type { KeyProvider } from '../security/crypto/keyring.js';
import type { RedactedPayload } from '../security/redact/event.js';
import { ioLogContext } from './binding.js';

export interface IoLogFilter {
  readonly modelId: string;
  readonly eventId?: string;
  /** Inclusive lower bound on the inference timestamp, ms. */
  readonly from?: number;
  /** Exclusive upper bound on the inference timestamp, ms. */
  readonly to?: number;
  /** Records older than now - retentionMs are expired and not returned. */
  readonly retentionMs?: number;
  readonly now?: number;
  /** Stop after this many entries. */
  readonly limit?: number;
}

export interface IoLogEntry {
  readonly eventId: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly principal: string;
  readonly timestamp: number;
  readonly reason: string;
  readonly redactions: Record<string, number>;
  readonly keyId: string;
  readonly kekId: string;
  readonly payload: RedactedPayload;
}

export function matches(record: IoLogRecord, filter: IoLogFilter): boolean {
  if (record.modelId !== filter.modelId) return false;
  if (filter.eventId !== undefined && record.eventId !== filter.eventId) return false;
  if (filter.from !== undefined && record.timestamp < filter.from) return false;
  if (filter.to !== undefined && record.timestamp >= filter.to) return false;
  if (filter.retentionMs !== undefined && record.timestamp < (filter.now ?? Date.now()) - filter.retentionMs) return false;
  return true;
}

/**
 * Decrypts the records that match `filter`. `keys` is a key provider (a fresh envelope is made) or an
 * envelope (whose unwrapped data keys are reused across reads); `topic` is the full topic name the
 * records were written to, which their encryption is bound to.
 */
export async function* readIoLog(
  records: Iterable<IoLogRecord> | AsyncIterable<IoLogRecord>,
  keys: KeyProvider | Envelope,
  filter: IoLogFilter,
  topic = 'vigil.iolog',
): AsyncGenerator<IoLogEntry> {
  const envelope = keys instanceof Envelope ? keys : new Envelope(keys);
  let returned = 0;
  for await (const record of records) {
    if (filter.limit !== undefined && returned >= filter.limit) return;
    if (!matches(record, filter)) continue;
    const plain = await envelope.open(record, ioLogContext(topic, record)).catch((error: unknown) => {
      if (error instanceof VigilError) {
        throw new VigilError(error.code, `I/O log record of event ${record.eventId}: ${error.message}`, { cause: error, details: { eventId: record.eventId } });
      }
      throw error;
    });
    let payload: RedactedPayload;
    try {
      payload = JSON.parse(plain.toString('utf8')) as RedactedPayload;
    } catch (cause) {
      throw new VigilError('VIGIL_INPUT_INVALID', `I/O log record of event ${record.eventId} decrypts to something that is not JSON`, { cause });
    }
    returned++;
    yield {
      eventId: record.eventId,
      modelId: record.modelId,
      modelVersion: record.modelVersion,
      principal: record.principal,
      timestamp: record.timestamp,
      reason: record.reason,
      redactions: record.redactions,
      keyId: record.keyId,
      kekId: record.kekId,
      payload,
    };
  }
}
