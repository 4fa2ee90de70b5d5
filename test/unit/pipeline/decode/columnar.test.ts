import { describe, it, expect } from 'vitest';
import { BatchBuilder } from '../../../reference/decode/batch-builder.js';
import { FeatureCatalog, FeatureIndex } from '../../../../src/pipeline/decode/columnar.js';
import { DedupWindow } from '../../../../src/pipeline/decode/dedup.js';
import { makeEvent } from './helpers.js';

const AT = { topic: 't', partition: 0, offset: '1' };

describe('FeatureIndex', () => {
  it('numbers names in order of first appearance and only appends', () => {
    const index = new FeatureIndex(10);
    expect(index.admit({ b: 1, a: 2 }, 256, 'm@1')).toBeUndefined();
    expect(index.admit({ c: 1, a: 2 }, 256, 'm@1')).toBeUndefined();
    expect(index.names()).toEqual(['b', 'a', 'c']);
    expect([index.columnOf('b'), index.columnOf('a'), index.columnOf('c'), index.columnOf('z')]).toEqual([0, 1, 2, undefined]);
  });

  it('shares one frozen snapshot of the names until a name is appended', () => {
    const index = new FeatureIndex(10);
    index.admit({ a: 1 }, 256, 'm@1');
    const first = index.names();
    expect(Object.isFrozen(first)).toBe(true);
    expect(index.names()).toBe(first);
    index.admit({ b: 1 }, 256, 'm@1');
    expect(index.names()).not.toBe(first);
    expect(first).toEqual(['a']); // earlier batches keep what they were built with
  });

  it('admits all new names of an event or none', () => {
    const index = new FeatureIndex(3);
    index.admit({ a: 1, b: 1 }, 256, 'm@1');
    const error = index.admit({ c: 1, d: 1 }, 256, 'm@1');
    expect(error?.code).toBe('VIGIL_DECODE_OVERSIZED');
    expect(index.size).toBe(2);
    expect(index.admit({ a: 1, c: 1 }, 256, 'm@1')).toBeUndefined();
    expect(index.size).toBe(3);
  });

  it('rejects over-long feature names', () => {
    const index = new FeatureIndex(10);
    expect(index.admit({ ['x'.repeat(300)]: 1 }, 256, 'm@1')?.code).toBe('VIGIL_DECODE_OVERSIZED');
    expect(index.size).toBe(0);
  });
});

describe('FeatureCatalog and BatchBuilder', () => {
  it('keeps one index per model version', () => {
    const catalog = new FeatureCatalog();
    const a = catalog.indexFor('m', '1');
    expect(catalog.indexFor('m', '1')).toBe(a);
    expect(catalog.indexFor('m', '2')).not.toBe(a);
    expect(catalog.versionCount).toBe(2);
  });

  it('rejects bad options, naming them', () => {
    expect(() => new FeatureCatalog({ maxFeaturesPerModel: 0 })).toThrow(/maxFeaturesPerModel/);
    expect(() => new FeatureCatalog({ maxBatchCells: 2.5 })).toThrow(/maxBatchCells/);
  });

  it('does not confuse ids whose concatenations collide', () => {
    const builder = new BatchBuilder(new FeatureCatalog());
    builder.add(makeEvent({ modelId: 'ab', modelVersion: 'c' }), AT);
    builder.add(makeEvent({ modelId: 'a', modelVersion: 'bc' }), AT);
    expect(builder.build().map((b) => [b.modelId, b.modelVersion])).toEqual([
      ['ab', 'c'],
      ['a', 'bc'],
    ]);
  });

  it('builds typed arrays that can be transferred', () => {
    const builder = new BatchBuilder(new FeatureCatalog());
    builder.add(makeEvent(), AT);
    const [batch] = builder.build();
    for (const column of [batch!.features, batch!.scores, batch!.latencies, batch!.timestamps]) expect(column).toBeInstanceOf(Float64Array);
    expect(batch!.statuses).toBeInstanceOf(Uint8Array);
  });
});

describe('DedupWindow', () => {
  it('remembers ids with their position and evicts the oldest beyond capacity', () => {
    const window = new DedupWindow({ capacity: 2 });
    window.remember('m', 'a', 'p1');
    window.remember('m', 'b', 'p2');
    expect(window.isDuplicate('m', 'a', 'p9')).toBe(true);
    expect(window.isDuplicate('m', 'a', 'p1')).toBe(false); // same position: a re-read
    window.remember('m', 'c', 'p3');
    expect(window.size).toBe(2);
    expect(window.isDuplicate('m', 'a', 'p9')).toBe(false);
    expect(window.isDuplicate('m', 'b', 'p9')).toBe(true);
  });

  it('stays bounded under a long stream', () => {
    const window = new DedupWindow({ capacity: 1000 });
    for (let i = 0; i < 50_000; i++) window.remember('m', `e${i}`, `p${i}`);
    expect(window.size).toBe(1000);
    expect(window.isDuplicate('m', 'e49999', 'x')).toBe(true);
    expect(window.isDuplicate('m', 'e48999', 'x')).toBe(false);
  });

  it('admits an event once per position, per model or across models by scope, and evicts across models in arrival order', () => {
    const perModel = new DedupWindow({ capacity: 3 });
    expect(perModel.admit('m1', 'a', 'p1')).toBe(true);
    expect(perModel.admit('m1', 'a', 'p1')).toBe(true); // the same position again: a re-read, processed again
    expect(perModel.admit('m1', 'a', 'p2')).toBe(false); // another position: a duplicate
    expect(perModel.admit('m2', 'a', 'p3')).toBe(true); // another model may use the same id
    expect(perModel.admit('m1', 'b', 'p4')).toBe(true);
    expect(perModel.size).toBe(3);
    expect(perModel.admit('m3', 'c', 'p5')).toBe(true); // evicts m1/a, the oldest
    expect(perModel.size).toBe(3);
    expect(perModel.admit('m1', 'a', 'p6')).toBe(true);
    expect(perModel.isDuplicate('m2', 'a', 'p7')).toBe(false); // m2/a was evicted by m1/a
    expect(perModel.isDuplicate('m1', 'b', 'p7')).toBe(true);
    const global = new DedupWindow({ capacity: 10, scope: 'global' });
    expect(global.admit('m1', 'a', 'p1')).toBe(true);
    expect(global.admit('m2', 'a', 'p2')).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => new DedupWindow({ capacity: 0 })).toThrow(/capacity/);
    expect(() => new DedupWindow({ scope: 'tenant' as never })).toThrow(/scope/);
  });
});
