/**
 * Window-level hallucination rate against the model version's baseline. Every LLM answer of a window
 * is scored with the per-event risk of the `hallucination` detector (./risk.ts `scoreTrace`, the same
 * parameters and weights; see `paramsFrom`); the rate is the share of scored answers whose risk is at
 * or above `threshold` (by default the event detector's). The baseline is the same share over the
 * reference events (prepareReference). Empty and refusing answers have no risk: they are counted apart
 * (`unscoredAnswers`) and left out of both rates, as the event detector leaves them to `answer-quality`.
 *
 * Test: the one-sided Fisher exact test that the window's rate exceeds the baseline's (./exact-test.ts,
 * exact at any sample size); the score is -log10 p, as src/pipeline/policy/thresholds.ts `testScores`
 * scores every test-based detector, so a threshold on it means what it means for the others. The
 * evidence gives both rates, the counts, the p-value and, next to them (evidence only), the mean risk of
 * the window and of the reference: the rate without a threshold.
 *
 * Windows without scored answers, or with fewer than `minAnswers`, score nothing. A reference without
 * scored answers gives no baseline: each window with answers then says so in one verdict-only score
 * (`drift: true`, `baseline: none` and the reason in its evidence: a WARNING), instead of a test
 * against nothing. A window is scored from the reference and itself only, so "once" is once per window;
 * the alert policy's hysteresis and silences decide how often it is notified.
 *
 * Summary (and prepared reference data) `counts`: [scored answers, answers at or over the threshold,
 * unscored answers, sum of the risks].
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../src/contracts/records.js';
import type { NumberSpec } from '../anomaly/params.js';
import { parseNumberParams } from '../anomaly/params.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';
import { fisherGreater } from './exact-test.js';
import { HALLUCINATION_SPEC, type HallucinationParams, parseHallucinationParams } from './params.js';
import { scoreTrace } from './risk.js';

export type HallucinationRateParams = HallucinationParams & { readonly alpha: number; readonly minAnswers: number };
export type RateSummary = { readonly counts: Float64Array };

const ID = 'hallucination-rate';
/** The event detector whose risk (and configured risk parameters) this detector uses. */
const RISK_DETECTOR = 'hallucination';
const VERSION = 1;
const SECTIONS = ['counts'] as const;
const SCORED = 0;
const FLAGGED = 1;
const UNSCORED = 2;
const RISK_SUM = 3;
const WIDTH = 4;

const OWN_SPEC: Readonly<Record<string, NumberSpec>> = {
  alpha: { default: 0.05, min: 0, max: 0.5, open: true },
  minAnswers: { default: 10, min: 1, max: 1e9, integer: true },
};

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): HallucinationRateParams {
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw new RangeError(`${ID}: parameters must be an object, got ${raw === null ? 'null' : typeof raw}`);
  }
  const risk: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (key in OWN_SPEC) own[key] = value;
    else if (key in HALLUCINATION_SPEC) risk[key] = value;
    else throw new RangeError(`${ID}: unknown parameter "${key}"; expected one of ${[...Object.keys(OWN_SPEC), ...Object.keys(HALLUCINATION_SPEC)].join(', ')}`);
  }
  return Object.freeze({ ...parseHallucinationParams(ID, risk), ...parseNumberParams<{ alpha: number; minAnswers: number }>(ID, OWN_SPEC, own) });
}

/** Counts of one batch's LLM answers: scored, flagged, unscored, risk sum. */
function countAnswers(columns: NumericColumns, params: HallucinationRateParams): Float64Array {
  const counts = new Float64Array(WIDTH);
  const llm = columns.llm;
  if (!Array.isArray(llm)) return counts;
  const rows = Math.min(llm.length, columns.count);
  for (let i = 0; i < rows; i++) {
    const trace = llm[i] as LlmTrace | null | undefined;
    if (trace === null || typeof trace !== 'object') continue;
    const { risk } = scoreTrace(trace, params);
    if (Number.isNaN(risk)) {
      counts[UNSCORED]!++;
      continue;
    }
    counts[SCORED]!++;
    counts[RISK_SUM]! += risk;
    if (risk >= params.threshold) counts[FLAGGED]!++;
  }
  return counts;
}

/** The reference's counts; null when not prepared. */
function baselineOf(reference: ReferenceProfile): Float64Array | null {
  const data = reference.detectorData?.[ID];
  if (data === undefined) return null;
  const counts = data['counts'];
  if (counts === undefined || counts.length !== WIDTH) throw new RangeError(`${ID}: reference "${reference.id}" carries prepared data of the wrong shape`);
  return counts;
}

const num = (x: number): string => String(x);

function score(summary: RateSummary, reference: ReferenceProfile, params: HallucinationRateParams): DetectorScore[] {
  const w = summary.counts;
  const n1 = w[SCORED]!;
  if (n1 === 0 || n1 < params.minAnswers) return [];
  const k1 = w[FLAGGED]!;
  const windowEvidence = {
    windowRate: num(k1 / n1),
    windowFlagged: num(k1),
    windowAnswers: num(n1),
    windowUnscoredAnswers: num(w[UNSCORED]!),
    windowMeanRisk: num(w[RISK_SUM]! / n1),
    threshold: num(params.threshold),
    referenceId: reference.id,
  };
  const base = baselineOf(reference);
  const n0 = base?.[SCORED] ?? 0;
  if (base === null || n0 === 0) {
    const reason = base === null ? 'the reference was not prepared for this detector' : `reference "${reference.id}" has no scored LLM answers`;
    return [{ detector: ID, feature: null, score: 1, evidence: { ...windowEvidence, baseline: 'none', reason: `${reason}: no baseline rate to test the window against`, drift: 'true' } }];
  }
  const k0 = base[FLAGGED]!;
  const p = fisherGreater(k1, n1, k0, n0);
  return [
    {
      detector: ID,
      feature: null,
      score: -Math.log10(Math.max(p, 1e-300)),
      evidence: {
        test: 'one-sided Fisher exact test, window rate > baseline rate',
        ...windowEvidence,
        baselineRate: num(k0 / n0),
        baselineFlagged: num(k0),
        baselineAnswers: num(n0),
        baselineMeanRisk: num(base[RISK_SUM]! / n0),
        pValue: num(p),
        adjustedPValue: num(p),
        alpha: num(params.alpha),
        exceeds: String(p <= params.alpha),
      },
    },
  ];
}

function decode(bytes: Uint8Array): RateSummary {
  const s = decodeSections(ID, VERSION, SECTIONS, bytes) as RateSummary;
  const c = s.counts;
  if (c.length !== WIDTH) throw new RangeError(`${ID}: invalid summary bytes (${c.length} counts, expected ${WIDTH})`);
  for (const i of [SCORED, FLAGGED, UNSCORED]) {
    if (!(Number.isSafeInteger(c[i]!) && c[i]! >= 0)) throw new RangeError(`${ID}: invalid summary bytes (count ${c[i]} is not a non-negative integer)`);
  }
  if (c[FLAGGED]! > c[SCORED]! || !(c[RISK_SUM]! >= 0 && c[RISK_SUM]! <= c[SCORED]! * (1 + 1e-12))) {
    throw new RangeError(`${ID}: invalid summary bytes (${c[FLAGGED]} flagged and a risk sum of ${c[RISK_SUM]} for ${c[SCORED]} answers)`);
  }
  return s;
}

export const hallucinationRateDetector: WindowDetector<RateSummary, HallucinationRateParams> = Object.freeze({
  id: ID,
  kind: 'HALLUCINATION' as const,
  stateVersion: VERSION,
  description: "Window hallucination rate (share of LLM answers at or over the hallucination risk threshold) against the reference's, one-sided Fisher exact test",
  paramsFrom: RISK_DETECTOR,
  parseParams,
  empty: (): RateSummary => ({ counts: new Float64Array(WIDTH) }),
  summarize: (columns: NumericColumns, _reference: ReferenceProfile, params: HallucinationRateParams): RateSummary => ({ counts: countAnswers(columns, params) }),
  merge: (a: RateSummary, b: RateSummary): RateSummary => sumSections(ID, SECTIONS, a, b) as RateSummary,
  score,
  encode: (summary: RateSummary): Uint8Array => encodeSections(ID, VERSION, SECTIONS, summary),
  decode,
  prepareReference: (columns: NumericColumns, _reference: ReferenceProfile, params: HallucinationRateParams): Summary => ({ counts: countAnswers(columns, params) }),
});
