/**
 * Hallucination risk per LLM event: the weighted combination of uncertainty, groundedness, embedding
 * agreement and self-consistency (./signals.ts), in [0, 1]. Rows without a trace, and empty or refusing
 * answers (./answer.ts; the `answer-quality` detector flags those), score NaN. Flagged rows carry every
 * signal present and point at the first unsupported sentence (its index and a truncated excerpt).
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../src/contracts/records.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, FlaggedEvent } from '../types.js';
import { responseState } from './answer.js';
import { type HallucinationParams, parseHallucinationParams } from './params.js';
import { computeSignals, type Signals } from './signals.js';

const ID = 'hallucination';
/** Characters of the unsupported sentence quoted in evidence. */
const EXCERPT_CHARS = 160;

const fmt = (x: number): string => (Number.isFinite(x) ? String(Number(x.toFixed(4))) : 'absent');

export function evidenceOf(s: Signals, truncated: boolean): Record<string, string> {
  const evidence: Record<string, string> = {
    risk: fmt(s.risk),
    uncertainty: fmt(s.uncertainty),
    groundedness: fmt(s.groundedness),
    embedding: fmt(s.embedding),
    consistency: fmt(s.consistency),
    meanLogprob: fmt(s.meanLogprob),
    minLogprob: fmt(s.minLogprob),
    lowConfidenceShare: fmt(s.lowShare),
    longestLowConfidenceRun: fmt(s.longestLowRun),
    cosine: fmt(s.cosine),
    sampleAgreement: fmt(s.agreement),
    truncated: String(truncated),
  };
  if (s.support !== undefined) {
    evidence['unsupportedSentences'] = String(s.support.unsupportedSentences);
    evidence['sentences'] = String(s.support.sentences.length);
    const first = s.support.sentences.find((x) => x.unsupported);
    if (first !== undefined) {
      const text = s.answer.slice(first.start, first.end).trim();
      evidence['unsupportedSentenceIndex'] = String(first.index);
      evidence['unsupportedSentence'] = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
      evidence['unsupportedTerms'] = first.unsupportedTerms.join(', ');
    }
  }
  return evidence;
}

/** Risk of one trace (NaN for empty and refusing answers), with the signals behind it. */
export function scoreTrace(trace: LlmTrace, params: HallucinationParams): { risk: number; signals: Signals | undefined; truncated: boolean } {
  const state = responseState(trace.response);
  if (state === 'empty' || state === 'refusal') return { risk: NaN, signals: undefined, truncated: false };
  const signals = computeSignals(trace, params);
  return { risk: signals.risk, signals, truncated: state === 'truncated' };
}

export const hallucinationDetector: EventDetector<HallucinationParams> = {
  id: ID,
  kind: 'HALLUCINATION',
  description: 'Hallucination risk of an LLM answer: token uncertainty, groundedness in the contexts, embedding agreement, self-consistency',
  parseParams: (raw) => parseHallucinationParams(ID, raw),
  scoreEvents(columns: NumericColumns, _reference: ReferenceProfile, params: HallucinationParams): EventScores {
    const scores = new Float64Array(columns.count).fill(NaN);
    const flagged: FlaggedEvent[] = [];
    const llm = columns.llm;
    if (!Array.isArray(llm)) return { scores, flagged };
    for (let i = 0; i < columns.count; i++) {
      const trace = llm[i] as LlmTrace | null | undefined;
      if (trace === null || typeof trace !== 'object') continue;
      const { risk, signals, truncated } = scoreTrace(trace, params);
      scores[i] = risk;
      if (signals !== undefined && risk >= params.threshold) flagged.push({ row: i, score: risk, evidence: evidenceOf(signals, truncated) });
    }
    return { scores, flagged };
  },
};
