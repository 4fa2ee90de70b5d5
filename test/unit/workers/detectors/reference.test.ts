import { describe, expect, it } from 'vitest';
import { nextUp } from '../../../../workers/kernels/float.js';
import { DEFAULT_BIN_COUNT, assertReferenceProfile, buildReferenceProfile } from '../../../../workers/detectors/reference.js';
import type { ReferenceProfile } from '../../../../workers/detectors/reference.js';
import { makeColumns, normalColumns } from '../helpers.js';

describe('buildReferenceProfile', () => {
  it('backs every array with one SharedArrayBuffer', () => {
    const ref = buildReferenceProfile({ columns: normalColumns(1, 500, 3), featureNames: ['a', 'b', 'c'], id: 'ref-1' });
    expect(ref.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const array of [ref.edges, ref.edgeCounts, ref.proportions, ref.featureCounts, ref.means, ref.variances]) {
      expect(array.buffer).toBe(ref.buffer);
    }
    expect(ref.binCount).toBe(DEFAULT_BIN_COUNT);
    expect(ref.count).toBe(500);
    expect(ref.edges).toHaveLength(3 * 9);
    expect(ref.proportions).toHaveLength(3 * 10);
    expect(() => assertReferenceProfile(ref, 'test')).not.toThrow();
  });

  it('profiles each feature: quantile edges, proportions summing to 1, counts and moments', () => {
    const ref = buildReferenceProfile({ columns: normalColumns(2, 1000, 2, 0, 0.1), featureNames: ['x', 'y'], binCount: 4, id: 'r' });
    for (let f = 0; f < 2; f++) {
      expect(ref.edgeCounts[f]).toBe(3);
      const p = Array.from(ref.proportions.subarray(f * 4, f * 4 + 4));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const share of p) expect(share).toBeCloseTo(0.25, 2);
      expect(ref.featureCounts[f]).toBeGreaterThan(850);
      expect(ref.featureCounts[f]).toBeLessThan(950);
      expect(ref.means[f]).toBeCloseTo(f, 0);
      expect(ref.variances[f]).toBeCloseTo(1, 0);
    }
  });

  it('profiles constant and all-NaN features without degenerate bins', () => {
    const columns = makeColumns(10, 2, (f) => (f === 0 ? 3 : NaN));
    const ref = buildReferenceProfile({ columns, featureNames: ['constant', 'absent'], binCount: 10, id: 'r' });
    expect(ref.edgeCounts[0]).toBe(2);
    expect(Array.from(ref.edges.subarray(0, 2))).toEqual([3, nextUp(3)]);
    expect(Array.from(ref.proportions.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(ref.variances[0]).toBe(0);
    expect(ref.edgeCounts[1]).toBe(0);
    expect(ref.featureCounts[1]).toBe(0);
    expect(ref.means[1]).toBeNaN();
    expect(Array.from(ref.proportions.subarray(10, 20)).every((p) => p === 0)).toBe(true);
  });

  it('profiles only the named prefix of the columns, and an empty batch', () => {
    const ref = buildReferenceProfile({ columns: normalColumns(3, 100, 4), featureNames: ['a', 'b'], id: 'r' });
    expect(ref.featureNames).toEqual(['a', 'b']);
    expect(ref.featureCounts).toHaveLength(2);
    const empty = buildReferenceProfile({ columns: makeColumns(0, 1, () => 0), featureNames: ['a'], id: 'r' });
    expect(empty.edgeCounts[0]).toBe(0);
    expect(empty.featureCounts[0]).toBe(0);
  });

  it('rejects bad input with a message naming the field', () => {
    const columns = normalColumns(4, 10, 2);
    expect(() => buildReferenceProfile({ columns, featureNames: ['a', 'b'], id: '' })).toThrow(/id/);
    expect(() => buildReferenceProfile({ columns, featureNames: ['a', 'b'], id: 'r', binCount: 1 })).toThrow(/binCount/);
    expect(() => buildReferenceProfile({ columns, featureNames: ['a', 'b', 'c'], id: 'r' })).toThrow(/3 feature names for 2/);
    expect(() => buildReferenceProfile({ columns, featureNames: ['a', 'a'], id: 'r' })).toThrow(/unique/);
    expect(() => buildReferenceProfile({ columns: { ...columns, features: new Float64Array(3) }, featureNames: ['a'], id: 'r' })).toThrow(/columns.features/);
  });
});

describe('assertReferenceProfile', () => {
  it('rejects arrays whose lengths disagree with the feature and bin counts', () => {
    const ref = buildReferenceProfile({ columns: normalColumns(5, 50, 2), featureNames: ['a', 'b'], id: 'r' });
    const broken: ReferenceProfile = { ...ref, proportions: new Float64Array(3) };
    expect(() => assertReferenceProfile(broken, 'here')).toThrow(/here: reference.proportions/);
    expect(() => assertReferenceProfile({ ...ref, binCount: 0 }, 'here')).toThrow(/binCount/);
  });
});
