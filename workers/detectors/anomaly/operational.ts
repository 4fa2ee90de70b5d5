/**
 * Operational health per event: serving latency and the rates of ERROR, TIMEOUT and FALLBACK outcomes,
 * each on an upper EWMA control chart (workers/kernels/ewma.ts) whose centre and sigma come from the
 * reference of the model version (a reference profile is per model version, so the limits are too).
 *
 * Charts are a window-level idea; as an event detector each row gets each chart's standardised value
 * after that row, in batch (offset) order: the latency chart runs over ln(1 + latencyMs), centred at
 * the reference median with the robust scale (MAD); each status chart over that status's 0/1
 * indicator, centred at its reference rate p (with a +0.5 / +1 continuity correction, so a reference
 * without that status still gives a finite sigma). Each batch restarts the charts at their centres,
 * which keeps scoring a pure function of the batch; a sustained shift shows after about 1/λ rows of a
 * batch, and the engine's per-window flagged rate carries it across batches. The raw score is the
 * largest standardised value of the four charts, calibrated against the same charts run over the
 * reference rows.
 *
 * Reference sections: `latency` [centre, sigma] of ln(1 + ms), `failure` [p ERROR, p TIMEOUT,
 * p FALLBACK], `calibration`.
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
  /** EWMA smoothing weight λ of every chart. */
  readonly lambda: number;
  /** Control limit in sigmas, reported in evidence (the flag itself is the calibrated threshold). */
  readonly limit: number;
};

const ID = 'operational';
const SECTIONS = ['latency', 'failure', 'calibration'] as const;
// The statuses column holds the Avro enum's index (src/contracts/batch.ts STATUS_CODE; workers import no values from src).
const STATUS_NAMES: readonly string[] = ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'];
/** The failure statuses charted, by code, in the order of the `failure` section. */
const FAILURES = [1, 2, 3] as const;

interface Charts {
  readonly latency: Float64Array;
  /** One chart per failure status, in FAILURES order. */
  readonly failures: readonly Float64Array[];
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

function indicator(columns: NumericColumns, code: number): Float64Array {
  const out = new Float64Array(columns.count);
  for (let i = 0; i < columns.count; i++) out[i] = columns.statuses[i] === code ? 1 : 0;
  return out;
}

function run(columns: NumericColumns, latency: Float64Array, rates: Float64Array, lambda: number): Charts {
  const n = columns.count;
  const charts: Charts = { latency: new Float64Array(n), failures: FAILURES.map(() => new Float64Array(n)), raw: new Float64Array(n) };
  ewmaStandardized(logLatency(columns), n, latency[0]!, latency[1]!, lambda, charts.latency);
  FAILURES.forEach((code, k) => {
    const p = rates[k]!;
    ewmaStandardized(indicator(columns, code), n, p, Math.sqrt(p * (1 - p)), lambda, charts.failures[k]!);
  });
  for (let i = 0; i < n; i++) {
    let m = charts.latency[i]!;
    for (const chart of charts.failures) {
      const v = chart[i]!;
      if (m !== m || v > m) m = v;
    }
    charts.raw[i] = m;
  }
  return charts;
}

export const operationalDetector: EventDetector<OperationalParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Latency and ERROR/TIMEOUT/FALLBACK rate EWMA control charts against the model version reference, calibrated',
  parseParams: (raw) =>
    parseNumberParams<OperationalParams>(
      ID,
      { threshold: THRESHOLD_SPEC, lambda: { default: 0.1, min: 0, max: 1, open: true }, limit: { default: 3, min: 0, max: 100, open: true } },
      raw,
    ),
  prepareReference(columns: NumericColumns, _reference: ReferenceProfile, params: OperationalParams): Summary {
    const latency = new Float64Array(2);
    medianScale(logLatency(columns), 0, columns.count, latency);
    const failure = new Float64Array(FAILURES.length);
    FAILURES.forEach((code, k) => {
      let seen = 0;
      for (let i = 0; i < columns.count; i++) if (columns.statuses[i] === code) seen++;
      failure[k] = (seen + 0.5) / (columns.count + 1);
    });
    const charts = run(columns, latency, failure, params.lambda);
    return { latency, failure, calibration: buildCalibration(charts.raw) };
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: OperationalParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    if (data === undefined || data['latency']!.length !== 2 || data['failure']!.length !== FAILURES.length) return notScored(columns.count);
    const latency = data['latency']!;
    const rates = data['failure']!;
    const charts = run(columns, latency, rates, params.lambda);
    const scores = calibrated(charts.raw, data['calibration']!);
    const flagged = flagRows(scores, params.threshold, (i) => {
      const evidence: Record<string, string> = {
        signal: 'operational',
        latencyMs: num(columns.latencies[i]!),
        status: STATUS_NAMES[columns.statuses[i]!] ?? String(columns.statuses[i]),
        latencyEwmaSigmas: num(charts.latency[i]!),
        overLatencyLimit: String(charts.latency[i]! > params.limit),
        referenceMedianLatencyMs: num(Math.expm1(latency[0]!)),
      };
      FAILURES.forEach((code, k) => {
        const name = STATUS_NAMES[code]!.toLowerCase();
        evidence[`${name}EwmaSigmas`] = num(charts.failures[k]![i]!);
        evidence[`over${STATUS_NAMES[code]![0]}${name.slice(1)}Limit`] = String(charts.failures[k]![i]! > params.limit);
        evidence[`reference${STATUS_NAMES[code]![0]}${name.slice(1)}Rate`] = num(rates[k]!);
      });
      return evidence;
    });
    return { scores, flagged };
  },
};
