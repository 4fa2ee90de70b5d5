/**
 * The committed evaluation set (test/fixtures/hallucination, from bench/gen/hallucination-set.ts):
 * it is what it says it is, and the risk keeps separating it (the figures in
 * bench/results/hallucination-auroc.json come from the same evaluation).
 */
import { describe, expect, it } from 'vitest';
import { evaluate, loadEvalSet } from '../../../../../bench/hallucination-auroc.bench.js';
import { generate } from '../../../../../bench/gen/hallucination-set.js';

const examples = loadEvalSet();

describe('hallucination evaluation set', () => {
  it('is the generator output for its seed, at least 300 labelled examples of every kind', () => {
    expect(JSON.stringify(examples)).toBe(JSON.stringify(generate()));
    expect(examples.filter((e) => e.label !== null).length).toBeGreaterThanOrEqual(300);
    expect(new Set(examples.map((e) => e.kind))).toEqual(new Set(['grounded', 'truncated', 'wrong-number', 'wrong-name', 'unsupported-claim', 'swapped-fact', 'refusal']));
    expect(new Set(examples.map((e) => e.id)).size).toBe(examples.length);
  });

  it('keeps the risk AUROC at or above 0.85, above every single signal on the same examples', () => {
    const result = evaluate(examples) as { riskAuroc: number; perSignal: Record<string, { auroc: number; combinedRiskAurocOnSameExamples: number }> };
    expect(result.riskAuroc).toBeGreaterThanOrEqual(0.85);
    for (const [name, s] of Object.entries(result.perSignal)) {
      expect(s.combinedRiskAurocOnSameExamples, name).toBeGreaterThan(s.auroc);
      expect(s.auroc, `${name} alone is not the whole story`).toBeLessThan(0.85);
    }
  });

  it('tells every refusal and truncation from ordinary answers', () => {
    const result = evaluate(examples) as { answerQualityConfusion: Record<string, number> };
    expect(result.answerQualityConfusion).toEqual({ 'answer->answer': 340, 'truncated->truncated': 20, 'refusal->refusal': 20 });
  });
});

describe('evaluation set files', () => {
  it('stay small: each file under 300 KB, all under 1 MiB', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const dir = new URL('../../../../fixtures/hallucination/', import.meta.url);
    const sizes = readdirSync(dir).map((f) => statSync(new URL(f, dir)).size);
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect(size).toBeLessThan(300 * 1024);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(1024 * 1024);
  });
});
