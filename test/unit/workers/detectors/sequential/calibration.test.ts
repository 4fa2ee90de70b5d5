/**
 * Calibration of the sequential detectors on seeded streams (calibration-table.ts): false alarms per
 * 10,000 updates on stationary data and detection delay after a 1σ step and during a ramp to 1σ over
 * 2,000 updates (error streams: 0.1 → 0.2). The expected values were measured with this code; the
 * stated tolerance is ±(1 + 30%) for false-alarm rates and ±30% (at least ±10 updates) for delays, so
 * a change that makes a detector noticeably noisier or slower fails here.
 */
import { describe, expect, it } from 'vitest';
import { detectionDelay, falseAlarmsPer10k, SETUPS } from './calibration-table.js';
import type { Delay } from './calibration-table.js';

const EXPECTED: Record<string, { alarms: number; step: number; gradual: number; stepMissed?: number; gradualMissed?: number }> = {
  'adwin (defaults)': { alarms: 0, step: 55, gradual: 631 },
  'page-hinkley (defaults)': { alarms: 6.8, step: 38.4, gradual: 403 },
  'page-hinkley (threshold 100, delta 0.1)': { alarms: 0, step: 95.8, gradual: 712.2 },
  'kswin (defaults, seed 42)': { alarms: 11.7, step: 44.2, gradual: 497.6 },
  'kswin (alpha 0.0001)': { alarms: 0.7, step: 65.67, gradual: 1209, stepMissed: 2, gradualMissed: 3 },
  'cusum (defaults)': { alarms: 17.1, step: 17.8, gradual: 232.8 },
  'cusum (h 8)': { alarms: 1.6, step: 18.8, gradual: 1113 },
  'ddm (defaults)': { alarms: 0.1, step: 628.2, gradual: 1727.4 },
  'adwin on errors': { alarms: 0, step: 304.6, gradual: 1443.8 },
};

function expectDelay(got: Delay, want: number, missed: number, label: string): void {
  expect(got.missed, `${label}: missed`).toBe(missed);
  expect(got.meanDelay, `${label}: delay`).not.toBeNull();
  expect(Math.abs(got.meanDelay! - want), `${label}: mean delay ${got.meanDelay} vs ${want}`).toBeLessThanOrEqual(Math.max(10, 0.3 * want));
}

describe('sequential detector calibration', () => {
  it('covers every setup of the table', () => {
    expect(SETUPS.map((s) => s.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(SETUPS.map((s) => [s.name, s] as const))('%s', (name, setup) => {
    const want = EXPECTED[name]!;
    const alarms = falseAlarmsPer10k(setup);
    expect(Math.abs(alarms - want.alarms), `false alarms ${alarms} per 10k vs ${want.alarms}`).toBeLessThanOrEqual(1 + 0.3 * want.alarms);
    expectDelay(detectionDelay(setup, setup.binary ? 0.1 : 1, 0), want.step, want.stepMissed ?? 0, 'step');
    expectDelay(detectionDelay(setup, setup.binary ? 0.1 : 1, 2000), want.gradual, want.gradualMissed ?? 0, 'gradual');
  });

  it('orders detectors as their settings promise: a higher threshold means fewer alarms and a longer delay', () => {
    const byName = new Map(SETUPS.map((s) => [s.name, s]));
    const loose = byName.get('cusum (defaults)')!;
    const strict = byName.get('cusum (h 8)')!;
    expect(falseAlarmsPer10k(strict)).toBeLessThan(falseAlarmsPer10k(loose));
    expect(detectionDelay(strict, 1, 2000).meanDelay!).toBeGreaterThan(detectionDelay(loose, 1, 2000).meanDelay!);
  });
});
