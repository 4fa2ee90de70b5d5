/**
 * How well the hallucination risk separates grounded answers from answers with unsupported or false
 * facts on the labelled evaluation set (test/fixtures/hallucination, made by
 * bench/gen/hallucination-set.ts): AUROC of the combined risk (target >= 0.85) and of every signal on
 * its own, each signal compared with the combined risk on the same examples (those where the signal is
 * present), plus how the answer-quality detector finds refusals and truncations. Default parameters.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmTrace } from '../src/contracts/records.js';
import { responseState } from '../workers/detectors/hallucination/answer.js';
import { parseHallucinationParams } from '../workers/detectors/hallucination/params.js';
import { scoreTrace } from '../workers/detectors/hallucination/risk.js';
import { auroc } from '../workers/kernels/auroc.js';
import { generate } from './gen/hallucination-set.js';
import type { Scenario } from './run.js';

interface Example {
  readonly id: string;
  readonly kind: string;
  readonly label: 0 | 1 | null;
  readonly trace: LlmTrace;
}

const SIGNALS = ['uncertainty', 'groundedness', 'embedding', 'consistency'] as const;
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export function loadEvalSet(): Example[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'hallucination');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Example),
    );
}

export function evaluate(examples: readonly Example[]): Record<string, unknown> {
  const params = parseHallucinationParams('hallucination', undefined);
  const labelled = examples.filter((e) => e.label !== null);
  const labels = labelled.map((e) => e.label as number);
  const scored = labelled.map((e) => scoreTrace(e.trace, params));
  const risk = scored.map((s) => s.risk);
  const perSignal: Record<string, unknown> = {};
  for (const name of SIGNALS) {
    const values = scored.map((s) => s.signals?.[name] ?? NaN);
    const present = values.map((v) => v === v);
    const riskSame = risk.map((r, i) => (present[i] ? r : NaN));
    perSignal[name] = {
      present: present.filter(Boolean).length,
      auroc: r4(auroc(values, labels)),
      combinedRiskAurocOnSameExamples: r4(auroc(riskSame, labels)),
      aurocAllExamplesAbsentAsZero: r4(auroc(values.map((v) => (v === v ? v : 0)), labels)),
    };
  }
  const byKind: Record<string, unknown> = {};
  for (const kind of [...new Set(labelled.map((e) => e.kind))].sort()) {
    if (labelled.some((e) => e.kind === kind && e.label === 0)) continue;
    const keep = labelled.map((e) => e.kind === kind || e.label === 0);
    byKind[kind] = r4(auroc(risk.map((r, i) => (keep[i] ? r : NaN)), labels));
  }
  const positives = labels.filter((l) => l === 1).length;
  const at = (threshold: number): Record<string, number> => {
    const tp = risk.filter((r, i) => r >= threshold && labels[i] === 1).length;
    const fp = risk.filter((r, i) => r >= threshold && labels[i] === 0).length;
    return { threshold, recall: r4(tp / positives), falsePositiveRate: r4(fp / (labelled.length - positives)) };
  };
  // Answer quality: refusals and truncations against ordinary answers.
  const states = examples.map((e) => responseState(e.trace.response));
  const expected = examples.map((e) => (e.kind === 'refusal' ? 'refusal' : e.kind === 'truncated' ? 'truncated' : 'answer'));
  const confusion: Record<string, number> = {};
  states.forEach((s, i) => {
    const key = `${expected[i]}->${s}`;
    confusion[key] = (confusion[key] ?? 0) + 1;
  });
  return {
    examples: examples.length,
    labelled: labelled.length,
    hallucinated: positives,
    riskScored: risk.filter((r) => r === r).length,
    riskAuroc: r4(auroc(risk, labels)),
    target: 0.85,
    perSignal,
    riskAurocByKindAgainstGrounded: byKind,
    defaultThreshold: at(params.threshold),
    thresholds: [0.2, 0.25, 0.3, 0.35, 0.4, 0.5].map(at),
    answerQualityConfusion: confusion,
  };
}

const scenario: Scenario = {
  name: 'hallucination-auroc',
  description: 'AUROC of the hallucination risk and of each signal on the labelled evaluation set (test/fixtures/hallucination)',
  async run() {
    const loadStart = loadavg()[0]!;
    const results = evaluate(loadEvalSet());
    // The signals' design and the default threshold were settled looking at the committed set; sets drawn
    // from other seeds of the same generator show how much of the figure is fitted to that one sample.
    const otherSeeds = [1, 2, 3].map((s) => {
      const r = evaluate(generate(s)) as { riskAuroc: number };
      return { seed: s, riskAuroc: r.riskAuroc };
    });
    const loadEnd = loadavg()[0]!;
    return {
      ...results,
      riskAurocOnSetsFromOtherSeeds: otherSeeds,
      loadAverage1m: { start: r4(loadStart), end: r4(loadEnd) },
      notes: `Accuracy, not speed: machine load does not change these numbers.${loadStart > 1.5 || loadEnd > 1.5 ? ` The machine was shared and under load (1-minute load average ${r4(loadStart)} at start, ${r4(loadEnd)} at end, > 1.5).` : ''}`,
    };
  },
};
export default scenario;
