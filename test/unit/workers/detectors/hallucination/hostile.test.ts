/**
 * Hostile LLM traces: empty and huge strings, NaN and infinities, mismatched embedding dimensions,
 * wrong types where the schema promises others, unicode. Every row scores NaN or a value in [0, 1],
 * nothing throws, and the time per event stays bounded by the caps, not by the input size.
 */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../../../src/contracts/records.js';
import { answerQualityDetector } from '../../../../../workers/detectors/hallucination/answer-quality.js';
import { hallucinationDetector } from '../../../../../workers/detectors/hallucination/risk.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { makeColumns } from '../../helpers.js';

const reference = buildReferenceProfile({ columns: makeColumns(10, 1, (_, i) => i), featureNames: ['x'], id: 'r' });
const TEN_MB = 10 * 1024 * 1024;

function trace(over: Partial<LlmTrace> | Record<string, unknown>): LlmTrace {
  return { prompt: null, response: 'Fine.', contexts: ['Fine.'], tokenLogprobs: [], responseEmbedding: null, contextEmbedding: null, samples: [], inputTokens: 0, outputTokens: 0, ...over } as LlmTrace;
}

function score(traces: unknown[]): { hallucination: Float64Array; quality: Float64Array; ms: number } {
  const columns: NumericColumns = { ...makeColumns(traces.length, 1, () => 0), llm: traces as (LlmTrace | null)[] };
  const start = performance.now();
  const h = hallucinationDetector.scoreEvents(columns, reference, hallucinationDetector.parseParams(undefined));
  const q = answerQualityDetector.scoreEvents(columns, reference, answerQualityDetector.parseParams(undefined));
  return { hallucination: h.scores, quality: q.scores, ms: performance.now() - start };
}

function expectValid(scores: Float64Array): void {
  for (const s of scores) expect(Number.isNaN(s) || (s >= 0 && s <= 1), String(s)).toBe(true);
}

describe('hostile traces', () => {
  it('scores empty strings and lists as NaN or valid', () => {
    const r = score([trace({ response: '', contexts: [], samples: [''] }), trace({ response: 'Yes.', contexts: [''], samples: ['', ''] }), trace({ response: '...' })]);
    expectValid(r.hallucination);
    expect(r.hallucination[0]).toBeNaN();
    expect(Array.from(r.quality)).toEqual([1, 0, 1]);
  });

  it('keeps the work per event bounded for 10 MB responses, contexts and samples', () => {
    const word = 'lorem ipsum 1234 Dolor sit amet. ';
    const huge = word.repeat(Math.ceil(TEN_MB / word.length));
    const digits = '9'.repeat(TEN_MB);
    const noSpace = 'x'.repeat(TEN_MB);
    const small = score([trace({ response: word, contexts: [word], samples: [word] })]);
    const r = score([
      trace({ response: huge, contexts: [huge, huge, huge], samples: [huge, huge] }),
      trace({ response: digits, contexts: [digits] }),
      trace({ response: noSpace, contexts: [noSpace], samples: Array.from({ length: 10_000 }, () => noSpace) }),
      trace({ response: 'A.', tokenLogprobs: new Array(5_000_000).fill(-0.5) }),
    ]);
    expectValid(r.hallucination);
    expect(r.hallucination.every((s) => !Number.isNaN(s))).toBe(true);
    // The caps (8,000 response characters, 16 × 20,000 context characters, 8 samples, 4,096 tokens)
    // bound the work: well under a second for all four, on a loaded machine.
    expect(r.ms, `took ${r.ms} ms (a small trace: ${small.ms} ms)`).toBeLessThan(2_000);
  });

  it('skips NaN and infinite log-probabilities and drops unusable embeddings', () => {
    const r = score([
      trace({ tokenLogprobs: [NaN, Infinity, -Infinity, 1e308, -1e308] }),
      trace({ tokenLogprobs: [NaN, NaN] }),
      trace({ responseEmbedding: [NaN, 1], contextEmbedding: [1, 1] }),
      trace({ responseEmbedding: [Infinity, 1], contextEmbedding: [1, 1] }),
      trace({ responseEmbedding: [1e200, 1e200], contextEmbedding: [1e200, 1e200] }),
      trace({ responseEmbedding: new Array(384).fill(0.1), contextEmbedding: new Array(383).fill(0.1) }),
      trace({ responseEmbedding: new Array(100_000).fill(0.1), contextEmbedding: new Array(100_000).fill(0.1) }),
    ]);
    expectValid(r.hallucination);
  });

  it('treats values of the wrong type as absent instead of failing', () => {
    const r = score([
      trace({ response: 42 }),
      trace({ contexts: 'not a list' }),
      trace({ contexts: [1, null, { a: 1 }, 'Fine.'] }),
      trace({ tokenLogprobs: ['-1', null, {}] }),
      trace({ responseEmbedding: 'x', contextEmbedding: [1] }),
      trace({ responseEmbedding: ['1', 2], contextEmbedding: [1, 2] }),
      trace({ samples: [null, 3, 'Fine.'] }),
      null,
      undefined,
      'a string',
      7,
    ]);
    expectValid(r.hallucination);
    expect(r.quality[0]).toBe(1); // a non-string response is empty
    expect(r.hallucination[7]).toBeNaN();
    expect(r.hallucination[9]).toBeNaN();
  });

  it('reads unicode text: accents, CJK, emoji, right-to-left, lone surrogates, zero-width characters', () => {
    const r = score([
      trace({ response: 'Zürich hat 1.250 Einwohner.', contexts: ['Zürich hat 1.250 Einwohner.'] }),
      trace({ response: '東京タワーは1958年に完成した。', contexts: ['東京タワーは1958年に完成した。'] }),
      trace({ response: '🚀🚀🚀 launched in 2020 🚀.', contexts: ['🚀 launched in 2020.'] }),
      trace({ response: 'مرحبا بالعالم 42.', contexts: ['مرحبا'] }),
      trace({ response: '\ud800\udc00\ud800 broken \udfff.', contexts: ['\ud800'] }),
      trace({ response: 'A\u200bB\u200d\ufeff C.', contexts: ['A B C'] }),
    ]);
    expectValid(r.hallucination);
    expect(r.hallucination[0]).toBeLessThan(0.3);
  });
});

describe('detectors over a batch without LLM traces', () => {
  it('score every row NaN', () => {
    const columns = makeColumns(5, 1, () => 0);
    expect(Array.from(hallucinationDetector.scoreEvents(columns, reference, hallucinationDetector.parseParams(undefined)).scores).every(Number.isNaN)).toBe(true);
    expect(Array.from(answerQualityDetector.scoreEvents(columns, reference, answerQualityDetector.parseParams(undefined)).scores).every(Number.isNaN)).toBe(true);
  });
});
