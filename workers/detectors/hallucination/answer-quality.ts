/**
 * Answers that are not answers: empty, refusing, or cut off (./answer.ts). Kept apart from the
 * hallucination risk because they call for another response (a refusal rate is a product problem, a
 * truncation rate a serving limit), and scored 1 (flagged, with the kind in evidence) or 0; NaN for
 * rows without an LLM trace.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../src/contracts/records.js';
import { parseNumberParams } from '../anomaly/params.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorParams, EventDetector, EventScores, FlaggedEvent } from '../types.js';
import { responseState } from './answer.js';

const ID = 'answer-quality';

export const answerQualityDetector: EventDetector<DetectorParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Empty, refusing or truncated LLM answers (not hallucinations), flagged with their kind',
  parseParams: (raw) => parseNumberParams<DetectorParams>(ID, {}, raw),
  scoreEvents(columns: NumericColumns, _reference: ReferenceProfile): EventScores {
    const scores = new Float64Array(columns.count).fill(NaN);
    const flagged: FlaggedEvent[] = [];
    const llm = columns.llm;
    if (!Array.isArray(llm)) return { scores, flagged };
    for (let i = 0; i < columns.count; i++) {
      const trace = llm[i] as LlmTrace | null | undefined;
      if (trace === null || typeof trace !== 'object') continue;
      const response = trace.response as unknown;
      const state = responseState(response);
      scores[i] = state === 'answer' ? 0 : 1;
      if (state !== 'answer') flagged.push({ row: i, score: 1, evidence: { answer: state, responseChars: String(typeof response === 'string' ? response.length : 0) } });
    }
    return { scores, flagged };
  },
};
