/**
 * Calibration of the drift detectors on seeded streams: the share of stationary windows that alert
 * (any of 4 features, after the correction across features) against the configured alpha of 0.05,
 * and the exact window at which each seeded shift is first detected.
 */
import { describe, expect, it } from 'vitest';
import { NUMERIC_DETECTORS, SHIFTS, runStream, type StreamOptions } from './streams.js';

/** 8 references × 40 windows of 200 rows, 4 features, nothing changes. */
function falseAlarms(id: string, params: Record<string, unknown>): number {
  let alerts = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const r = runStream(id, params, null, { seed, features: 4, referenceRows: 2000, windowRows: 200, windows: 40, changeAt: Infinity });
    alerts += r.alerts.filter(Boolean).length;
  }
  return alerts;
}

const WINDOWS = 320;
const ALPHA = 0.05;
// ±0.03 is about 2.5 binomial standard errors at 320 windows (sqrt(0.05·0.95/320) = 0.012).
const TOLERANCE = 0.03;

describe('false-alarm rate on stationary streams (alpha 0.05, 4 features, 320 windows)', () => {
  it.each([
    ['ks', 'bh', 16],
    ['ks', 'bonferroni', 15],
    ['cvm', 'bh', 21],
    ['jensen-shannon', 'bh', 18],
    ['hellinger', 'bonferroni', 18],
    ['chi-square', 'bh', 17],
  ] as const)('%s with %s: within 0.03 of alpha (seeded count %i)', (id, correction, pinned) => {
    const alerts = falseAlarms(id, { correction, alpha: ALPHA });
    expect(Math.abs(alerts / WINDOWS - ALPHA)).toBeLessThanOrEqual(TOLERANCE);
    expect(alerts).toBe(pinned);
  });

  it("the fixed 0.1 threshold on normalised Wasserstein (Evidently's default) alerts on most stationary 200-row windows", () => {
    const alerts = falseAlarms('wasserstein', {});
    expect(alerts / WINDOWS).toBeGreaterThan(0.75);
    expect(alerts).toBe(264);
  });
});

describe('detection delay on seeded shifts (windows of 100 rows, change at window 10)', () => {
  const options: StreamOptions = { seed: 9, features: 4, referenceRows: 2000, windowRows: 100, windows: 40, changeAt: 10 };
  // Windows after the change until the first alert; pinned on the seeded stream.
  const expected: Record<string, Record<string, number>> = {
    'mean +0.25σ': { ks: 2, cvm: 2, 'jensen-shannon': 2, hellinger: 2 },
    'mean +0.5σ': { ks: 0, cvm: 0, 'jensen-shannon': 0, hellinger: 0 },
    'mean +1σ': { ks: 0, cvm: 0, 'jensen-shannon': 0, hellinger: 0 },
    'variance ×1.5² (σ 1 → 1.5)': { ks: 2, cvm: 0, 'jensen-shannon': 0, hellinger: 0 },
    'gradual mean +0.02σ per window': { ks: 7, cvm: 2, 'jensen-shannon': 14, hellinger: 14 },
    'category mix 40/30/20/10 → 30/30/20/20': { 'chi-square': 0 },
  };

  it.each(SHIFTS.map((s) => [s.name, s] as const))('%s', (name, shift) => {
    const ids = shift.mix ? ['chi-square'] : NUMERIC_DETECTORS.filter((id) => id !== 'wasserstein');
    const got = Object.fromEntries(ids.map((id) => [id, runStream(id, {}, shift, options).delay]));
    expect(got).toEqual(expected[name]);
  });

  it('a 1σ shift is caught in the first changed window by every test-based detector', () => {
    for (const id of ['ks', 'cvm', 'jensen-shannon', 'hellinger']) {
      const r = runStream(id, {}, SHIFTS[2]!, options);
      expect(r.alerts.slice(10).every(Boolean), id).toBe(true);
    }
  });
});
