import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fastBatchClass, keptMessages, type BatchClass, type PartitionData } from '../../../../src/pipeline/source/fast-batch.js';
import { Compression, Long, fastMessages, recordBatch, type RecordSpec } from '../../../fixtures/record-batches.js';

const require = createRequire(import.meta.url);
const KafkajsBatch = require('kafkajs/src/consumer/batch.js') as BatchClass;
const FastBatch = fastBatchClass(KafkajsBatch);

const specs: RecordSpec[] = Array.from({ length: 6 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i}`) }));

/** Sets attribute bits of the batch at the start of `bytes` (kafkajs does not check CRCs on read). */
function withAttributes(bytes: Buffer, bits: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeInt16BE(out.readInt16BE(21) | bits, 21);
  return out;
}

type Batch = Record<string, unknown> & {
  isEmpty(): boolean;
  isEmptyIncludingFiltered(): boolean;
  isEmptyDueToFiltering(): boolean;
  isEmptyControlRecord(): boolean;
  isEmptyDueToLogCompactedMessages(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
};

/** Everything a reader of a batch can see of it: its fields (in order) and what its methods say. */
function seen(batch: object): unknown {
  const b = batch as Batch;
  return {
    keys: Object.keys(b),
    fields: Object.fromEntries(Object.keys(b).map((k) => [k, b[k]])),
    isEmpty: b.isEmpty(),
    isEmptyIncludingFiltered: b.isEmptyIncludingFiltered(),
    isEmptyDueToFiltering: b.isEmptyDueToFiltering(),
    isEmptyControlRecord: b.isEmptyControlRecord(),
    isEmptyDueToLogCompactedMessages: b.isEmptyDueToLogCompactedMessages(),
    firstOffset: b.firstOffset(),
    lastOffset: b.lastOffset(),
    offsetLag: b.offsetLag(),
    offsetLagLow: b.offsetLagLow(),
  };
}

/** kafkajs's batch and the fast one over the same fetched messages; both read the same message objects. */
function both(fetchedOffset: unknown, data: PartitionData): { expected: object; actual: object } {
  return { expected: new KafkajsBatch('vigil.inference', fetchedOffset, data), actual: new FastBatch('vigil.inference', fetchedOffset, data) };
}

async function partition(fetched: Buffer, extra: Partial<PartitionData> = {}): Promise<PartitionData> {
  return { partition: 3, highWatermark: '40', messages: await fastMessages(fetched), abortedTransactions: [], ...extra };
}

describe('the fast Batch builds the batch kafkajs builds', () => {
  it('from any fetched offset: before, inside and past the records', async () => {
    const data = await partition(Buffer.concat([await recordBatch(5, specs), await recordBatch(11, specs.slice(0, 2))]));
    for (const fetchedOffset of ['0', '5', '7', '11', '12', '13', '30', 8]) {
      expect(keptMessages(fetchedOffset, data)).toBeDefined();
      const { expected, actual } = both(fetchedOffset, data);
      expect(actual).toBeInstanceOf(KafkajsBatch);
      expect(seen(actual)).toEqual(seen(expected));
    }
  });

  it('with control records left out, and an array handed on unchanged where nothing is left out', async () => {
    const transactional = await recordBatch(5, specs.slice(0, 3), { transactional: true, producerId: Long.fromNumber(77) });
    const control = withAttributes(await recordBatch(8, [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], { transactional: true, producerId: Long.fromNumber(77) }), 0x20);
    const data = await partition(Buffer.concat([transactional, control, await recordBatch(9, specs.slice(0, 2))]));
    const { expected, actual } = both('5', data);
    expect(seen(actual)).toEqual(seen(expected));
    expect((actual as Batch)['messages']).toHaveLength(5);
    const plainData = await partition(await recordBatch(0, specs));
    const plain = new FastBatch('vigil.inference', '0', plainData) as Batch;
    expect(plain['messages']).toBe(plainData.messages);
    expect(plain['messagesWithinOffset']).toBe(plainData.messages);
  });

  it('of an empty fetch', async () => {
    const { expected, actual } = both('12', await partition(Buffer.alloc(0)));
    expect(seen(actual)).toEqual(seen(expected));
  });

  it('by kafkajs\'s own constructor for aborted transactions, messages of kafkajs\'s decoding and unusual offsets', async () => {
    const plainBytes = await recordBatch(5, specs);
    const aborted = await partition(plainBytes, { abortedTransactions: [{ producerId: '77', firstOffset: '6' }] });
    expect(keptMessages('5', aborted)).toBeUndefined();
    const compressed = await partition(Buffer.concat([plainBytes, await recordBatch(11, specs.slice(0, 2), { compression: Compression.GZIP })]));
    expect(keptMessages('5', compressed)).toBeUndefined();
    const data = await partition(plainBytes);
    for (const offset of ['9007199254740993', '+5', '5.0', '', null, 5.5, 2 ** 60]) expect(keptMessages(offset, data)).toBeUndefined();
    for (const [fetchedOffset, d] of [['5', aborted], ['6', compressed], ['9007199254740993', data]] as const) {
      const { expected, actual } = both(fetchedOffset, d);
      expect(seen(actual)).toEqual(seen(expected));
    }
  });
});

describe('installFastBatch', () => {
  const fixture = fileURLToPath(new URL('../../../fixtures/fast-batch-install.mjs', import.meta.url));
  const run = (mode: string): unknown => JSON.parse(execFileSync(process.execPath, [fixture, mode], { encoding: 'utf8' }));

  it('puts the fast Batch where kafkajs\'s consumer takes its Batch from, before the engine\'s commands load kafkajs', () => {
    expect(run('fresh')).toEqual({ kafkajsLoadedByEntry: false, first: { installed: true }, again: { installed: true }, inPlace: true });
  });

  it('refuses, saying why, once kafkajs\'s consumer is loaded', () => {
    const reason = 'kafkajs has already loaded its consumer, which keeps the Batch it loaded with';
    expect(run('after-kafkajs')).toEqual({ kafkajsLoadedByEntry: true, first: { installed: false, reason }, again: { installed: false, reason }, inPlace: false });
  });
});
