/**
 * The optional columns a decoded batch carries beside its numeric matrix: categorical features,
 * input embedding, predicted class, class probabilities and LLM traces, packed in the pool thread.
 */
import { describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../../../src/contracts/records.js';
import { decodeBatch, resultBuffers } from '../../../../workers/decode/batch.js';
import { LLM_INFERENCE_EVENT, encode, makeEvent } from '../../pipeline/decode/helpers.js';
import { batchTask } from './helpers.js';

function run(events: readonly InferenceEvent[], maxBatchCells?: number) {
  return decodeBatch(batchTask(events.map((e) => encode(e)), maxBatchCells === undefined ? {} : { maxBatchCells }));
}

describe('decodeBatch: optional columns', () => {
  it('leaves every optional column out of a numeric-only batch', () => {
    const { groups, failures } = run([makeEvent({ categorical: {}, embedding: null, predictedClass: null, classProbabilities: null, llm: null })]);
    expect(failures).toEqual([]);
    const g = groups[0]!;
    expect(g.categorical).toBeUndefined();
    expect(g.embedding).toBeUndefined();
    expect(g.predicted).toBeUndefined();
    expect(g.classProbabilities).toBeUndefined();
    expect(g.llm).toBeUndefined();
  });

  it('packs categorical features column-major with a dictionary per feature, -1 where absent', () => {
    const { groups } = run([
      makeEvent({ categorical: { region: 'north', plan: 'gold' } }),
      makeEvent({ categorical: { region: 'south' } }),
      makeEvent({ categorical: { plan: 'gold', region: 'north' } }),
    ]);
    const c = groups[0]!.categorical!;
    expect(c.names).toEqual(['region', 'plan']);
    const decode = (f: number) => [...c.codes.subarray(f * 3, f * 3 + 3)].map((code) => (code < 0 ? null : c.dictionaries[f]![code]));
    expect(decode(0)).toEqual(['north', 'south', 'north']);
    expect(decode(1)).toEqual(['gold', null, 'gold']);
  });

  it('packs embeddings row-major; a missing or other-dimension vector is absent (NaN, present 0)', () => {
    const { groups } = run([
      makeEvent({ embedding: [1, 2, 3] }),
      makeEvent({ embedding: null }),
      makeEvent({ embedding: [4, 5] }),
      makeEvent({ embedding: [0.5, -1, 7] }),
    ]);
    const e = groups[0]!.embedding!;
    expect(e.dim).toBe(3);
    expect([...e.present]).toEqual([1, 0, 0, 1]);
    expect([...e.values.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(e.values.subarray(3, 9).every(Number.isNaN)).toBe(true);
    expect([...e.values.subarray(9, 12)]).toEqual([0.5, -1, 7]);
  });

  it('codes predicted classes and lays class probabilities out per class', () => {
    const { groups } = run([
      makeEvent({ predictedClass: 'approve', classProbabilities: { approve: 0.8, deny: 0.2 } }),
      makeEvent({ predictedClass: null, classProbabilities: null }),
      makeEvent({ predictedClass: 'deny', classProbabilities: { deny: 0.9, approve: 0.1 } }),
    ]);
    const g = groups[0]!;
    expect([...g.predicted!.codes].map((c) => (c < 0 ? null : g.predicted!.values[c]))).toEqual(['approve', null, 'deny']);
    const p = g.classProbabilities!;
    expect(p.classes).toEqual(['approve', 'deny']);
    expect([...p.values.subarray(0, 3)]).toEqual([0.8, Number.NaN, 0.1]);
    expect([...p.values.subarray(3, 6)]).toEqual([0.2, Number.NaN, 0.9]);
  });

  it('keeps LLM traces per row, null where an event has none', () => {
    const { groups } = run([makeEvent({ llm: LLM_INFERENCE_EVENT.llm, eventId: 'a' }), makeEvent({ eventId: 'b', llm: null })]);
    const llm = groups[0]!.llm!;
    expect(llm).toHaveLength(2);
    expect(llm[0]!.response).toBe(LLM_INFERENCE_EVENT.llm!.response);
    expect(llm[0]!.contexts).toEqual(LLM_INFERENCE_EVENT.llm!.contexts);
    expect(llm[1]).toBeNull();
  });

  it('gives a chunk only the columns its own rows carry when the first rows of a version lack them', () => {
    const none = { predictedClass: null, llm: null, embedding: null };
    const events = [
      makeEvent({ ...none, features: { a: 1 } }),
      makeEvent({ ...none, features: { a: 2 } }),
      makeEvent({ ...none, features: { a: 3 } }),
      makeEvent({ ...none, features: { a: 4 }, predictedClass: 'x', llm: LLM_INFERENCE_EVENT.llm, embedding: [1, 2] }),
      makeEvent({ ...none, features: { a: 5 } }),
      makeEvent({ ...none, features: { a: 6 }, predictedClass: 'y' }),
    ];
    const groups = run(events, 2).groups;
    expect(groups.map((g) => [...g.features])).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(groups[0]!.predicted).toBeUndefined();
    expect(groups[0]!.llm).toBeUndefined();
    expect(groups[0]!.embedding).toBeUndefined();
    expect(groups[1]!.predicted).toEqual({ codes: Int32Array.of(-1, 0), values: ['x'] });
    expect(groups[1]!.llm?.map((t) => t?.response ?? null)).toEqual([null, LLM_INFERENCE_EVENT.llm!.response]);
    expect([...groups[1]!.embedding!.present]).toEqual([0, 1]);
    expect(groups[2]!.predicted).toEqual({ codes: Int32Array.of(-1, 0), values: ['y'] });
    expect(groups[2]!.llm).toBeUndefined();
    expect(groups[2]!.embedding).toBeUndefined();
  });

  it('splits optional columns with the chunks a cell limit makes, row for row', () => {
    const events = Array.from({ length: 10 }, (_, i) => makeEvent({ eventId: `e${i}`, categorical: { k: `v${i % 3}` }, embedding: [i, -i] }));
    const { groups } = run(events, 12);
    expect(groups.length).toBeGreaterThan(1);
    let row = 0;
    for (const g of groups) {
      const n = g.rows.length;
      expect(g.categorical!.codes).toHaveLength(n);
      for (let i = 0; i < n; i++, row++) {
        expect(g.categorical!.dictionaries[0]![g.categorical!.codes[i]!]).toBe(`v${row % 3}`);
        expect([...g.embedding!.values.subarray(i * 2, i * 2 + 2)]).toEqual([row, -row]);
      }
    }
    expect(row).toBe(10);
  });

  it('lists the optional columns buffers for transfer, each once', () => {
    const result = run([makeEvent({ categorical: { a: 'x' }, embedding: [1], predictedClass: 'p', classProbabilities: { p: 1 } })]);
    const buffers = resultBuffers(result);
    const g = result.groups[0]!;
    for (const view of [g.categorical!.codes, g.embedding!.values, g.embedding!.present, g.predicted!.codes, g.classProbabilities!.values]) {
      expect(buffers).toContain(view.buffer);
    }
    expect(new Set(buffers).size).toBe(buffers.length);
  });
});
