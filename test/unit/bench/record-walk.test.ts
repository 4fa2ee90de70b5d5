import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { packValues, walkBatches } from '../../../bench/lib/record-walk.js';

// kafkajs's own record-batch encoder and decoder: the walk must agree with what kafkajs reads.
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (options: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: Record<string, unknown>) => unknown;
const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{ records: { offset: string; value: Buffer | null }[] }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => { canReadBytes(n: number): boolean };
const Long = require('kafkajs/src/utils/long.js') as { fromNumber(n: number): unknown };
const { Types: Compression } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { GZIP: number } };

interface Spec {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, Buffer>;
}

async function batch(firstOffset: number, specs: readonly Spec[], compression?: number): Promise<Buffer> {
  const records = specs.map((s, i) => Record({ offsetDelta: i, timestampDelta: i * 3, key: s.key, value: s.value, headers: s.headers ?? {} }));
  const encoded = await RecordBatch({ firstOffset: Long.fromNumber(firstOffset), lastOffsetDelta: specs.length - 1, records, ...(compression === undefined ? {} : { compression }) });
  return encoded.buffer;
}

const specs: Spec[] = [
  { key: Buffer.from('k1'), value: Buffer.from('first value') },
  { key: null, value: Buffer.alloc(300, 7) }, // a length of two varint bytes
  { key: Buffer.from('k3'), value: null },
  { key: Buffer.from('k4'), value: Buffer.from('with headers'), headers: { a: Buffer.from('x'), bb: Buffer.from('yy') } },
];

async function kafkajsRead(bytes: Buffer): Promise<{ offset: string; value: Buffer | null }[]> {
  const decoder = new Decoder(bytes);
  const out: { offset: string; value: Buffer | null }[] = [];
  while (decoder.canReadBytes(49)) out.push(...(await RecordBatchDecoder(decoder)).records);
  return out;
}

describe('record walk (bench e2e-ceiling)', () => {
  it('reads the same values and offsets as kafkajs, batch by batch', async () => {
    const bytes = Buffer.concat([await batch(100, specs), await batch(104, specs.slice(0, 2))]);
    const walked = walkBatches(bytes);
    expect(walked.map((b) => [b.baseOffset, b.recordCount, b.offset, b.isControlRecord])).toEqual([
      [100, 4, '103', false],
      [104, 2, '105', false],
    ]);
    const packed = packValues(walked);
    const expected = await kafkajsRead(bytes);
    expect(packed.offsets.length).toBe(expected.length);
    expected.forEach((record, i) => {
      expect(packed.offsets[i]).toBe(Number(record.offset));
      if (record.value === null) expect(packed.nulls[i]).toBe(1);
      else {
        expect(packed.nulls[i]).toBe(0);
        expect(Buffer.from(packed.bytes.subarray(packed.bounds[i]!, packed.bounds[i + 1]!)).equals(record.value)).toBe(true);
      }
    });
    expect(packed.bounds[expected.length]).toBe(packed.bytes.length);
  });

  it('leaves out a partial batch at the end, as kafkajs does', async () => {
    const whole = await batch(0, specs);
    const bytes = Buffer.concat([whole, whole.subarray(0, whole.length - 5)]);
    expect(walkBatches(bytes).map((b) => b.recordCount)).toEqual([4]);
  });

  it('names a compressed batch instead of misreading it', async () => {
    const bytes = await batch(0, specs, Compression.GZIP);
    expect(() => walkBatches(bytes)).toThrow(/compressed record batch at byte 0 \(codec 1\)/);
  });

  it('refuses a record that runs past its batch', async () => {
    const bytes = Buffer.from(await batch(0, specs.slice(0, 1)));
    // The first record's length varint (right after the 61-byte header): claim 63 bytes, more than there are.
    bytes[61] = 126;
    expect(() => packValues(walkBatches(bytes))).toThrow(/runs past its batch/);
  });
});
