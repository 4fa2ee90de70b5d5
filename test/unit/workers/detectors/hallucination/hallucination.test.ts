/** The hallucination signals, the combined risk and the answer states, on hand-made traces. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../../../src/contracts/records.js';
import { answerState, responseState } from '../../../../../workers/detectors/hallucination/answer.js';
import { answerQualityDetector } from '../../../../../workers/detectors/hallucination/answer-quality.js';
import { parseHallucinationParams } from '../../../../../workers/detectors/hallucination/params.js';
import { hallucinationDetector, scoreTrace } from '../../../../../workers/detectors/hallucination/risk.js';
import { computeSignals } from '../../../../../workers/detectors/hallucination/signals.js';
import { groundedness, indexContexts } from '../../../../../workers/text/support.js';
import { sentences, stem, tokenize } from '../../../../../workers/text/tokens.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { makeColumns } from '../../helpers.js';

const params = parseHallucinationParams('hallucination', undefined);
const CONTEXT = 'The Tarvo Bridge is 1,250 metres long. It opened to traffic in 1931. The chief engineer was Greta Molin.';

function trace(over: Partial<LlmTrace>): LlmTrace {
  return { prompt: null, response: '', contexts: [], tokenLogprobs: [], responseEmbedding: null, contextEmbedding: null, samples: [], inputTokens: 0, outputTokens: 0, ...over };
}

describe('text utilities', () => {
  it('tokenises words and normalised numbers, splits sentences, stems alike', () => {
    expect(tokenize("It's 1,250.5 m; Zürich-born O'Neil.").map((t) => t.text)).toEqual(["It's", '1250.5', 'm', 'Zürich-born', "O'Neil"]);
    expect(sentences('One. Two 3.5 here! Three?\nFour').map((s) => 'One. Two 3.5 here! Three?\nFour'.slice(s.start, s.end).trim())).toEqual(['One.', 'Two 3.5 here!', 'Three?', 'Four']);
    expect([stem('bridges'), stem('opened'), stem('studies'), stem('engineering'), stem('boxes')]).toEqual(['bridge', 'open', 'study', 'engineer', 'box']);
  });

  it('supports sentences from the contexts and points at the one with an unsupported number', () => {
    const g = groundedness('The bridge opened in 1931. It is 1,900 metres long.', indexContexts([CONTEXT]), 0.6);
    expect(g.sentences.map((s) => s.unsupported)).toEqual([false, true]);
    expect(g.sentences[1]!.unsupportedTerms).toEqual(['1900']);
    expect(g.unsupportedSentences).toBe(1);
    // Weights: s1 bridge 1 + opened 1 + 1931 3; s2 1900 3 + metres 1 + long 1 → unsupported 3 of 10.
    expect(g.unsupportedShare).toBeCloseTo(3 / 10, 12);
    expect(g.unsupportedFactShare).toBeCloseTo(3 / 6, 12);
  });
});

describe('signals', () => {
  it('pins the uncertainty signal: mean, minimum, low share and longest low run', () => {
    const s = computeSignals(trace({ response: 'x.', tokenLogprobs: [-0.1, -3, -4, -0.1, -2.5, NaN, Infinity, -Infinity] }), params);
    // Valid: -0.1, -3, -4, -0.1, -2.5, -50 (−Infinity counts as −50). Low (< −2): 4, longest run 2 (−3, −4) then (−2.5, −50) → 2.
    expect(s.meanLogprob).toBeCloseTo(-59.7 / 6, 12);
    expect(s.minLogprob).toBe(-50);
    expect(s.lowShare).toBeCloseTo(4 / 6, 12);
    expect(s.longestLowRun).toBe(2);
    expect(s.uncertainty).toBeCloseTo(0.2 * 1 + 0.2 * 1 + 0.25 * (4 / 6) + 0.35 * (2 / 3), 12);
  });

  it('maps the cosine of the embeddings between cosineLow and cosineHigh, and ignores unusable ones', () => {
    const s = computeSignals(trace({ response: 'x.', responseEmbedding: [1, 0], contextEmbedding: [0.7, Math.sqrt(1 - 0.49)] }), params);
    expect(s.cosine).toBeCloseTo(0.7, 12);
    expect(s.embedding).toBeCloseTo((0.9 - 0.7) / 0.4, 12);
    for (const [a, b] of [
      [[1, 0], [1, 0, 0]],
      [[0, 0], [1, 0]],
      [[NaN, 1], [1, 0]],
      [[Infinity, 1], [1, 0]],
      [[], []],
    ]) {
      expect(computeSignals(trace({ response: 'x.', responseEmbedding: a!, contextEmbedding: b! }), params).embedding).toBeNaN();
    }
  });

  it('measures agreement with the samples on facts and content', () => {
    const agree = computeSignals(trace({ response: 'The bridge opened in 1931.', samples: ['The bridge opened in 1931.'] }), params);
    expect(agree.agreement).toBe(1);
    expect(agree.consistency).toBe(0);
    const differ = computeSignals(trace({ response: 'The bridge opened in 1931.', samples: ['The bridge opened in 1948.'] }), params);
    // Stems {bridg, open} shared, 1931 vs 1948 → jaccard 2/2... numbers are facts, not stems: 0.3 · 1 + 0.7 · 0.
    expect(differ.agreement).toBeCloseTo(0.3, 12);
    expect(differ.consistency).toBeCloseTo((0.7 - 0.3) / 0.5, 12);
  });

  it('combines only the signals present, with the configured weights', () => {
    const t = trace({ response: 'It opened in 1931.', contexts: [CONTEXT], tokenLogprobs: [-0.1, -0.1] });
    const s = computeSignals(t, params);
    expect(s.embedding).toBeNaN();
    expect(s.consistency).toBeNaN();
    expect(s.risk).toBeCloseTo((1 * s.uncertainty + 2 * s.groundedness) / 3, 12);
    const onlyGrounded = computeSignals(t, parseHallucinationParams('h', { weightUncertainty: 0 }));
    expect(onlyGrounded.risk).toBeCloseTo(onlyGrounded.groundedness, 12);
    expect(computeSignals(trace({ response: 'Hello.' }), params).risk).toBeNaN();
  });
});

describe('parameters', () => {
  it('validates weights, bounds and unknown keys by name', () => {
    expect(() => parseHallucinationParams('hallucination', { weightEmbedding: -1 })).toThrow(/"weightEmbedding" must be a number in \[0, 100\], got -1/);
    expect(() => parseHallucinationParams('hallucination', { weightUncertainty: 0, weightGroundedness: 0, weightEmbedding: 0, weightConsistency: 0 })).toThrow(/at least one of/);
    expect(() => parseHallucinationParams('hallucination', { cosineLow: 0.95 })).toThrow(/"cosineLow" \(0.95\) must be below "cosineHigh"/);
    expect(() => parseHallucinationParams('hallucination', { weight: 1 })).toThrow(/unknown parameter "weight"/);
    expect(() => parseHallucinationParams('hallucination', { maxResponseChars: '100' })).toThrow(/"maxResponseChars" must be an integer/);
    expect(() => hallucinationDetector.parseParams(null as unknown as Record<string, unknown>)).toThrow(/parameters must be an object/);
  });
});

describe('answer states', () => {
  it('tells refusals, empty and truncated answers from ordinary ones', () => {
    expect(answerState('   ')).toBe('empty');
    expect(answerState("I'm sorry, I can't help with that.")).toBe('refusal');
    expect(answerState('I\u2019m sorry, I can\u2019t help with that.')).toBe('refusal');
    expect(answerState('The context does not mention the architect.')).toBe('refusal');
    expect(answerState('The bridge opened in')).toBe('truncated');
    expect(answerState('The bridge opened in 1931...')).toBe('truncated');
    expect(answerState('The bridge opened in 1931.')).toBe('answer');
    expect(answerState('It opened in 1931 (see above)')).toBe('answer');
    expect(answerState('Die Brücke wurde 1931 eröffnet。')).toBe('answer');
    expect(responseState(42)).toBe('empty');
  });
});

describe('detectors over a batch', () => {
  const reference = buildReferenceProfile({ columns: makeColumns(10, 1, (_, i) => i), featureNames: ['x'], id: 'r' });
  const llm: (LlmTrace | null)[] = [
    trace({ response: 'The Tarvo Bridge opened to traffic in 1931.', contexts: [CONTEXT], tokenLogprobs: [-0.05, -0.1, -0.2] }),
    trace({ response: 'The Tarvo Bridge opened in 1931. Its engineer was Piet Vandermolen, who won the Laurel Prize in 1967.', contexts: [CONTEXT], tokenLogprobs: [-0.1, -3, -3.5, -4, -0.2], samples: ['It opened in 1931, designed by Greta Molin.'] }),
    null,
    trace({ response: 'I cannot answer that from the documents.', contexts: [CONTEXT] }),
    trace({ response: 'The Tarvo Bridge opened to traffic in', contexts: [CONTEXT] }),
  ];
  const columns: NumericColumns = { ...makeColumns(llm.length, 1, () => 0), llm };

  it('scores grounded answers low and fabricated ones high, pointing at the unsupported sentence', () => {
    const { scores, flagged } = hallucinationDetector.scoreEvents(columns, reference, params);
    expect(scores[0]).toBeLessThan(0.1);
    expect(scores[1]).toBeGreaterThan(0.5);
    expect(scores[2]).toBeNaN();
    expect(scores[3]).toBeNaN(); // a refusal is not a hallucination
    expect(scores[4]).toBeLessThan(0.3);
    expect(flagged.map((f) => f.row)).toEqual([1]);
    expect(flagged[0]!.evidence).toMatchObject({
      unsupportedSentenceIndex: '1',
      unsupportedSentence: 'Its engineer was Piet Vandermolen, who won the Laurel Prize in 1967.',
      unsupportedTerms: 'Piet, Vandermolen, Laurel, Prize, 1967',
      embedding: 'absent',
      truncated: 'false',
    });
  });

  it('flags refusals, empty and truncated answers in answer-quality, with the kind', () => {
    const { scores, flagged } = answerQualityDetector.scoreEvents(columns, reference, answerQualityDetector.parseParams(undefined));
    expect(Array.from(scores)).toEqual([0, 0, NaN, 1, 1]);
    expect(flagged.map((f) => [f.row, f.evidence['answer']])).toEqual([
      [3, 'refusal'],
      [4, 'truncated'],
    ]);
    const risk = scoreTrace(llm[4]!, params);
    expect(risk.truncated).toBe(true);
  });
});
