/** A reference keeps the optional columns of its rows, through snapshots and restores. */
import { describe, expect, it } from 'vitest';
import type { ColumnarBatch } from '../../../../src/contracts/batch.js';
import { VigilError } from '../../../../src/errors.js';
import { optionalFromJson, optionalToJson } from '../../../../src/pipeline/window/optional-codec.js';
import { ReferenceBuilder } from '../../../../src/pipeline/window/reference.js';
import { decodeWindowState, encodeWindowState } from '../../../../src/pipeline/window/snapshot.js';

function batch(start: number, n: number, withOptional: boolean): ColumnarBatch {
  const rows = Array.from({ length: n }, (_, i) => start + i);
  return {
    count: n,
    featureCount: 1,
    features: Float64Array.from(rows),
    scores: new Float64Array(n),
    latencies: new Float64Array(n),
    statuses: new Uint8Array(n),
    timestamps: Float64Array.from(rows, (r) => 1_000 + r),
    ...(withOptional
      ? {
          categorical: { names: ['tier'], codes: Int32Array.from(rows, (r) => r % 2), dictionaries: [['a', 'b']] },
          embedding: { dim: 2, values: Float32Array.from(rows.flatMap((r) => [r, r / 2])), present: new Uint8Array(n).fill(1) },
          llm: rows.map((r) => ({ prompt: null, response: `answer ${r}`, contexts: [], tokenLogprobs: [-r, NaN], responseEmbedding: null, contextEmbedding: null, samples: [], inputTokens: 0, outputTokens: 2 })),
        }
      : {}),
    modelId: 'm',
    modelVersion: '1',
    featureNames: ['x'],
    eventIds: rows.map((r) => `e${r}`),
    offsets: rows.map(String),
    source: { topic: 't', partition: 0, firstOffset: String(start), lastOffset: String(start + n - 1) },
  };
}

describe('reference with optional columns', () => {
  it('collects them across batches, rows without them absent, and keeps them through a snapshot', () => {
    const builder = new ReferenceBuilder(6);
    builder.add(batch(0, 2, false), 0, 2);
    builder.add(batch(2, 5, true), 0, 5);
    expect(builder.full).toBe(true);
    const columns = builder.columns(1);
    expect(columns.count).toBe(6);
    const cat = columns.optional!.categorical!;
    expect([...cat.codes].map((c) => (c < 0 ? null : cat.dictionaries[0]![c]))).toEqual([null, null, 'a', 'b', 'a', 'b']);
    expect([...columns.optional!.embedding!.present]).toEqual([0, 0, 1, 1, 1, 1]);
    expect(columns.optional!.llm!.map((t) => t?.response ?? null)).toEqual([null, null, 'answer 2', 'answer 3', 'answer 4', 'answer 5']);

    const image = { modelId: 'm', modelVersion: '1', featureNames: ['x'], reference: { phase: 'ready' as const, target: 6, featureNames: ['x'], columns }, origin: null, nextStart: null, nextIndex: 0, open: null };
    const bytes = encodeWindowState(image);
    expect(encodeWindowState(image)).toEqual(bytes);
    const restored = decodeWindowState(bytes, { modelId: 'm', modelVersion: '1' }).reference.columns;
    expect(restored.optional!.categorical).toEqual(columns.optional!.categorical);
    expect(restored.optional!.embedding).toEqual(columns.optional!.embedding);
    // NaN in a trace survives as NaN.
    expect(restored.optional!.llm![3]!.tokenLogprobs).toEqual([-3, NaN]);

    const again = new ReferenceBuilder(6, restored).build(['x']);
    expect(again.referenceId).toBe(builder.build(['x']).referenceId);
  });

  it('a numeric reference has no optional part and keeps its id', () => {
    const a = new ReferenceBuilder(2);
    a.add(batch(0, 2, false), 0, 2);
    expect(a.columns(1).optional).toBeUndefined();
  });

  it('rejects corrupt optional columns, naming the field', () => {
    const good = optionalToJson({ categorical: { names: ['k'], codes: Int32Array.from([0, 1]), dictionaries: [['a', 'b']] } });
    const corrupt = (why: string) => new VigilError('VIGIL_INPUT_INVALID', why);
    expect(() => optionalFromJson(good, 3, corrupt)).toThrow(/optional.categorical.codes holds 8 bytes, expected 12/);
    const badCode = optionalToJson({ categorical: { names: ['k'], codes: Int32Array.from([0, 5]), dictionaries: [['a', 'b']] } });
    expect(() => optionalFromJson(badCode, 2, corrupt)).toThrow(/code 5 outside dictionary 0/);
    expect(() => optionalFromJson({ embedding: { dim: 1e9, values: '', present: '' } }, 1, corrupt)).toThrow(/embedding.dim/);
    expect(() => optionalFromJson({ llm: [{ response: 7 }] }, 1, corrupt)).toThrow(/llm\[0\].response is not a string/);
    expect(() => optionalFromJson([], 1, corrupt)).toThrow(/is not an object/);
  });
});
