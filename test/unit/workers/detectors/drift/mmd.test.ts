/** The mmd window detector: quiet on reference-like windows, firing on shifted ones, deterministic, bounded. */
import { describe, expect, it } from 'vitest';
import { mmdDetector } from '../../../../../workers/detectors/drift/mmd.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { normalColumns } from '../../helpers.js';

const NAMES = ['a', 'b', 'c'];
const refColumns = normalColumns(1, 1500, 3);
const profile = buildReferenceProfile({ columns: refColumns, featureNames: NAMES, id: 'r' });
const params = mmdDetector.parseParams(undefined);
const reference = { ...profile, detectorData: { mmd: mmdDetector.prepareReference!(refColumns, profile, params) } };

const scoreOf = (seed: number, mean: number, count = 400) => {
  const w = normalColumns(seed, count, 3, mean);
  return mmdDetector.score(mmdDetector.summarize(w, reference, params), reference, params)[0]!;
};

describe('mmd detector', () => {
  it('keeps a reference sample of referenceSize rows and a positive bandwidth', () => {
    const data = reference.detectorData.mmd;
    expect(data['rows']!.length).toBe(1000 * 3);
    expect(data['sigma']![0]).toBeGreaterThan(0);
  });

  it('does not fire on windows drawn like the reference, fires on a 0.5 sd shift', () => {
    const quiet = [2, 3, 4, 5, 6].map((seed) => Number(scoreOf(seed, 0).evidence['pValue']));
    expect(quiet.filter((p) => p <= 0.05).length).toBeLessThanOrEqual(1);
    const shifted = scoreOf(7, 0.5);
    expect(Number(shifted.evidence['pValue'])).toBeLessThanOrEqual(0.01);
    expect(shifted.evidence['drift']).toBe('true');
    expect(shifted.score).toBeGreaterThan(Number(shifted.evidence['threshold']));
  });

  it('samples at most windowSize rows, the same whatever the batch split, and scores deterministically', () => {
    const w = normalColumns(9, 1000, 3, 0.2);
    const s = mmdDetector.summarize(w, reference, params);
    expect(s.priorities.length).toBe(100);
    expect(mmdDetector.score(s, reference, params)).toEqual(mmdDetector.score(mmdDetector.decode(mmdDetector.encode(s)), reference, params));
  });

  it('scores nothing below minWindow rows or without its reference data', () => {
    const small = mmdDetector.summarize(normalColumns(3, 10, 3), reference, params);
    expect(mmdDetector.score(small, reference, params)).toEqual([]);
    expect(mmdDetector.score(mmdDetector.summarize(normalColumns(3, 200, 3), profile, params), profile, params)).toEqual([]);
  });

  it('validates parameters and rejects hostile bytes', () => {
    expect(() => mmdDetector.parseParams({ permutations: 0 })).toThrow(/"permutations" must be an integer from 1/);
    expect(() => mmdDetector.parseParams({ minWindow: 300 })).toThrow(/"minWindow" \(300\) must not exceed "windowSize"/);
    const bytes = mmdDetector.encode(mmdDetector.summarize(normalColumns(3, 50, 3), reference, params));
    const view = new DataView(bytes.buffer);
    // The first priority sits right after the header (3 sections: 8 + 12 bytes, padded to 24).
    view.setFloat64(24, 2 ** 60, true);
    expect(() => mmdDetector.decode(bytes)).toThrow(/priorities not ascending/);
  });
});
