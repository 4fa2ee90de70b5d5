/**
 * Seeded calibration measurements of the sequential detectors: false alarms per 10,000 updates on
 * stationary streams, and detection delay after a step change and during a slow ramp. Shared by the
 * calibration test (which pins them within stated tolerances) and the stream-detection-delay bench
 * scenario (which writes the table to bench/results/).
 */
import { createSequential, parseAlgorithmParams } from '../../../../../workers/detectors/sequential/algorithms.js';
import { gaussian, mulberry32 } from '../../helpers.js';

export interface Setup {
  readonly name: string;
  readonly algorithm: string;
  readonly params: Record<string, unknown>;
  /** Binary error stream (DDM) instead of a Gaussian one. */
  readonly binary: boolean;
}

export const SETUPS: readonly Setup[] = [
  { name: 'adwin (defaults)', algorithm: 'adwin', params: {}, binary: false },
  { name: 'page-hinkley (defaults)', algorithm: 'page-hinkley', params: {}, binary: false },
  { name: 'page-hinkley (threshold 100, delta 0.1)', algorithm: 'page-hinkley', params: { threshold: 100, delta: 0.1 }, binary: false },
  { name: 'kswin (defaults, seed 42)', algorithm: 'kswin', params: {}, binary: false },
  { name: 'kswin (alpha 0.0001)', algorithm: 'kswin', params: { alpha: 0.0001 }, binary: false },
  { name: 'cusum (defaults)', algorithm: 'cusum', params: {}, binary: false },
  { name: 'cusum (h 8)', algorithm: 'cusum', params: { h: 8 }, binary: false },
  { name: 'ddm (defaults)', algorithm: 'ddm', params: {}, binary: true },
  { name: 'adwin on errors', algorithm: 'adwin', params: {}, binary: true },
];

export const SEEDS = [101, 202, 303, 404, 505];

/** Value t of a stream whose mean (or error rate) is `level(t)`. */
function source(seed: number, binary: boolean): (level: number) => number {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  return binary ? (p) => (rng() < p ? 1 : 0) : (mean) => mean + normal();
}

/** Drift signals on a stationary stream, per 10,000 updates, averaged over seeds. */
export function falseAlarmsPer10k(setup: Setup, updates = 20_000): number {
  let alarms = 0;
  for (const seed of SEEDS) {
    const d = createSequential(setup.algorithm, parseAlgorithmParams(setup.algorithm, setup.params));
    const next = source(seed, setup.binary);
    const base = setup.binary ? 0.1 : 0;
    for (let t = 0; t < updates; t++) {
      d.update(next(base));
      if (d.driftDetected) alarms++;
    }
  }
  return (alarms * 10_000) / (updates * SEEDS.length);
}

export interface Delay {
  /** Mean updates from the change to the first signal, over seeds that signalled within the horizon. */
  readonly meanDelay: number | null;
  readonly maxDelay: number | null;
  /** Seeds with no signal within `horizon` updates of the change. */
  readonly missed: number;
}

/**
 * Delay after a change at update `at` (after a stationary run, so the detector has settled): a step
 * of `size` (mean in σ, or error rate) when `ramp` is 0, else a linear ramp to `size` over `ramp` updates.
 * Signals before the change are false alarms and not counted here.
 */
export function detectionDelay(setup: Setup, size: number, ramp: number, at = 5000, horizon = 5000): Delay {
  const delays: number[] = [];
  let missed = 0;
  for (const seed of SEEDS) {
    const d = createSequential(setup.algorithm, parseAlgorithmParams(setup.algorithm, setup.params));
    const next = source(seed + 7, setup.binary);
    const base = setup.binary ? 0.1 : 0;
    let found = -1;
    for (let t = 0; t < at + horizon; t++) {
      const progress = t < at ? 0 : ramp === 0 ? 1 : Math.min(1, (t - at) / ramp);
      d.update(next(base + size * progress));
      if (t >= at && d.driftDetected) {
        found = t - at;
        break;
      }
    }
    if (found < 0) missed++;
    else delays.push(found);
  }
  return {
    meanDelay: delays.length === 0 ? null : delays.reduce((s, v) => s + v, 0) / delays.length,
    maxDelay: delays.length === 0 ? null : Math.max(...delays),
    missed,
  };
}

export interface Row {
  readonly detector: string;
  readonly stream: string;
  readonly falseAlarmsPer10k: number;
  readonly step: Delay;
  readonly gradual: Delay;
}

/** The whole table: Gaussian streams step by 1σ / ramp to 1σ over 2,000; error streams 0.1 → 0.2. */
export function calibrationTable(): Row[] {
  return SETUPS.map((s) => ({
    detector: s.name,
    stream: s.binary ? 'errors: Bernoulli(0.1), change to 0.2' : 'N(0,1), change of the mean to 1',
    falseAlarmsPer10k: falseAlarmsPer10k(s),
    step: detectionDelay(s, s.binary ? 0.1 : 1, 0),
    gradual: detectionDelay(s, s.binary ? 0.1 : 1, 2000),
  }));
}
