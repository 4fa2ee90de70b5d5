import { describe, expect, it } from 'vitest';
import type { LlmTrace } from '../../../../src/contracts/records.js';
import { assertOptional, concatOptional, optionalBuffers, pickOptional, sliceOptional, type OptionalColumns } from '../../../../workers/detectors/optional.js';

const TRACE: LlmTrace = { prompt: 'q', response: 'a', contexts: ['c'], tokenLogprobs: [-0.1], responseEmbedding: null, contextEmbedding: null, samples: [], inputTokens: 1, outputTokens: 1 };

/** Three rows: categorical color (red, -, blue), embedding dim 2, predicted, probabilities, labels, llm. */
function sample(): OptionalColumns {
  return {
    categorical: { names: ['color'], codes: Int32Array.from([0, -1, 1]), dictionaries: [['red', 'blue']] },
    embedding: { dim: 2, values: Float32Array.from([1, 2, NaN, NaN, 5, 6]), present: Uint8Array.from([1, 0, 1]) },
    predicted: { codes: Int32Array.from([1, 0, -1]), values: ['no', 'yes'] },
    classProbabilities: { classes: ['yes', 'no'], values: Float64Array.from([0.9, 0.2, NaN, 0.1, 0.8, NaN]) },
    labels: { numeric: Float64Array.from([1, NaN, 0]), classes: { codes: Int32Array.from([-1, 0, -1]), values: ['yes'] } },
    llm: [TRACE, null, TRACE],
  };
}

const strings = (codes: Int32Array, values: readonly string[]) => [...codes].map((c) => (c < 0 ? null : values[c]));

describe('optional columns', () => {
  it('picks rows in any order, every column alike', () => {
    const out = pickOptional(sample(), 3, [2, 0]);
    expect(strings(out.categorical!.codes, out.categorical!.dictionaries[0]!)).toEqual(['blue', 'red']);
    expect([...out.embedding!.values]).toEqual([5, 6, 1, 2]);
    expect([...out.embedding!.present]).toEqual([1, 1]);
    expect(strings(out.predicted!.codes, out.predicted!.values)).toEqual([null, 'yes']);
    expect([...out.classProbabilities!.values]).toEqual([NaN, 0.9, NaN, 0.1]);
    expect([...out.labels!.numeric]).toEqual([0, 1]);
    expect(out.llm).toEqual([TRACE, TRACE]);
    assertOptional(out, 2, 'test');
  });

  it('slices a range and leaves the source untouched', () => {
    const src = sample();
    const out = sliceOptional(src, 3, 1, 3);
    expect([...out.embedding!.present]).toEqual([0, 1]);
    expect(out.llm).toEqual([null, TRACE]);
    expect([...src.categorical!.codes]).toEqual([0, -1, 1]);
  });

  it('concatenates batches over the union of names, dictionaries and classes', () => {
    const a: OptionalColumns = { categorical: { names: ['color'], codes: Int32Array.from([0]), dictionaries: [['red']] }, predicted: { codes: Int32Array.from([0]), values: ['yes'] } };
    const b: OptionalColumns = {
      categorical: { names: ['size', 'color'], codes: Int32Array.from([0, 0, 1, 0]), dictionaries: [['xl'], ['blue', 'red']] },
      classProbabilities: { classes: ['yes'], values: Float64Array.from([0.5, 0.7]) },
      embedding: { dim: 1, values: Float32Array.from([3, 4]), present: Uint8Array.from([1, 1]) },
    };
    const c: OptionalColumns = { embedding: { dim: 2, values: Float32Array.from([1, 1]), present: Uint8Array.from([1]) }, llm: [TRACE] };
    const out = concatOptional([{ columns: a, count: 1 }, { columns: b, count: 2 }, { columns: c, count: 1 }]);
    const cat = out.categorical!;
    expect(cat.names).toEqual(['color', 'size']);
    expect(strings(cat.codes.subarray(0, 4), cat.dictionaries[0]!)).toEqual(['red', 'red', 'blue', null]);
    expect(strings(cat.codes.subarray(4, 8), cat.dictionaries[1]!)).toEqual([null, 'xl', 'xl', null]);
    expect(strings(out.predicted!.codes, out.predicted!.values)).toEqual(['yes', null, null, null]);
    expect([...out.classProbabilities!.values]).toEqual([NaN, 0.5, 0.7, NaN]);
    // The first dimension seen wins; a vector of another dimension is absent.
    expect(out.embedding!.dim).toBe(1);
    expect([...out.embedding!.present]).toEqual([0, 1, 1, 0]);
    expect(out.llm).toEqual([null, null, null, TRACE]);
    expect(out.labels).toBeUndefined();
    assertOptional(out, 4, 'test');
  });

  it('concatenating nothing optional gives nothing', () => {
    expect(concatOptional([{ columns: {}, count: 5 }])).toEqual({});
  });

  it('refuses columns whose lengths do not match the row count, naming the column', () => {
    expect(() => assertOptional(sample(), 4, 'summarize')).toThrow(/summarize: categorical.codes/);
    expect(() => assertOptional({ embedding: { dim: 2, values: new Float32Array(3), present: new Uint8Array(2) } }, 2, 'x')).toThrow(/embedding.values/);
    expect(() => assertOptional({ llm: [null] }, 2, 'x')).toThrow(/llm must be an array of 2/);
    expect(() => assertOptional({ labels: { numeric: new Float64Array(2), classes: { codes: new Int32Array(1), values: [] } } }, 2, 'x')).toThrow(/labels.classes.codes/);
  });

  it('lists each transferable buffer', () => {
    expect(optionalBuffers(sample())).toHaveLength(7);
  });
});
