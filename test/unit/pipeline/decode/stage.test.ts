import { describe, it, expect } from 'vitest';
import { STATUS_CODE } from '../../../../src/contracts/batch.js';
import { VigilError } from '../../../../src/errors.js';
import { MALFORMED_CODE, createDecodeStage, decodeRecords } from '../../../reference/decode/stage.js';
import type { InputRecord } from '../../../../src/pipeline/decode/index.js';
import {
  EVENT_ID,
  FakeLookup,
  INFERENCE_EVENT,
  LLM_INFERENCE_EVENT,
  MiB,
  NOW,
  avroString,
  encode,
  endpointOffset,
  headFields,
  heapGrowth,
  makeEvent,
  makeStage,
  rec,
  varint,
  wire,
} from './helpers.js';

/** Bytes from the status enum index to the end of INFERENCE_EVENT-shaped events (status, null llm, attributes). */
const INFERENCE_EVENT_TAIL = 1 + 1 + [...varint(2), ...avroString('tenant'), ...avroString('acme-bank'), ...avroString('abArm'), ...avroString('control'), 0].length;

describe('decodeRecords: valid events', () => {
  it('packs events into the right columns', async () => {
    const { stage } = makeStage();
    const a = makeEvent({ features: { income: 10, age: 30 }, score: 0.25, latencyMs: 5, status: 'OK', timestamp: NOW - 2 });
    const b = makeEvent({ features: { age: 40, tenure: 2 }, score: null, latencyMs: 7.5, status: 'TIMEOUT', timestamp: NOW - 1, endpoint: null, predictedClass: null });
    const result = await decodeRecords([rec(encode(a), 100), rec(encode(b), 101)], stage);
    expect(result.deadLetters).toEqual([]);
    expect(result.decoded).toBe(2);
    expect(result.batches).toHaveLength(1);
    const batch = result.batches[0]!;
    expect(batch.modelId).toBe('credit-risk');
    expect(batch.modelVersion).toBe('3.2.0');
    expect(batch.count).toBe(2);
    expect(batch.featureNames).toEqual(['income', 'age', 'tenure']);
    expect(batch.featureCount).toBe(3);
    // Column-major: feature f of row i at f * count + i; NaN where absent.
    expect([...batch.features]).toEqual([10, Number.NaN, 30, 40, Number.NaN, 2]);
    expect([...batch.scores]).toEqual([0.25, Number.NaN]);
    expect([...batch.latencies]).toEqual([5, 7.5]);
    expect([...batch.statuses]).toEqual([STATUS_CODE.OK, STATUS_CODE.TIMEOUT]);
    expect([...batch.timestamps]).toEqual([NOW - 2, NOW - 1]);
    expect(batch.eventIds).toEqual([a.eventId, b.eventId]);
    expect(batch.principals).toEqual([a.principal, b.principal]);
    expect(batch.endpoints).toEqual(['/v1/score', null]);
    expect(batch.predictedClasses).toEqual(['approve', null]);
    expect(batch.llm).toEqual([null, null]);
    expect(batch.attributes).toEqual([a.attributes, b.attributes]);
    expect(batch.source).toEqual({ topic: 'vigil.inference', partition: 0, firstOffset: '100', lastOffset: '101' });
  });

  it('carries the LLM trace through', async () => {
    const { stage } = makeStage();
    const result = await stage.decodeRecords([rec(encode(LLM_INFERENCE_EVENT), 0)]);
    expect(result.batches[0]!.llm).toEqual([LLM_INFERENCE_EVENT.llm]);
    expect(result.batches[0]!.statuses[0]).toBe(STATUS_CODE.FALLBACK);
  });

  it('groups by partition and model version, in order of first appearance', async () => {
    const { stage } = makeStage();
    const v2 = (offset: number, partition: number): InputRecord => rec(encode(makeEvent({ modelVersion: '4.0.0' })), offset, partition);
    const v3 = (offset: number, partition: number): InputRecord => rec(encode(makeEvent()), offset, partition);
    const result = await stage.decodeRecords([v3(10, 0), v2(11, 0), v3(5, 1), v3(12, 0), v2(6, 1)]);
    expect(result.batches.map((b) => [b.modelVersion, b.source.partition, b.source.firstOffset, b.source.lastOffset, b.count])).toEqual([
      ['3.2.0', 0, '10', '12', 2],
      ['4.0.0', 0, '11', '11', 1],
      ['3.2.0', 1, '5', '5', 1],
      ['4.0.0', 1, '6', '6', 1],
    ]);
  });

  it('keeps feature columns stable across batches: names are only appended', async () => {
    const { stage } = makeStage();
    const first = await stage.decodeRecords([rec(encode(makeEvent({ features: { a: 1, b: 2 } })), 0)]);
    const second = await stage.decodeRecords([rec(encode(makeEvent({ features: { c: 3, a: 4 } })), 1)]);
    expect(first.batches[0]!.featureNames).toEqual(['a', 'b']);
    expect(second.batches[0]!.featureNames).toEqual(['a', 'b', 'c']);
    expect([...second.batches[0]!.features]).toEqual([4, Number.NaN, 3]);
  });

  it('is deterministic: the same input through fresh stages gives the same output', async () => {
    const records = [rec(encode(makeEvent()), 0), rec(Buffer.from([1, 2]), 1), rec(encode(LLM_INFERENCE_EVENT), 2), rec(encode(makeEvent({ modelId: '' })), 3)];
    const one = await makeStage().stage.decodeRecords(records);
    const two = await makeStage().stage.decodeRecords(records);
    expect(two).toEqual(one);
  });
});

describe('decodeRecords: bad input is dead-lettered, the rest of the batch goes on', () => {
  it('gives every kind of bad record its code and keeps the good ones', async () => {
    const { stage } = makeStage();
    const good = [makeEvent(), makeEvent(), makeEvent()];
    const body = encode(INFERENCE_EVENT);
    const enumBad = encode(makeEvent({ status: 'OK' }));
    enumBad[enumBad.length - INFERENCE_EVENT_TAIL] = varint(4)[0]!; // status index 4 of 4 symbols
    const unionBad = Buffer.from(body);
    unionBad[endpointOffset(INFERENCE_EVENT)] = varint(2)[0]!; // endpoint union has branches 0 and 1
    const records: InputRecord[] = [
      rec(encode(good[0]!), 0),
      rec(Buffer.concat([Buffer.from([1]), body.subarray(1)]), 1), // wrong magic
      rec(Buffer.from([0, 0, 0]), 2), // short
      rec(null, 3), // tombstone
      rec(encode(makeEvent(), 999), 4), // unknown schema id
      rec(body.subarray(0, body.length - 3), 5), // truncated
      rec(Buffer.concat([body, Buffer.from([0])]), 6), // trailing
      rec(wire([...headFields(), ...varint(2 ** 31)]), 7), // 2^31 map entries
      rec(wire([...varint(2 ** 31), 1, 2]), 8), // 2 GB eventId
      rec(enumBad, 9),
      rec(unionBad, 10),
      rec(encode(good[1]!), 11),
      rec(encode(makeEvent({ modelId: '' })), 12),
      rec(encode(makeEvent({ timestamp: NOW + 3_600_000 })), 13),
      rec(encode(makeEvent({ features: { age: Number.NaN } })), 14),
      rec(encode(good[0]!), 15), // duplicate of record 0
      rec(encode(good[2]!), 16),
    ];
    const result = await stage.decodeRecords(records);
    expect(result.deadLetters.map((d) => [d.index, d.code])).toEqual([
      [1, 'VIGIL_DECODE_MAGIC'],
      [2, 'VIGIL_DECODE_SHORT'],
      [3, 'VIGIL_DECODE_SHORT'],
      [4, 'VIGIL_DECODE_UNKNOWN_SCHEMA'],
      [5, 'VIGIL_DECODE_TRUNCATED'],
      [6, 'VIGIL_DECODE_TRAILING'],
      [7, 'VIGIL_DECODE_OVERSIZED'],
      [8, 'VIGIL_DECODE_OVERSIZED'],
      [9, MALFORMED_CODE],
      [10, MALFORMED_CODE],
      [12, 'VIGIL_EVENT_INVALID'],
      [13, 'VIGIL_EVENT_INVALID'],
      [14, 'VIGIL_EVENT_INVALID'],
      [15, 'VIGIL_EVENT_DUPLICATE'],
    ]);
    const messages = new Map(result.deadLetters.map((d) => [d.index, d.message]));
    expect(messages.get(3)).toBe('empty value');
    expect(messages.get(9)).toMatch(/InferenceEvent\.status: enum index 4 out of range/);
    expect(messages.get(10)).toMatch(/InferenceEvent\.endpoint: union branch index 2 out of range/);
    expect(messages.get(14)).toBe('features.age is NaN');
    expect(result.decoded).toBe(3);
    expect(result.batches.flatMap((b) => b.eventIds)).toEqual(good.map((e) => e.eventId));
    expect(result.batches[0]!.source).toEqual({ topic: 'vigil.inference', partition: 0, firstOffset: '0', lastOffset: '16' });
  });

  it('reports TRUNCATED for every cut point of a real event, SHORT inside the header', async () => {
    const { stage } = makeStage();
    for (const event of [INFERENCE_EVENT, LLM_INFERENCE_EVENT]) {
      const value = encode(event);
      const records = Array.from({ length: value.length }, (_, cut) => rec(value.subarray(0, cut), cut));
      const result = await stage.decodeRecords(records);
      expect(result.decoded).toBe(0);
      const codes = result.deadLetters.map((d) => d.code);
      expect(codes.slice(0, 5)).toEqual(new Array(5).fill('VIGIL_DECODE_SHORT'));
      expect(new Set(codes.slice(5))).toEqual(new Set(['VIGIL_DECODE_TRUNCATED']));
      expect(codes).toHaveLength(value.length);
    }
  });

  it('rejects hostile size claims quickly and without large allocation', async () => {
    const { stage } = makeStage();
    const hostile: InputRecord[] = [];
    for (let i = 0; i < 200; i++) {
      hostile.push(rec(wire([...headFields(), ...varint(2 ** 31 - i)]), 2 * i)); // features map
      hostile.push(rec(wire([...avroString('e'), ...varint(NOW), ...avroString('m'), ...avroString('v'), ...varint(1), ...varint(2 ** 31)]), 2 * i + 1)); // 2 GB endpoint
    }
    // An embedding of 2^31 floats, after an otherwise valid head.
    hostile.push(rec(wire([...headFields(), 0, 0, ...varint(1), ...varint(2 ** 31)]), 400));
    const started = performance.now();
    let codes: string[] = [];
    const growth = await heapGrowth(async () => {
      codes = (await stage.decodeRecords(hostile)).deadLetters.map((d) => d.code);
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(growth).toBeLessThan(8 * MiB);
    expect(new Set(codes)).toEqual(new Set(['VIGIL_DECODE_OVERSIZED']));
    expect(codes).toHaveLength(hostile.length);
  });

  it('dead-letters records over the record size limit', async () => {
    const { stage } = makeStage({ limits: { maxRecordBytes: 200 } });
    const result = await stage.decodeRecords([rec(encode(LLM_INFERENCE_EVENT), 0), rec(encode(makeEvent({ features: {}, categorical: {}, attributes: {}, classProbabilities: null, embedding: null })), 1)]);
    expect(result.deadLetters.map((d) => [d.index, d.code])).toEqual([[0, 'VIGIL_DECODE_OVERSIZED']]);
  });

  it('dead-letters an event that would pass the feature cap, without growing the index', async () => {
    const { stage } = makeStage({ maxFeaturesPerModel: 3 });
    const ok = makeEvent({ features: { a: 1, b: 2 } });
    const tooWide = makeEvent({ features: { a: 1, c: 2, d: 3 } });
    const result = await stage.decodeRecords([rec(encode(ok), 0), rec(encode(tooWide), 1), rec(encode(makeEvent({ features: { c: 5 } })), 2)]);
    expect(result.deadLetters).toEqual([{ index: 1, code: 'VIGIL_DECODE_OVERSIZED', message: 'credit-risk@3.2.0 would have 4 features, over the limit of 3' }]);
    expect(result.batches[0]!.featureNames).toEqual(['a', 'b', 'c']);
    // The rejected event was not remembered: sent again within the cap, it is not a duplicate.
    const again = await stage.decodeRecords([rec(encode({ ...tooWide, features: { a: 1 } }), 3)]);
    expect(again.deadLetters).toEqual([]);
  });

  it('caps the number of tracked model versions', async () => {
    const { stage } = makeStage({ maxModelVersions: 2 });
    const result = await stage.decodeRecords(['1', '2', '3', '1'].map((v, i) => rec(encode(makeEvent({ modelVersion: v })), i)));
    expect(result.deadLetters.map((d) => [d.index, d.code])).toEqual([[2, 'VIGIL_DECODE_OVERSIZED']]);
  });

  it('splits a group whose feature matrix would pass maxBatchCells', async () => {
    const { stage } = makeStage({ maxBatchCells: 8 });
    const records = Array.from({ length: 5 }, (_, i) => rec(encode(makeEvent({ features: { a: i, b: i, c: i, d: i } })), 10 + i));
    const result = await stage.decodeRecords(records);
    expect(result.batches.map((b) => [b.count, b.source.firstOffset, b.source.lastOffset])).toEqual([
      [2, '10', '11'],
      [2, '12', '13'],
      [1, '14', '14'],
    ]);
    expect([...result.batches[2]!.features]).toEqual([4, 4, 4, 4]);
  });
});

describe('decodeRecords: duplicates', () => {
  it('dead-letters a repeated eventId within and across batches', async () => {
    const { stage } = makeStage();
    const event = makeEvent();
    const first = await stage.decodeRecords([rec(encode(event), 0), rec(encode(event), 1)]);
    expect(first.deadLetters.map((d) => [d.index, d.code])).toEqual([[1, 'VIGIL_EVENT_DUPLICATE']]);
    const second = await stage.decodeRecords([rec(encode(event), 7)]);
    expect(second.deadLetters.map((d) => d.code)).toEqual(['VIGIL_EVENT_DUPLICATE']);
  });

  it('processes a re-read of the same offset again (an aborted transaction), not as a duplicate', async () => {
    const { stage } = makeStage();
    const records = [rec(encode(makeEvent()), 40), rec(encode(makeEvent()), 41)];
    const first = await stage.decodeRecords(records);
    const replay = await stage.decodeRecords(records);
    expect(replay).toEqual(first);
    expect(replay.decoded).toBe(2);
  });

  it('scopes eventIds per model by default, globally on request', async () => {
    const id = 'shared-id';
    const records = [rec(encode(makeEvent({ eventId: id })), 0), rec(encode(makeEvent({ eventId: id, modelId: 'other' })), 1)];
    expect((await makeStage().stage.decodeRecords(records)).deadLetters).toEqual([]);
    const global = await makeStage({ dedup: { scope: 'global' } }).stage.decodeRecords(records);
    expect(global.deadLetters.map((d) => d.code)).toEqual(['VIGIL_EVENT_DUPLICATE']);
  });

  it('forgets the oldest ids beyond the capacity', async () => {
    const { stage } = makeStage({ dedup: { capacity: 2 } });
    const [a, b, c] = [makeEvent(), makeEvent(), makeEvent()];
    await stage.decodeRecords([rec(encode(a), 0), rec(encode(b), 1), rec(encode(c), 2)]);
    expect(stage.dedup.size).toBe(2);
    const result = await stage.decodeRecords([rec(encode(a), 3), rec(encode(c), 4)]);
    expect(result.deadLetters.map((d) => [d.index, d.code])).toEqual([[1, 'VIGIL_EVENT_DUPLICATE']]);
  });
});

describe('decodeRecords: the registry', () => {
  it('looks up each new id once per batch, and not again once loaded', async () => {
    const lookup = new FakeLookup();
    const stage = createDecodeStage({ lookup, now: () => NOW });
    const records = Array.from({ length: 20 }, (_, i) => rec(encode(makeEvent()), i));
    await stage.decodeRecords(records);
    await stage.decodeRecords(Array.from({ length: 20 }, (_, i) => rec(encode(makeEvent()), 20 + i)));
    expect(lookup.calls).toEqual([EVENT_ID]);
  });

  it('rejects the whole batch, before any state change, when the registry is down for a new id', async () => {
    const { stage, lookup } = makeStage();
    lookup.outage = new VigilError('VIGIL_REGISTRY_UNAVAILABLE', 'registry down');
    lookup.schemas.delete(EVENT_ID);
    const records = [rec(encode(makeEvent()), 0)];
    await expect(stage.decodeRecords(records)).rejects.toMatchObject({ code: 'VIGIL_REGISTRY_UNAVAILABLE', retriable: true });
    expect([stage.dedup.size, stage.catalog.versionCount]).toEqual([0, 0]);
  });
});
