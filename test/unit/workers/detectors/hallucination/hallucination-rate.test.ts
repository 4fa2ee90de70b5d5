/**
 * The window hallucination rate: the exact test against scipy, parameters, the same risk as the event
 * detector, a pinned alerting window, the stationary stream on which it must stay quiet, and windows
 * or references without LLM answers.
 */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../../../src/contracts/records.js';
import { parseConfigText } from '../../../../../src/config/load.js';
import { effectiveConfig } from '../../../../../src/config/models.js';
import { AssistantGenerator } from '../../../../../src/demo/assistant.js';
import { detectorParams } from '../../../../../src/pipeline/batch-parts.js';
import { classify, testScores } from '../../../../../src/pipeline/policy/thresholds.js';
import { fisherGreater } from '../../../../../workers/detectors/hallucination/exact-test.js';
import { hallucinationRateDetector as detector, type HallucinationRateParams } from '../../../../../workers/detectors/hallucination/hallucination-rate.js';
import { HALLUCINATION_SPEC } from '../../../../../workers/detectors/hallucination/params.js';
import { hallucinationDetector } from '../../../../../workers/detectors/hallucination/risk.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { makeColumns, mulberry32 } from '../../helpers.js';

const params = detector.parseParams(undefined);
/** Detector settings with hallucination-rate enabled alone, as the policy reads them. */
const enabledAlone = effectiveConfig(parseConfigText('detectors: { hallucination-rate: { enabled: true } }', 'vigil.yaml').config, 'assistant').detectors;

/** Grounded and unsupported answers of the demo's assistant (every one of the second kind states a wrong fact). */
function answers(seed: number, unsupported: boolean): () => LlmTrace {
  const generator = new AssistantGenerator({ modelId: 'assistant', modelVersion: '1', seed, hallucinateFrom: 0, hallucinationRate: unsupported ? 1 : 0 });
  return () => generator.next().llm!;
}

/** A batch of LLM events (no features) whose row i carries traces[i]. */
function llmColumns(traces: readonly (LlmTrace | null)[]): NumericColumns {
  return { ...makeColumns(traces.length, 0, () => 0), llm: traces };
}

/** `count` answers of which the rows where `unsupportedAt(i)` are unsupported. */
function batch(seed: number, count: number, unsupportedAt: (i: number) => boolean): NumericColumns {
  const grounded = answers(seed, false);
  const wrong = answers(seed + 1000, true);
  return llmColumns(Array.from({ length: count }, (_, i) => (unsupportedAt(i) ? wrong() : grounded())));
}

function prepared(columns: NumericColumns, p: HallucinationRateParams = params): ReferenceProfile {
  const profile = buildReferenceProfile({ columns, featureNames: [], id: 'assistant-ref' });
  return { ...profile, detectorData: { [detector.id]: detector.prepareReference!(columns, profile, p) } };
}

describe('one-sided Fisher exact test', () => {
  // scipy 1.17: scipy.stats.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]], alternative='greater').pvalue
  it.each([
    [30, 100, 20, 400, 4.007919143338306e-11],
    [3, 10, 0, 50, 0.0035067212156633543],
    [0, 10, 5, 55, 1.0],
    [12, 100, 5, 100, 0.06308943063184522],
    [200, 500, 50, 1000, 5.744844378964659e-63],
    [1, 2, 20, 400, 0.10187218520862024],
  ])('k1 %i of %i against k0 %i of %i: p = %f, as scipy', (k1, n1, k0, n0, expected) => {
    expect(Math.abs(fisherGreater(k1, n1, k0, n0) - expected)).toBeLessThanOrEqual(1e-9 * expected);
  });

  it('rejects counts that are not counts, naming them', () => {
    expect(() => fisherGreater(-1, 10, 0, 10)).toThrow(/k1 must be a non-negative integer/);
    expect(() => fisherGreater(1.5, 10, 0, 10)).toThrow(/k1 must be a non-negative integer/);
    expect(() => fisherGreater(11, 10, 0, 10)).toThrow(/counts exceed their totals/);
  });
});

describe('hallucination-rate parameters', () => {
  it("defaults to the event detector's threshold and risk parameters, alpha 0.05 and 10 answers", () => {
    expect(params.threshold).toBe(HALLUCINATION_SPEC['threshold']!.default);
    expect(params.weightGroundedness).toBe(HALLUCINATION_SPEC['weightGroundedness']!.default);
    expect(params.alpha).toBe(0.05);
    expect(params.minAnswers).toBe(10);
  });

  it('rejects unknown keys and bad values, naming the parameter', () => {
    expect(() => detector.parseParams({ alfa: 0.1 })).toThrow(/hallucination-rate: unknown parameter "alfa"; expected one of alpha, minAnswers, threshold/);
    expect(() => detector.parseParams({ alpha: 0 })).toThrow(/hallucination-rate: parameter "alpha" must be a number in \(0, 0.5\), got 0/);
    expect(() => detector.parseParams({ minAnswers: 2.5 })).toThrow(/parameter "minAnswers" must be an integer/);
    expect(() => detector.parseParams({ threshold: 1.5 })).toThrow(/hallucination-rate: parameter "threshold" must be a number in \[0, 1\], got 1.5/);
    expect(() => detector.parseParams({ cosineLow: 0.95 })).toThrow(/parameter "cosineLow" \(0.95\) must be below "cosineHigh"/);
    expect(() => detector.parseParams([] as unknown as Record<string, unknown>)).toThrow(/parameters must be an object/);
  });

  it("takes the event detector's configured risk parameters, its own winning", () => {
    const settings = effectiveConfig(
      parseConfigText('detectors: { hallucination: { enabled: true, params: { threshold: 0.5, weightConsistency: 0 } }, hallucination-rate: { enabled: true, params: { alpha: 0.01, threshold: 0.4 } } }', 'vigil.yaml').config,
      'assistant',
    );
    expect(detectorParams(settings)['hallucination-rate']).toEqual({ threshold: 0.4, weightConsistency: 0, alpha: 0.01 });
    const onlyEvent = effectiveConfig(parseConfigText('detectors: { hallucination: { enabled: true, params: { threshold: 0.5 } }, hallucination-rate: { enabled: true } }', 'vigil.yaml').config, 'assistant');
    expect(detector.parseParams(detectorParams(onlyEvent)['hallucination-rate']).threshold).toBe(0.5);
  });
});

describe('hallucination-rate scores', () => {
  it('counts exactly the answers the event detector flags, with the same risks', () => {
    const rng = mulberry32(5);
    const columns = batch(5, 200, () => rng() < 0.2);
    for (const raw of [undefined, { threshold: 0.2, weightUncertainty: 3 }]) {
      const p = detector.parseParams(raw);
      const events = hallucinationDetector.scoreEvents(columns, prepared(columns), hallucinationDetector.parseParams(raw));
      const { counts } = detector.summarize(columns, prepared(columns), p);
      const risks = Array.from(events.scores).filter((s) => !Number.isNaN(s));
      expect(counts[0]).toBe(risks.length);
      expect(counts[1]).toBe(events.flagged.length);
      expect(counts[3]).toBeCloseTo(risks.reduce((a, b) => a + b, 0), 9);
    }
  });

  it('alerts on a window where 30 % of answers are unsupported against a 5 % baseline, with p pinned', () => {
    const reference = prepared(batch(1, 400, (i) => i % 20 === 0));
    const window = batch(2, 100, (i) => i % 10 < 3);
    const [s, ...rest] = detector.score(detector.summarize(window, reference, params), reference, params);
    expect(rest).toEqual([]);
    // scipy.stats.fisher_exact([[30, 70], [20, 380]], alternative='greater').pvalue
    const p = 4.007919143338306e-11;
    expect(s!.evidence).toMatchObject({ windowFlagged: '30', windowAnswers: '100', windowRate: '0.3', baselineFlagged: '20', baselineAnswers: '400', baselineRate: '0.05', alpha: '0.05', exceeds: 'true' });
    expect(Math.abs(Number(s!.evidence['pValue']) - p)).toBeLessThanOrEqual(1e-9 * p);
    expect(s!.score).toBeCloseTo(-Math.log10(p), 8);
    // The mean risk (the rate without a threshold) is evidence, next to the baseline's.
    expect(Number(s!.evidence['windowMeanRisk'])).toBeGreaterThan(Number(s!.evidence['baselineMeanRisk']));
    const judged = testScores(enabledAlone, [s!]);
    expect(judged.scores[0]!.score).toBeCloseTo(-Math.log10(p), 8);
    expect(classify(judged.scores[0]!.score, judged.thresholds.get(detector.id)!).level).toBe('CRITICAL');
  });

  it('stays quiet on a stationary 5 % stream: at most alpha + 3 standard errors of 240 windows alert', () => {
    const rng = mulberry32(17);
    let alerts = 0;
    let windows = 0;
    // Eight references, thirty windows each: the false alarm rate over references, not of one lucky draw.
    for (let r = 0; r < 8; r++) {
      const reference = prepared(batch(100 + r, 400, () => rng() < 0.05));
      for (let w = 0; w < 30; w++) {
        const window = batch(1000 + 30 * r + w, 100, () => rng() < 0.05);
        const scores = detector.score(detector.summarize(window, reference, params), reference, params);
        const judged = testScores(enabledAlone, scores);
        const level = classify(judged.scores[0]!.score, judged.thresholds.get(detector.id)!).level;
        if (level !== 'none') alerts++;
        windows++;
      }
    }
    expect(windows).toBe(240);
    expect(alerts / windows).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 240));
  });

  it('scores nothing for windows without LLM answers or with fewer than minAnswers', () => {
    const reference = prepared(batch(1, 400, (i) => i % 20 === 0));
    const none = makeColumns(50, 2, () => 1);
    const refusals = llmColumns(Array.from({ length: 50 }, () => ({ ...answers(3, false)(), response: "I'm sorry, I cannot answer that." })));
    for (const columns of [none, refusals, batch(4, 9, () => true)]) {
      expect(detector.score(detector.summarize(columns, reference, params), reference, params)).toEqual([]);
    }
    expect(detector.summarize(refusals, reference, params).counts[2]).toBe(50);
  });

  it('says in one WARNING verdict per window, not a test, that a reference without LLM answers gives no baseline', () => {
    const reference = prepared(makeColumns(300, 2, () => 1));
    const scores = detector.score(detector.summarize(batch(6, 50, () => false), reference, params), reference, params);
    expect(scores).toHaveLength(1);
    expect(scores[0]!.evidence).toMatchObject({ baseline: 'none', drift: 'true', windowAnswers: '50' });
    expect(scores[0]!.evidence['reason']).toMatch(/reference "assistant-ref" has no scored LLM answers/);
    expect(scores[0]!.evidence['pValue']).toBeUndefined();
    const judged = testScores(enabledAlone, scores);
    expect(classify(judged.scores[0]!.score, judged.thresholds.get(detector.id)!).level).toBe('WARNING');
    // A reference the detector was not prepared for (enabled after the profile was built) says so too.
    const bare = { ...reference, detectorData: {} };
    expect(detector.score(detector.summarize(batch(6, 50, () => false), bare, params), bare, params)[0]!.evidence['reason']).toMatch(/not prepared/);
  });
});
