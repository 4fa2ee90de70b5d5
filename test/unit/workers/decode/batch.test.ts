/**
 * decodeBatch in this thread: every kind of broken record fails with its code and message, in input
 * order, and the good records around it are packed into their groups.
 */
import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../../../../workers/decode/batch.js';
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

  it('fails every record of a writer schema it cannot read, with the reason', () => {
    const { groups, failures } = run([encode(makeEvent()), encode(makeEvent())], { [EVENT_ID]: '{"type": "string"}' });
    expect(groups).toEqual([]);
    expect(failures.map((f) => f.code)).toEqual(['VIGIL_DECODE_SCHEMA_MISMATCH', 'VIGIL_DECODE_SCHEMA_MISMATCH']);
    expect(failures[1]!.message).toMatch(/^the writer schema cannot be read as an InferenceEvent: /);
  });
});
