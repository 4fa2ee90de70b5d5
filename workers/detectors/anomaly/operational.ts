/**
 * Operational health per event: serving latency and the rate of ERROR / TIMEOUT / FALLBACK outcomes,
 * each on an upper EWMA control chart (workers/kernels/ewma.ts) whose centre and sigma come from the
 * reference of the model version (a reference profile is per model version, so the limits are too).
 *
 * Charts are a window-level idea; as an event detector each row gets the chart's standardised value
 * after that row, in batch (offset) order: the latency chart runs over ln(1 + latencyMs), centred at
 * the reference median with the robust scale (MAD); the failure chart over the 0/1 failure indicator,
 * centred at the reference failure rate p0 (with a +0.5 / +1 continuity correction, so a reference
 * without failures still gives a finite sigma). Each batch restarts both charts at their centres, which
 * keeps scoring a pure function of the batch; a sustained shift shows after about 1/λ rows of a batch,
 * and the engine's per-window flagged rate carries it across batches. The raw score is the larger of
 * the two standardised values, calibrated against the same charts run over the reference rows.
 *
 * Reference sections: `latency` [centre, sigma] of ln(1 + ms), `failure` [p0], `calibration`.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { buildCalibration } from '../../kernels/calibration.js';
import { ewmaStandardized } from '../../kernels/ewma.js';
import { medianScale } from '../../kernels/robust.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, Summary } from '../types.js';
import { calibrated, flagRows, notScored, num, sectionsOf } from './common.js';
import { THRESHOLD_SPEC, parseNumberParams } from './params.js';

export type OperationalParams = {
  readonly threshold: number;
  /** EWMA smoothing weight λ of both charts. */
  readonly lambda: number;
  /** Control limit in sigmas, reported in evidence (the flag itself is the calibrated threshold). */
  readonly limit: number;
};

const ID = 'operational';
const SECTIONS = ['latency', 'failure', 'calibration'] as const;
// The statuses column holds the Avro enum's index (src/contracts/batch.ts STATUS_CODE; workers import no values from src).
const STATUS_NAMES: readonly string[] = ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'];
const STATUS_OK = 0;

interface Charts {
  readonly latency: Float64Array;
  readonly failure: Float64Array;
  readonly raw: Float64Array;
}

function logLatency(columns: NumericColumns): Float64Array {
  const out = new Float64Array(columns.count);
  for (let i = 0; i < columns.count; i++) {
    const ms = columns.latencies[i]!;
    out[i] = ms >= 0 && Number.isFinite(ms) ? Math.log1p(ms) : NaN;
  }
  return out;
}

function failures(columns: NumericColumns): Float64Array {
  const out = new Float64Array(columns.count);
  for (let i = 0; i < columns.count; i++) out[i] = columns.statuses[i] === STATUS_OK ? 0 : 1;
  return out;
}

function run(columns: NumericColumns, latency: Float64Array, p0: number, lambda: number): Charts {
  const n = columns.count;
  const charts: Charts = { latency: new Float64Array(n), failure: new Float64Array(n), raw: new Float64Array(n) };
  ewmaStandardized(logLatency(columns), n, latency[0]!, latency[1]!, lambda, charts.latency);
  ewmaStandardized(failures(columns), n, p0, Math.sqrt(p0 * (1 - p0)), lambda, charts.failure);
  for (let i = 0; i < n; i++) {
    const a = charts.latency[i]!;
    const b = charts.failure[i]!;
    charts.raw[i] = a !== a ? b : a > b ? a : b;
  }
  return charts;
}

export const operationalDetector: EventDetector<OperationalParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Latency and failure-rate EWMA control charts against the model version reference, calibrated',
  parseParams: (raw) =>
    parseNumberParams<OperationalParams>(
      ID,
      { threshold: THRESHOLD_SPEC, lambda: { default: 0.1, min: 0, max: 1, open: true }, limit: { default: 3, min: 0, max: 100, open: true } },
      raw,
    ),
  prepareReference(columns: NumericColumns, _reference: ReferenceProfile, params: OperationalParams): Summary {
    const latency = new Float64Array(2);
    medianScale(logLatency(columns), 0, columns.count, latency);
    const f = failures(columns);
    let k = 0;
    for (let i = 0; i < f.length; i++) k += f[i]!;
    const p0 = (k + 0.5) / (columns.count + 1);
    const charts = run(columns, latency, p0, params.lambda);
    return { latency, failure: Float64Array.of(p0), calibration: buildCalibration(charts.raw) };
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: OperationalParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    if (data === undefined || data['latency']!.length !== 2 || data['failure']!.length !== 1) return notScored(columns.count);
    const latency = data['latency']!;
    const p0 = data['failure']![0]!;
    const charts = run(columns, latency, p0, params.lambda);
    const scores = calibrated(charts.raw, data['calibration']!);
    const flagged = flagRows(scores, params.threshold, (i) => ({
      signal: 'operational',
      latencyMs: num(columns.latencies[i]!),
      status: STATUS_NAMES[columns.statuses[i]!] ?? String(columns.statuses[i]),
      latencyEwmaSigmas: num(charts.latency[i]!),
      failureEwmaSigmas: num(charts.failure[i]!),
      overLatencyLimit: String(charts.latency[i]! > params.limit),
      overFailureLimit: String(charts.failure[i]! > params.limit),
      referenceMedianLatencyMs: num(Math.expm1(latency[0]!)),
      referenceFailureRate: num(p0),
    }));
    return { scores, flagged };
  },
};
