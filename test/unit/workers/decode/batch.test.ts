/**
 * decodeBatch in this thread: every kind of broken record fails with its code and message, in input
 * order, and the good records around it are packed into their groups.
 */
import { describe, expect, it } from 'vitest';
import { decodeBatch, readerFor } from '../../../../workers/decode/batch.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { EVENT_ID, encode, makeEvent } from '../../pipeline/decode/helpers.js';
import { batchTask } from './helpers.js';

function run(values: readonly (Uint8Array | null)[], schemas?: Record<number, string>) {
  return decodeBatch(batchTask(values, schemas === undefined ? {} : { schemas }));
}

describe('decodeBatch', () => {
  it('reports each broken record with its code and message and packs the good ones around it', () => {
    const good = (id: string) => encode(makeEvent({ eventId: id, features: { a: 1, b: 2 } }));
    const body = encode(makeEvent({ features: { a: 1 } }));
    const { groups, failures } = run([
      good('g0'),
      null,
      Uint8Array.of(0, 0, 0),
      Uint8Array.of(1, 0, 0, 0, EVENT_ID, 0),
      encode(makeEvent(), 99),
      encode(makeEvent(), 98),
      body.subarray(0, body.length - 3),
      encode(makeEvent({ features: { a: 1, b: Number.NaN } })),
      good('g1'),
    ]);
    expect(failures.map((f) => [f.index, f.code])).toEqual([
      [1, 'VIGIL_DECODE_SHORT'],
      [2, 'VIGIL_DECODE_SHORT'],
      [3, 'VIGIL_DECODE_MAGIC'],
      [4, 'VIGIL_DECODE_UNKNOWN_SCHEMA'],
      [5, 'VIGIL_DECODE_UNKNOWN_SCHEMA'],
      [6, 'VIGIL_DECODE_TRUNCATED'],
      [7, 'VIGIL_EVENT_INVALID'],
    ]);
    expect(failures[4]!.message).toBe('schema id 98 could not be loaded');
    expect(failures[5]!.message).toMatch(/^dev\.vigil\.InferenceEvent\.attributes\{\}: string of 7 bytes at byte \d+ runs past the end of the record/);
    expect(failures[6]!.message).toBe('features.b is NaN');
    expect(groups).toHaveLength(1);
    expect([...groups[0]!.rows]).toEqual([0, 8]);
    expect(groups[0]!.eventIds).toEqual(['g0', 'g1']);
    expect([...groups[0]!.features]).toEqual([1, 1, 2, 2]);
  });

  it('packs two interleaved models whose key orders and counts change mid-group as their events say', () => {
    const orders = [['a', 'b', 'c'], ['a', 'b', 'c'], ['c', 'a', 'b'], ['a', 'b'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c']];
    const events = Array.from({ length: 40 }, (_, i) => {
      const keys = i < 10 ? orders[0]! : orders[(i * 7) % orders.length]!;
      return makeEvent({ eventId: `e${i}`, modelId: i % 2 === 0 ? 'even' : 'odd', features: Object.fromEntries(keys.map((k, f) => [k, i * 10 + f])) });
    });
    const { groups, failures } = run(events.map((e) => encode(e)));
    expect(failures).toEqual([]);
    for (const [g, model] of [
      [groups[0]!, 'even'],
      [groups[1]!, 'odd'],
    ] as const) {
      const rows = events.flatMap((e, i) => (e.modelId === model ? [i] : []));
      expect([...g.rows]).toEqual(rows);
      const names = [...new Set(rows.flatMap((i) => Object.keys(events[i]!.features)))];
      expect(g.featureNames).toEqual(names);
      const want = names.flatMap((name) => rows.map((i) => events[i]!.features[name] ?? 'NaN'));
      expect([...g.features].map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(want);
    }
  });

  it('reads values where `ends` says they lie among other bytes, as it reads them back to back', () => {
    const values = [encode(makeEvent({ eventId: 'x0' })), null, Uint8Array.of(1, 0, 0, 0, EVENT_ID, 0), encode(makeEvent({ eventId: 'x3' }))];
    const packed = batchTask(values);
    // The same values with 3 bytes of something else before each (as records lie in a record batch).
    const bytes = new Uint8Array(packed.bytes.length + 3 * values.length).fill(0xab);
    const bounds = new Uint32Array(values.length + 1);
    const ends = new Uint32Array(values.length);
    let at = 0;
    values.forEach((v, i) => {
      at += 3;
      bounds[i] = at;
      if (v !== null) bytes.set(v, at);
      at += v?.length ?? 0;
      ends[i] = at;
    });
    bounds[values.length] = at;
    const spread = decodeBatch({ ...packed, bytes, bounds, ends });
    const backToBack = decodeBatch(batchTask(values));
    expect(spread.failures).toEqual(backToBack.failures);
    expect(spread.groups.map((g) => [g.eventIds, [...g.rows], [...g.features]])).toEqual(backToBack.groups.map((g) => [g.eventIds, [...g.rows], [...g.features]]));
    expect(spread.groups[0]!.eventIds).toEqual(['x0', 'x3']);
  });

  it('fails a record whose bounds leave the task\'s bytes, and refuses ends that do not match the records', () => {
    const task = batchTask([encode(makeEvent({ eventId: 'y0' })), encode(makeEvent({ eventId: 'y1' }))]);
    const ends = Uint32Array.of(task.bounds[1]!, task.bytes.length + 10);
    const { failures, groups } = decodeBatch({ ...task, ends });
    expect(failures).toEqual([{ index: 1, code: 'VIGIL_DECODE_SHORT', message: `record bounds ${task.bounds[1]}..${task.bytes.length + 10} are outside the task's ${task.bytes.length} bytes` }]);
    expect(groups[0]!.eventIds).toEqual(['y0']);
    expect(() => decodeBatch({ ...task, ends: Uint32Array.of(1) })).toThrow('decodeBatch: 1 record ends for 2 records');
  });

  it('fails every record of a writer schema it cannot read, with the reason', () => {
    const { groups, failures } = run([encode(makeEvent()), encode(makeEvent())], { [EVENT_ID]: '{"type": "string"}' });
    expect(groups).toEqual([]);
    expect(failures.map((f) => f.code)).toEqual(['VIGIL_DECODE_SCHEMA_MISMATCH', 'VIGIL_DECODE_SCHEMA_MISMATCH']);
    expect(failures[1]!.message).toMatch(/^the writer schema cannot be read as an InferenceEvent: /);
  });

  it('compiles one reader for every text of one writer schema, and its own for another schema', () => {
    const limits = batchTask([]).limits;
    const pretty = schemaSource('InferenceEvent');
    const compact = JSON.stringify(JSON.parse(pretty));
    expect(compact).not.toBe(pretty);
    const reader = readerFor(limits, pretty);
    expect(readerFor(limits, compact)).toBe(reader);
    expect(readerFor(limits, pretty)).toBe(reader);
    // Another schema (a field less) is read by another reader, and a text that is no schema gets a broken one.
    const fewer = JSON.parse(pretty) as { fields: { name: string }[] };
    fewer.fields = fewer.fields.filter((f) => f.name !== 'endpoint');
    expect(readerFor(limits, JSON.stringify(fewer))).not.toBe(reader);
    expect(readerFor(limits, 'not json')).not.toBe(reader);
    // Records read through either text decode alike.
    const values = [encode(makeEvent({ eventId: 'p', features: { a: 1 } })), encode(makeEvent({ eventId: 'q', features: { a: 2 } }))];
    const viaPretty = run(values, { [EVENT_ID]: pretty });
    const viaCompact = run(values, { [EVENT_ID]: compact });
    expect(viaCompact.failures).toEqual([]);
    expect(viaCompact.groups[0]!.eventIds).toEqual(viaPretty.groups[0]!.eventIds);
    expect([...viaCompact.groups[0]!.features]).toEqual([...viaPretty.groups[0]!.features]);
  });
});
