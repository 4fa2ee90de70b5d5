import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FetchedMessage, decoders, fastRecordCounts, inputRecords } from '../../../../src/pipeline/source/fast-records.js';
import { Compression, Long, fastMessages, recordBatch, sized, type RecordSpec } from '../../../fixtures/record-batches.js';

// kafkajs's own encoders build the fetched bytes; both decoders read the same bytes.
const { kafkajs, fast, Decoder } = decoders();
const batch = recordBatch;
type Spec = RecordSpec;

/** Sets attribute bits of the batch at the start of `bytes` (kafkajs does not check CRCs on read). */
function withAttributes(bytes: Buffer, bits: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeInt16BE(out.readInt16BE(21) | bits, 21);
  return out;
}

/** Both decoders over one partition's fetched bytes (behind their int32 size). */
async function both(fetched: Buffer): Promise<{ expected: unknown; actual: unknown }> {
  const outcome = async (decode: typeof kafkajs): Promise<unknown> => {
    try {
      return await decode(new Decoder(sized(fetched)));
    } catch (error) {
      return { threw: error instanceof Error ? error.name : String(error) };
    }
  };
  return { expected: await outcome(kafkajs), actual: plain(await outcome(fast)) };
}

/**
 * The fast decoding's messages as plain objects with every field kafkajs's messages have, read through
 * their getters (kafkajs's messages are plain objects already; an error outcome stays as it is).
 */
function plain(outcome: unknown): unknown {
  if (!Array.isArray(outcome)) return outcome;
  return outcome.map((m: Record<string, unknown>) => ({
    magicByte: m['magicByte'],
    attributes: m['attributes'],
    timestamp: m['timestamp'],
    offset: m['offset'],
    key: m['key'],
    value: m['value'],
    headers: m['headers'],
    isControlRecord: m['isControlRecord'],
    batchContext: m['batchContext'],
  }));
}

const mixed: Spec[] = [
  { key: Buffer.from('k1'), value: Buffer.from('first value') },
  { key: null, value: Buffer.alloc(300, 7) },
  { key: Buffer.alloc(0), value: null },
  { key: Buffer.from('k4'), value: Buffer.alloc(0), headers: { a: Buffer.from('x'), 'ключ': Buffer.from('ü') } },
  { key: Buffer.from('k5'), value: Buffer.from('dup'), headers: { twice: [Buffer.from('1'), Buffer.from('2')], thrice: [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')] } },
  { key: Buffer.from('k6'), value: Buffer.from('late'), timestampDelta: 5_000_000 },
  { key: Buffer.from('k7'), value: Buffer.from('early'), timestampDelta: -3 },
];

describe('fast record decoding gives the messages kafkajs gives', () => {
  it('for uncompressed batches of all kinds of records', async () => {
    const fetched = Buffer.concat([await batch(0, mixed), await batch(7, mixed.slice(0, 3)), await batch(2 ** 40, mixed)]);
    const before = fastRecordCounts();
    const { expected, actual } = await both(fetched);
    expect((expected as unknown[]).length).toBe(17);
    expect(actual).toEqual(expected);
    // All three batches took the fast path: nothing was handed to kafkajs's decoder.
    expect(fastRecordCounts()).toEqual({ fast: before.fast + 3, kafkajs: before.kafkajs });
  });

  it('for transactional, control and log-append-time batches', async () => {
    const transactional = await batch(10, mixed.slice(0, 2), { transactional: true, producerId: Long.fromNumber(4242), producerEpoch: 3, firstSequence: 9 });
    const control = withAttributes(await batch(12, [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], { transactional: true, producerId: Long.fromNumber(4242) }), 0x20);
    const appendTime = withAttributes(await batch(13, mixed.slice(0, 3)), 0x8);
    const { expected, actual } = await both(Buffer.concat([transactional, control, appendTime]));
    expect((expected as { isControlRecord: boolean }[]).map((m) => m.isControlRecord)).toEqual([false, false, true, false, false, false]);
    expect(actual).toEqual(expected);
  });

  it('for a compressed batch between plain ones (kafkajs decodes it)', async () => {
    const fetched = Buffer.concat([await batch(0, mixed.slice(0, 2)), await batch(2, mixed, { compression: Compression.GZIP }), await batch(9, mixed.slice(0, 1))]);
    const before = fastRecordCounts();
    const { expected, actual } = await both(fetched);
    expect(fastRecordCounts()).toEqual({ fast: before.fast + 2, kafkajs: before.kafkajs + 1 });
    expect((expected as unknown[]).length).toBe(10);
    expect(actual).toEqual(expected);
  });

  it('for a partial batch at the end of a fetch, left out', async () => {
    const whole = await batch(0, mixed);
    const { expected, actual } = await both(Buffer.concat([whole, whole.subarray(0, whole.length - 9)]));
    expect((expected as unknown[]).length).toBe(mixed.length);
    expect(actual).toEqual(expected);
  });

  it('for what the fast path leaves to kafkajs: header keys of Object.prototype, offsets past 2^53', async () => {
    const prototypeKeys = await batch(0, [{ key: null, value: Buffer.from('v'), headers: { constructor: Buffer.from('c'), toString: Buffer.from('t') } }]);
    const farOffsets = await batch('9007199254740000', mixed.slice(0, 2));
    for (const fetched of [prototypeKeys, farOffsets]) {
      const { expected, actual } = await both(fetched);
      expect(actual).toEqual(expected);
    }
  });

  it('for damaged bytes: a flipped byte anywhere gives the same messages or the same error', async () => {
    const fetched = Buffer.concat([await batch(0, mixed), await batch(7, mixed.slice(0, 4))]);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let outcomes = 0;
    for (let trial = 0; trial < 400; trial++) {
      const damaged = Buffer.from(fetched);
      damaged[random(damaged.length)] = random(256);
      const { expected, actual } = await both(damaged);
      expect(actual).toEqual(expected);
      outcomes++;
    }
    expect(outcomes).toBe(400);
  });
});

describe('fast messages are built as they are read', () => {
  it('gives the same key, value, headers and timestamp object on every read', async () => {
    const messages = (await fastMessages(await batch(0, mixed))) as FetchedMessage[];
    expect(messages.every((m) => m instanceof FetchedMessage)).toBe(true);
    for (const m of messages) {
      expect(m.key).toBe(m.key);
      expect(m.value).toBe(m.value);
      expect(m.headers).toBe(m.headers);
      expect(m.timestamp).toBe(m.timestamp);
    }
    // A header folded by one message is not another's.
    (messages[0]!.headers as Record<string, unknown>)['added'] = Buffer.from('x');
    expect(Object.keys(messages[1]!.headers)).toEqual([]);
  });

  it('says where each value lies in its record batch\'s bytes, as the value view holds it, null and empty values included', async () => {
    const messages = (await fastMessages(Buffer.concat([await batch(0, mixed), await batch(7, mixed.slice(1, 3))]))) as FetchedMessage[];
    expect(new Set(messages.map((m) => m.region)).size).toBe(2);
    for (const m of messages) {
      const value = m.value;
      expect(m.valueLength()).toBe(value === null ? -1 : value.length);
      if (value === null) continue;
      const { bytes, start, end } = m.region;
      expect(m.valueStart()).toBeGreaterThanOrEqual(start);
      expect(m.valueStart() + value.length).toBeLessThanOrEqual(end);
      expect(bytes.subarray(m.valueStart(), m.valueStart() + value.length)).toEqual(value);
    }
  });

  it('makes fast messages their own input records, and plain ones of kafkajs\'s', async () => {
    const fetched = Buffer.concat([await batch(0, mixed.slice(0, 3)), await batch(3, mixed.slice(0, 2), { compression: Compression.GZIP })]);
    const messages = (await fastMessages(fetched)) as never[];
    const records = inputRecords('vigil.inference', 4, messages);
    expect(records.map((r) => r instanceof FetchedMessage)).toEqual([true, true, true, false, false]);
    expect(records.slice(0, 3).every((r, i) => r === messages[i])).toBe(true);
    const expected = ((await both(fetched)).expected as { key: Buffer | null; value: Buffer | null; offset: string }[]).map((m) => ({ key: m.key, value: m.value, offset: m.offset, topic: 'vigil.inference', partition: 4 }));
    expect(records.map((r) => ({ key: r.key, value: r.value, offset: r.offset, topic: r.topic, partition: r.partition }))).toEqual(expected);
  });

  it('hands a batch of fast messages on as it is, each message knowing its offset as a number', async () => {
    const fetched = Buffer.concat([await batch(5, mixed), await batch(2 ** 40 + 3, mixed.slice(0, 2))]);
    const messages = (await fastMessages(fetched)) as FetchedMessage[];
    const records = inputRecords('vigil.labels', 1, messages as never);
    expect(records).toBe(messages);
    expect(messages.map((m) => m.offsetValue())).toEqual(messages.map((m) => Number(m.offset)));
    expect(messages.map((m) => [m.topic, m.partition])).toEqual(messages.map(() => ['vigil.labels', 1]));
    // Again under the same topic and partition (a retried batch): nothing changes.
    expect(inputRecords('vigil.labels', 1, messages as never)).toBe(messages);
  });

  it('refuses a record batch handed in under another topic or partition than before', async () => {
    const messages = (await fastMessages(await batch(0, mixed.slice(0, 2)))) as never[];
    inputRecords('vigil.inference', 0, messages);
    expect(() => inputRecords('vigil.inference', 1, messages)).toThrow('a record batch of vigil.inference[0] was handed in as one of vigil.inference[1]');
    expect(() => inputRecords('vigil.labels', 0, messages)).toThrow('was handed in as one of vigil.labels[0]');
  });

  it('leaves a batch that declares more records than its bytes can hold to kafkajs', async () => {
    const declared = Buffer.from(await batch(0, mixed.slice(0, 2)));
    declared.writeInt32BE(2 ** 31 - 1, 57);
    const before = fastRecordCounts();
    const { expected, actual } = await both(declared);
    expect(actual).toEqual(expected);
    expect(fastRecordCounts()).toEqual({ fast: before.fast, kafkajs: before.kafkajs + 1 });
  });
});

describe('installFastRecords', () => {
  const fixture = fileURLToPath(new URL('../../../fixtures/fast-records-install.mjs', import.meta.url));
  const run = (mode: string): unknown => JSON.parse(execFileSync(process.execPath, [fixture, mode], { encoding: 'utf8' }));

  it('puts the fast decoder in the place kafkajs decodes fetched records from, once', () => {
    expect(run('fresh')).toEqual({ first: { installed: true }, again: { installed: true }, inPlace: true });
  });

  it('refuses, saying why, once kafkajs has loaded its fetch decoding', () => {
    expect(run('after-fetch')).toEqual({
      first: { installed: false, reason: 'kafkajs has already loaded its fetch decoding (a consumer ran before the install)' },
      again: { installed: false, reason: 'kafkajs has already loaded its fetch decoding (a consumer ran before the install)' },
      inPlace: false,
    });
  });
});
