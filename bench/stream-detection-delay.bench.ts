/**
 * Calibration table of the sequential drift detectors on seeded streams: false alarms per 10,000
 * updates (stationary N(0,1), or Bernoulli(0.1) errors for DDM), and the delay to the first signal
 * after a 1σ step and during a ramp to 1σ over 2,000 updates (errors: 0.1 → 0.2), over 5 seeds.
 * The same measurements are pinned by test/unit/workers/detectors/sequential/calibration.test.ts.
 */
import { loadavg } from 'node:os';
import type { Scenario } from './run.js';
import { calibrationTable, SEEDS } from '../test/unit/workers/detectors/sequential/calibration-table.js';

const scenario: Scenario = {
  name: 'stream-detection-delay',
  description: 'Sequential drift detectors: false alarms per 10k updates and detection delay on seeded step and gradual changes',
  async run() {
    const loadStart = loadavg()[0]!;
    const rows = calibrationTable();
    const loadEnd = loadavg()[0]!;
    return {
      seeds: SEEDS,
      falseAlarmUpdatesPerSeed: 20_000,
      changeAt: 5000,
      horizon: 5000,
      rampLength: 2000,
      rows,
      load1mStart: loadStart,
      load1mEnd: loadEnd,
      notes: [
        'Delays are counts of updates, independent of machine speed; missed = seeds without a signal within the horizon.',
        ...(Math.max(loadStart, loadEnd) > 1.5 ? [`The machine was shared and loaded (1-minute load ${loadStart} at start, ${loadEnd} at end); the counts above do not depend on it.`] : []),
      ],
    };
  },
};

export default scenario;
