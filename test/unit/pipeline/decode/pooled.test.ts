import { afterAll, describe, expect, it } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { PooledDecodeStage, warmUpDecodeTask } from '../../../../src/pipeline/decode/pooled.js';
import type { InputRecord } from '../../../../src/pipeline/decode/index.js';
import { ScoringPool } from '../../../../src/pipeline/score/pool.js';
import { NOW, encode, makeEvent, rec } from './helpers.js';
import { VigilError } from '../../../../src/errors.js';
import { FetchedMessage, inputRecords } from '../../../../src/pipeline/source/fast-records.js';
import { fastMessages, recordBatch } from '../../../fixtures/record-batches.js';

// The engine's decode stage with a real pool (dist/ must be built): dedup by position, the string
// columns that cross from the pool dictionary-encoded, and the value buffers it reuses.

const pool = new ScoringPool({ threads: 1 });
afterAll(() => pool.close());

/** The buffers of the values sent and of those the pool gave back, in order. */
const sent: ArrayBufferLike[] = [];
const returned: ArrayBufferLike[] = [];
const watched = {
  decodeBatch: async (task: Parameters<ScoringPool['decodeBatch']>[0]) => {
    sent.push(task.bytes.buffer);
    const result = await pool.decodeBatch(task);
    returned.push(result.spent.buffer);
    return result;
  },
} as unknown as ScoringPool;

function stage(options: { capacity?: number } = {}): PooledDecodeStage {
  return new PooledDecodeStage({ pool: watched, lookup: { schemaFor: () => Promise.resolve(schemaSource('InferenceEvent')) }, now: () => NOW, dedup: options });
}

const ids = (result: Awaited<ReturnType<PooledDecodeStage['decodeRecords']>>): string[] => result.batches.flatMap((b) => [...b.eventIds]);

describe('PooledDecodeStage: duplicates by position', () => {
  it('takes the same id at the same offset of another partition or topic as a duplicate, and a re-read of a position as new', async () => {
    const s = stage();
    const value = encode(makeEvent({ eventId: 'same' }));
    const first = await s.decodeRecords([rec(value, 5, 0), rec(value, 5, 1), rec(value, 5, 0, 'other-topic')]);
    expect(ids(first)).toEqual(['same']);
    expect(first.deadLetters.map((d) => [d.index, d.code])).toEqual([
      [1, 'VIGIL_EVENT_DUPLICATE'],
      [2, 'VIGIL_EVENT_DUPLICATE'],
    ]);
    // The transaction of the first batch aborted: the same record is read again, and processed again.
    const reread = await s.decodeRecords([rec(value, 5, 0)]);
    expect(ids(reread)).toEqual(['same']);
    expect(reread.deadLetters).toEqual([]);
  });

  it('remembers primed ids at their positions, offsets beyond 2^53 included', async () => {
    const s = stage();
    const a = encode(makeEvent({ eventId: 'primed-a' }));
    const b = encode(makeEvent({ eventId: 'primed-b' }));
    const huge = (offset: string, value: Buffer): InputRecord => ({ key: null, value, topic: 'vigil.inference', partition: 0, offset });
    expect(await s.prime([rec(a, 10), huge('9007199254740993', b)])).toBe(2);
    const result = await s.decodeRecords([rec(a, 10), huge('9007199254740993', b), rec(a, 11), huge('9007199254740992', b)]);
    expect(ids(result)).toEqual(['primed-a', 'primed-b']);
    expect(result.deadLetters.map((d) => d.index)).toEqual([2, 3]);
  });
});

describe('PooledDecodeStage: string columns', () => {
  it('gives every row its principal, endpoint and environment hash, nulls and empty strings included, with duplicates removed', async () => {
    const s = stage();
    const events = [
      makeEvent({ principal: 'svc-a', endpoint: '/v1/score', attributes: { 'vigil.env.hash': 'h1' } }),
      makeEvent({ principal: 'svc-b', endpoint: null, attributes: {} }),
      makeEvent({ principal: '', endpoint: '', attributes: { 'vigil.env.hash': '' } }),
      makeEvent({ principal: 'svc-a', endpoint: '/v1/score', attributes: { 'vigil.env.hash': 'h2' } }),
    ];
    const records = events.map((e, i) => rec(encode(e), i));
    // A duplicate in the middle: the kept rows are picked from the dictionaries.
    records.splice(2, 0, rec(encode(events[0]!), 99));
    const result = await s.decodeRecords(records);
    expect(result.deadLetters.map((d) => d.index)).toEqual([2]);
    const [batch] = result.batches;
    expect(batch!.principals).toEqual(['svc-a', 'svc-b', '', 'svc-a']);
    expect(batch!.endpoints).toEqual(['/v1/score', null, '', '/v1/score']);
    expect(batch!.envHashes).toEqual(['h1', null, '', 'h2']);
    expect(batch!.eventIds).toEqual(events.map((e) => e.eventId));
  });
});

describe('PooledDecodeStage: value buffers', () => {
  it('decodes each batch from its own values when it reuses the buffer of an earlier one', async () => {
    const s = stage();
    const big = Array.from({ length: 300 }, (_, i) => makeEvent({ eventId: `big-${i}` }));
    expect(ids(await s.decodeRecords(big.map((e, i) => rec(encode(e), i))))).toEqual(big.map((e) => e.eventId));
    for (let round = 0; round < 3; round++) {
      const small = Array.from({ length: 20 + round }, (_, i) => makeEvent({ eventId: `small-${round}-${i}`, principal: `p-${round}` }));
      const records = small.map((e, i) => rec(encode(e), 1000 + round * 100 + i));
      records.push(rec(null, 2000 + round));
      const result = await s.decodeRecords(records);
      expect(ids(result)).toEqual(small.map((e) => e.eventId));
      expect(result.batches[0]!.principals).toEqual(small.map(() => `p-${round}`));
      expect(result.deadLetters).toEqual([{ index: small.length, code: 'VIGIL_DECODE_SHORT', message: 'empty value' }]);
      // The values went in a buffer the pool gave back after an earlier batch.
      expect(returned.slice(0, -1)).toContain(sent.at(-1));
    }
  });
});

describe('PooledDecodeStage: records of the engine\'s own record decoding', () => {
  it('decodes records over fetched bytes as it decodes the same records as plain values, bad ones included', async () => {
    const events = Array.from({ length: 40 }, (_, i) => makeEvent({ eventId: `fetched-${i % 37}`, principal: `p-${i % 3}` }));
    const values: (Buffer | null)[] = events.map((e) => encode(e));
    values[5] = null;
    values[9] = Buffer.from([1, 0, 0, 0, 7, 2, 4]);
    values[12] = Buffer.alloc(0);
    values[20] = encode(events[20]!, 99);
    const fetched = Buffer.concat([
      await recordBatch(100, values.slice(0, 25).map((value, i) => ({ key: i % 2 === 0 ? Buffer.from(`k${i}`) : null, value }))),
      await recordBatch(125, values.slice(25).map((value) => ({ value }))),
    ]);
    const records = inputRecords('vigil.inference', 3, (await fastMessages(fetched)) as never);
    expect(records.every((r) => r instanceof FetchedMessage)).toBe(true);
    const plainRecords = values.map((value, i) => ({ key: i < 25 && i % 2 === 0 ? Buffer.from(`k${i}`) : null, value, topic: 'vigil.inference', partition: 3, offset: String(100 + i) }));
    const lookup = { schemaFor: (id: number) => (id === 99 ? Promise.reject(new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', 'no schema 99')) : Promise.resolve(schemaSource('InferenceEvent'))) };
    const decode = (input: readonly InputRecord[]) => new PooledDecodeStage({ pool, lookup, now: () => NOW }).decodeRecords(input);
    const [fromFetched, fromPlain] = [await decode(records), await decode(plainRecords)];
    expect(fromFetched).toEqual(fromPlain);
    expect(fromFetched.decoded).toBe(33);
    // Features of a group with every row kept come in the pool's shared memory (copyColumns shares them
    // with the scoring tasks); a group that lost rows to duplicates is packed anew.
    const distinct = await decode(plainRecords.slice(0, 5));
    expect(distinct.batches.map((b) => [b.count, b.features.buffer instanceof SharedArrayBuffer])).toEqual([[5, true]]);
    expect(fromFetched.batches.map((b) => b.features.buffer instanceof SharedArrayBuffer)).toEqual([false]);
    // Some records of each record batch, as a batch starting past a restored offset has them.
    expect(await decode(records.slice(3, 30))).toEqual(await decode(plainRecords.slice(3, 30)));
    expect(fromFetched.deadLetters.map((d) => [d.index, d.code])).toEqual([
      [5, 'VIGIL_DECODE_SHORT'],
      [9, 'VIGIL_DECODE_MAGIC'],
      [12, 'VIGIL_DECODE_SHORT'],
      [20, 'VIGIL_DECODE_UNKNOWN_SCHEMA'],
      [37, 'VIGIL_EVENT_DUPLICATE'],
      [38, 'VIGIL_EVENT_DUPLICATE'],
      [39, 'VIGIL_EVENT_DUPLICATE'],
    ]);
  });
});

describe('warmUpDecodeTask', () => {
  it('is a task every pool thread decodes without a failure, through pool.warm', async () => {
    const result = await pool.decodeBatch(warmUpDecodeTask(NOW));
    expect(result.failures).toEqual([]);
    expect(result.groups.map((g) => [g.modelId, g.eventIds.length, g.featureNames.length])).toEqual([
      ['vigil-rehearsal-0', 1000, 32],
      ['vigil-rehearsal-1', 1000, 32],
    ]);
    const one = await pool.decodeBatch(warmUpDecodeTask(NOW, 1));
    expect(one.groups.map((g) => g.eventIds)).toEqual([['vigil-rehearsal-0']]);
    const twoThreads = new ScoringPool({ threads: 2 });
    try {
      await expect(twoThreads.warm(() => warmUpDecodeTask(NOW))).resolves.toBeUndefined();
    } finally {
      await twoThreads.close();
    }
  });
});

