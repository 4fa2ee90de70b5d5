/** Isotonic calibration and CBPE's expected accuracy against NannyML (bench/peers/perf_fixtures.py --cbpe). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calibrate, expectedCorrect, fitIsotonic } from '../../../../workers/kernels/isotonic.js';

interface Fixture {
  nannyml: string;
  chunkSize: number;
  needsCalibration: boolean;
  reference: { p: number[]; yPred: number[]; yTrue: number[] };
  analysis: { p: number[]; yPred: number[]; yTrue: number[] };
  estimatedAccuracy: number[];
  realizedAccuracy: number[];
}

const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/peers/streams/perf/nannyml-cbpe.json'), 'utf8')) as Fixture;

describe(`CBPE expected accuracy matches NannyML ${fixture.nannyml}`, () => {
  it('estimates every analysis chunk within 1e-9 after isotonic calibration on the reference', () => {
    expect(fixture.needsCalibration).toBe(true);
    const fit = fitIsotonic(fixture.reference.p, fixture.reference.yTrue);
    const size = fixture.chunkSize;
    const out = new Float64Array(1);
    fixture.estimatedAccuracy.forEach((want, c) => {
      const p = fixture.analysis.p.slice(c * size, (c + 1) * size);
      const yp = fixture.analysis.yPred.slice(c * size, (c + 1) * size);
      const got = expectedCorrect(yp, p, fit, out) / out[0]!;
      expect(Math.abs(got - want), `chunk ${c}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9);
    });
  });

  it('tracks the realised accuracy it estimates (within 0.05 per 500-row chunk) where raw scores would not', () => {
    const fit = fitIsotonic(fixture.reference.p, fixture.reference.yTrue);
    const out = new Float64Array(1);
    let rawError = 0;
    fixture.realizedAccuracy.forEach((real, c) => {
      const p = fixture.analysis.p.slice(c * 500, (c + 1) * 500);
      const yp = fixture.analysis.yPred.slice(c * 500, (c + 1) * 500);
      expect(Math.abs(expectedCorrect(yp, p, fit, out) / out[0]! - real)).toBeLessThan(0.05);
      rawError += Math.abs(expectedCorrect(yp, p, null, out) / out[0]! - real);
    });
    expect(rawError / fixture.realizedAccuracy.length).toBeGreaterThan(0.05);
  });
});

describe('isotonic fit', () => {
  it('pools violators, merges tied scores and interpolates with clipping (hand-computed)', () => {
    // x: 1 2 2 3 4, y: 1 0 1 0 1 → ties at 2 give 0.5; (1, 0.5, 0) pools to mean of 1 (w1), 0.5 (w2), 0 (w1) = 0.5
    const fit = fitIsotonic([1, 2, 2, 3, 4], [1, 0, 1, 0, 1]);
    expect(Array.from(fit.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(fit.y)).toEqual([0.5, 0.5, 0.5, 1]);
    expect(calibrate(fit, 3.5)).toBe(0.75);
    expect(calibrate(fit, -10)).toBe(0.5);
    expect(calibrate(fit, 10)).toBe(1);
    expect(calibrate(fit, NaN)).toBeNaN();
    expect(calibrate(fitIsotonic([], []), 0.3)).toBeNaN();
    expect(() => fitIsotonic([1], [])).toThrow(/1 scores for 0 labels/);
  });

  it('counts only rows with a 0/1 prediction and a probability', () => {
    const out = new Float64Array(1);
    expect(expectedCorrect([1, 0, -1, 1], [0.9, 0.2, 0.5, NaN], null, out)).toBeCloseTo(1.7, 15);
    expect(out[0]).toBe(2);
  });
});
