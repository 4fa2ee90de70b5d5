/** The batch path of a sequential detector is the same detector: same drift indices, same state. */
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../../../../../src/demo/random.js';
import { createSequential, parseAlgorithmParams } from '../../../../../workers/detectors/sequential/algorithms.js';

function stream(n: number): Float64Array {
  const draw = normal(mulberry32(17));
  return Float64Array.from({ length: n }, (_, i) => draw() + (i >= n / 3 ? 2 : 0) - (i >= (2 * n) / 3 ? 4 : 0));
}

describe.each(['page-hinkley'])('%s: updateMany', (algorithm) => {
  it('signals the drifts update() signals, at the same indices, and ends in the same state, however it is split', () => {
    const values = stream(30_000);
    const params = parseAlgorithmParams(algorithm, { minInstances: 30 });
    const one = createSequential(algorithm, params);
    const expected: number[] = [];
    for (let i = 0; i < values.length; i++) {
      one.update(values[i]!);
      if (one.driftDetected) expected.push(i);
    }
    expect(expected.length).toBeGreaterThan(1);
    for (const cuts of [[0, values.length], [0, 1, 9_999, 10_000, 20_001, values.length]]) {
      const batch = createSequential(algorithm, params);
      const got: number[] = [];
      for (let c = 0; c + 1 < cuts.length; c++) batch.updateMany!(values, cuts[c]!, cuts[c + 1]!, (i) => got.push(i));
      expect(got).toEqual(expected);
      expect(batch.snapshot()).toEqual(one.snapshot());
      expect(batch.driftDetected).toBe(one.driftDetected);
    }
  });
});
