/**
 * Reading `vigil.iolog` for the readers the governance side serves (the admin API's auditor route and
 * `vigil iolog read`): the topic up to its end as of the call (read_committed), keeping the records of
 * one model that match the filter's clear fields, at most `filter.limit` of them, in offset order per
 * partition. A record that is not an IoLogRecord stops the read with the topic, partition and offset.
 */
import type { KafkaMessage } from 'kafkajs';
import type { IoLogRecord } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';
import { matches, type IoLogFilter } from '../../iolog/reader.js';
import { decodeIoLogValue } from '../../iolog/wire.js';
import { kafkaClient } from '../sink/kafka.js';
import { readToEnd } from './read-to-end.js';

export async function readIoLogRecords(brokers: readonly string[], topic: string, filter: IoLogFilter, clientId = 'vigil-iolog-read'): Promise<IoLogRecord[]> {
  const kafka = kafkaClient({ brokers, clientId });
  const kept: IoLogRecord[] = [];
  const key = Buffer.from(filter.modelId, 'utf8');
  // Thrown after the read: an exception inside the consumer's batch handler would only be retried.
  let malformed: VigilError | null = null;
  try {
    await readToEnd(kafka, {
      topic,
      onMessage: (partition: number, message: KafkaMessage) => {
        if (malformed !== null || kept.length >= (filter.limit ?? Infinity) || message.value === null) return;
        if (message.key !== null && !message.key.equals(key)) return;
        try {
          const record = decodeIoLogValue(message.value, `${topic}[${partition}]@${message.offset}`);
          if (matches(record, filter)) kept.push(record);
        } catch (error) {
          malformed = error instanceof VigilError ? error : new VigilError('VIGIL_INPUT_INVALID', describeError(error), { cause: error });
        }
      },
    });
  } catch (cause) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot read ${topic} from ${brokers.join(',')}: ${describeError(cause)}`, { cause });
  }
  if (malformed !== null) throw malformed;
  return kept;
}
