/**
 * Parameters and decisions shared by the two-sample drift detectors: one parser for their flat
 * parameter objects (defaults, unknown keys and bad values rejected naming the parameter), and the
 * per-window decision across features (multiple-testing correction, verdict, evidence strings).
 */
import { CORRECTIONS, adjustPValues, perTestAlpha, type Correction } from '../../kernels/multitest.js';
import type { DetectorParams, DetectorScore } from '../types.js';

export type ParamSpec =
  | { readonly kind: 'number'; readonly default: number; readonly min: number; readonly max: number; readonly integer?: boolean; readonly exclusiveMin?: boolean }
  | { readonly kind: 'enum'; readonly default: string; readonly values: readonly string[] };

/** Validates `raw` against `spec`: every key known, every value of its kind and range; frozen. */
export function parseParams<P extends DetectorParams>(id: string, spec: Readonly<Record<string, ParamSpec>>, raw: Readonly<Record<string, unknown>> | undefined): P {
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(raw ?? {})) {
    if (!(key in spec)) throw new RangeError(`${id}: unknown parameter "${key}"; expected one of ${Object.keys(spec).join(', ')}`);
  }
  for (const [key, s] of Object.entries(spec)) {
    const value = raw?.[key] ?? s.default;
    if (s.kind === 'enum') {
      if (typeof value !== 'string' || !s.values.includes(value)) {
        throw new RangeError(`${id}: parameter "${key}" must be one of ${s.values.join(', ')}, got ${JSON.stringify(value)}`);
      }
      out[key] = value;
    } else {
      const lowOk = typeof value === 'number' && (s.exclusiveMin ? value > s.min : value >= s.min);
      if (typeof value !== 'number' || !Number.isFinite(value) || !lowOk || value > s.max || (s.integer === true && !Number.isSafeInteger(value))) {
        const range = `${s.exclusiveMin ? '>' : '>='} ${s.min} and <= ${s.max}`;
        throw new RangeError(`${id}: parameter "${key}" must be ${s.integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value)}`);
      }
      out[key] = value;
    }
  }
  return Object.freeze(out) as P;
}

export const ALPHA: ParamSpec = { kind: 'number', default: 0.05, min: 0, max: 0.5, exclusiveMin: true };
export const CORRECTION: ParamSpec = { kind: 'enum', default: 'bh', values: CORRECTIONS };
export const MIN_COUNT: ParamSpec = { kind: 'number', default: 30, min: 2, max: 1e9, integer: true };

/** Number as evidence: full precision, so a report can be checked against a peer. */
export const num = (value: number): string => (Number.isFinite(value) ? String(value) : String(value));

/** One feature's test result before the correction across features. */
export interface FeatureTest {
  readonly feature: string;
  readonly statistic: number;
  readonly pValue: number;
  readonly evidence: Record<string, string>;
}

/**
 * Applies the correction across the window's features and writes the verdict into each evidence:
 * `pValue`, `adjustedPValue`, `alpha`, `correction`, `tests`, `threshold` (the per-test p-value level
 * for Bonferroni and none; the Benjamini–Hochberg cut-off reached, or "none reached", for bh) and
 * `drift` ("true" when the adjusted p-value is at or below alpha).
 */
export function decide(tests: readonly FeatureTest[], alpha: number, correction: Correction): void {
  const p = Float64Array.from(tests, (t) => t.pValue);
  const adjusted = new Float64Array(p.length);
  adjustPValues(p, p.length, correction, adjusted);
  let bhCut = -Infinity;
  if (correction === 'bh') for (let i = 0; i < p.length; i++) if (adjusted[i]! <= alpha && p[i]! > bhCut) bhCut = p[i]!;
  const level = perTestAlpha(alpha, p.length, correction);
  tests.forEach((t, i) => {
    const e = t.evidence;
    e['pValue'] = num(p[i]!);
    e['adjustedPValue'] = num(adjusted[i]!);
    e['alpha'] = num(alpha);
    e['correction'] = correction;
    e['tests'] = String(p.length);
    e['threshold'] = correction === 'bh' ? (bhCut === -Infinity ? 'none reached' : `p <= ${num(bhCut)}`) : `p <= ${num(level)}`;
    e['drift'] = String(adjusted[i]! <= alpha);
  });
}

/** The tests of a detector corrected across features (decide), as its scores: the statistic, the verdict in the evidence. */
export function correctedScores(id: string, tests: readonly FeatureTest[], params: { readonly alpha: number; readonly correction: Correction }): DetectorScore[] {
  decide(tests, params.alpha, params.correction);
  return tests.map((t) => ({ detector: id, feature: t.feature, score: t.statistic, evidence: t.evidence }));
}
