/** The fast decoder's embedded reader schema is schemas/InferenceEvent.avsc (docs aside). */
import { describe, it, expect } from 'vitest';
import { STATUS_CODE } from '../../../../src/contracts/batch.js';
import { INFERENCE_STATUS_SYMBOLS } from '../../../../src/contracts/records.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { fastReaderType } from '../../../../workers/decode/fast.js';
import { INFERENCE_EVENT_READER_SCHEMA, STATUS_SYMBOLS } from '../../../../workers/decode/reader-schema.js';
import { EVENT_TYPE } from './helpers.js';

function withoutDocs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDocs);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'doc')
        .map(([key, v]) => [key, withoutDocs(v)]),
    );
  }
  return value;
}

describe('fast decoder reader schema', () => {
  it('is the shipped InferenceEvent schema without its docs', () => {
    expect(INFERENCE_EVENT_READER_SCHEMA).toEqual(withoutDocs(JSON.parse(schemaSource('InferenceEvent'))));
    expect(fastReaderType().equals(EVENT_TYPE)).toBe(true);
    expect(fastReaderType().schema()).toEqual(EVENT_TYPE.schema());
  });

  it('numbers statuses as the contract does', () => {
    expect(STATUS_SYMBOLS).toEqual(INFERENCE_STATUS_SYMBOLS);
    STATUS_SYMBOLS.forEach((symbol, i) => expect(STATUS_CODE[symbol]).toBe(i));
  });
});
