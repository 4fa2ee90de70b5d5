/**
 * A record for `vigil.dlq`: the original key and value, bytes unchanged, with the contract's headers
 * saying what was wrong (error code and message) and where the record came from.
 */
import type { IHeaders } from 'kafkajs';
import type { OutputMessage } from './transactional.js';

/** Where a record was read, and its bytes. */
export interface DeadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** The longest `vigil.error.message` written. */
export const DEAD_LETTER_MESSAGE_LIMIT = 1000;

export function deadLetter(dlqTopic: string, original: DeadRecord, code: string, message: string, failedAt: number): OutputMessage {
  const headers: IHeaders = {
    'vigil.error.code': code,
    'vigil.error.message': message.slice(0, DEAD_LETTER_MESSAGE_LIMIT),
    'vigil.source.topic': original.topic,
    'vigil.source.partition': String(original.partition),
    'vigil.source.offset': original.offset,
    'vigil.failed.at': String(failedAt),
  };
  return { topic: dlqTopic, key: original.key, value: original.value, headers };
}
