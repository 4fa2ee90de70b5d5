/**
 * Seeded streams of windows for the drift detectors' calibration and detection-delay checks (used by
 * the tests beside this file and by bench/drift-detection-delay.bench.ts). A stream is a reference
 * batch and a sequence of windows; from `changeAt` on, a scenario changes feature 0 (or the
 * categorical feature). Each window goes through the detector's whole interface: summarize in two
 * batches, merge, score; the window alerts when any feature's evidence says drift.
 */
import type { CategoricalColumns, NumericColumns } from '../../../../../src/contracts/batch.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { getDetector } from '../../../../../workers/detectors/registry.js';
import { gaussian, makeColumns, mulberry32 } from '../../helpers.js';

export interface Shift {
  readonly name: string;
  /** Feature 0's value from a standard normal draw `z`, in window `w` counted from the change (0 = first changed window). */
  readonly numeric?: (z: number, w: number) => number;
  /** Probabilities of the four categories after the change. */
  readonly mix?: readonly number[];
}

export const BASE_MIX = [0.4, 0.3, 0.2, 0.1] as const;
const CATEGORIES = ['a', 'b', 'c', 'd'];

export const SHIFTS: readonly Shift[] = [
  { name: 'mean +0.25σ', numeric: (z) => z + 0.25 },
  { name: 'mean +0.5σ', numeric: (z) => z + 0.5 },
  { name: 'mean +1σ', numeric: (z) => z + 1 },
  { name: 'variance ×1.5² (σ 1 → 1.5)', numeric: (z) => 1.5 * z },
  { name: 'gradual mean +0.02σ per window', numeric: (z, w) => z + 0.02 * (w + 1) },
  { name: 'category mix 40/30/20/10 → 30/30/20/20', mix: [0.3, 0.3, 0.2, 0.2] },
];

export interface StreamOptions {
  readonly seed: number;
  readonly features: number;
  readonly referenceRows: number;
  readonly windowRows: number;
  readonly windows: number;
  /** First changed window; windows before it are stationary. Infinity: never. */
  readonly changeAt: number;
}

function pick(u: number, mix: readonly number[]): number {
  let acc = 0;
  for (let k = 0; k < mix.length; k++) {
    acc += mix[k]!;
    if (u < acc) return k;
  }
  return mix.length - 1;
}

function batch(seed: number, rows: number, features: number, shift: Shift | null, w: number): NumericColumns {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  const columns = makeColumns(rows, features, (f) => {
    const z = normal();
    return f === 0 && shift?.numeric ? shift.numeric(z, w) : z;
  });
  const mix = shift?.mix ?? BASE_MIX;
  const codes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) codes[i] = pick(rng(), mix);
  const categorical: CategoricalColumns = { names: ['plan'], codes, dictionaries: [CATEGORIES] };
  return { ...columns, categorical };
}

export interface StreamResult {
  /** Per window: did any feature alert. */
  readonly alerts: readonly boolean[];
  /** First alerting window at or after changeAt, as an index from changeAt; null when none. */
  readonly delay: number | null;
}

function prepared(id: string, params: ReturnType<ReturnType<typeof getDetector>['parseParams']>, columns: NumericColumns, names: string[]): ReferenceProfile {
  const detector = getDetector(id);
  const profile = buildReferenceProfile({ columns, featureNames: names, id: 'stream-ref' });
  const data = detector.prepareReference ? { [id]: detector.prepareReference(columns, profile, params) } : {};
  return { ...profile, detectorData: data };
}

export function runStream(id: string, rawParams: Record<string, unknown>, shift: Shift | null, o: StreamOptions): StreamResult {
  const detector = getDetector(id);
  const params = detector.parseParams(rawParams);
  const names = Array.from({ length: o.features }, (_, f) => `x${f}`);
  const reference = prepared(id, params, batch(o.seed, o.referenceRows, o.features, null, 0), names);
  const alerts: boolean[] = [];
  const half = Math.floor(o.windowRows / 2);
  for (let w = 0; w < o.windows; w++) {
    const changed = w >= o.changeAt ? shift : null;
    const first = batch(o.seed * 7919 + 2 * w + 1, half, o.features, changed, w - o.changeAt);
    const second = batch(o.seed * 7919 + 2 * w + 2, o.windowRows - half, o.features, changed, w - o.changeAt);
    const summary = detector.merge(detector.summarize(first, reference, params), detector.summarize(second, reference, params));
    const scores = detector.score(summary, reference, params);
    alerts.push(scores.some((s) => s.evidence['drift'] === 'true'));
  }
  let delay: number | null = null;
  for (let w = Math.max(0, o.changeAt); w < alerts.length && Number.isFinite(o.changeAt); w++) {
    if (alerts[w]) {
      delay = w - o.changeAt;
      break;
    }
  }
  return { alerts, delay };
}

export const NUMERIC_DETECTORS = ['ks', 'cvm', 'jensen-shannon', 'hellinger', 'wasserstein'] as const;
