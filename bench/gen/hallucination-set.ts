/**
 * Writes the labelled hallucination evaluation set, test/fixtures/hallucination/eval-*.jsonl, from the
 * templates in ./topics.ts with a seeded generator (same seed, same bytes).
 * Usage: npx tsx bench/gen/hallucination-set.ts
 *
 * Each line: { id, topic, kind, label, trace } where `label` is 1 for an answer with an unsupported or
 * false fact, 0 for a grounded one, null for a refusal; `kind` says how it was made: grounded,
 * truncated (grounded, cut off), wrong-number, wrong-name, unsupported-claim, swapped-fact (a value
 * of another entity that the contexts do mention, so the words are all supported), refusal.
 *
 * The side signals are drawn to behave like real ones without being derived from the label alone:
 *   - token log-probabilities: a per-answer sampling temperature (a confounder affecting every token)
 *     and occasional hesitant tokens for every answer; the fabricated value's tokens are low-confidence
 *     for only about half of the hallucinations (models are often confidently wrong);
 *   - embeddings (24 dimensions): the contexts' topic vector plus noise; hallucinated answers drift
 *     from it by a random amount that is often small;
 *   - samples: grounded answers' samples mostly agree (sometimes one wobbles on a number);
 *     hallucinations are sometimes repeated consistently by every sample;
 *   - each side signal is present for only part of the examples (logprobs 80%, embeddings 70%,
 *     samples 50%), and grounded answers sometimes paraphrase or add a harmless unsupported sentence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmTrace } from '../../src/contracts/records.js';
import { mulberry32, normal } from '../../src/demo/random.js';
import { FILLER, HEDGES, REFUSALS, TOPICS, UNSUPPORTED, makeGen, type Gen, type Topic } from './topics.js';

export type Kind = 'grounded' | 'truncated' | 'wrong-number' | 'wrong-name' | 'unsupported-claim' | 'swapped-fact' | 'refusal';
export interface EvalExample {
  readonly id: string;
  readonly topic: string;
  readonly kind: Kind;
  readonly label: 0 | 1 | null;
  readonly trace: LlmTrace;
}

const SEED = 20261126;
const DIM = 24;
const SHARDS = 4;
const PLAN: readonly [Kind, number][] = [
  ['grounded', 170],
  ['truncated', 20],
  ['wrong-number', 45],
  ['wrong-name', 40],
  ['unsupported-claim', 40],
  ['swapped-fact', 45],
  ['refusal', 20],
];

type Entity = { name: string; values: Record<string, string> };

function entityOf(topic: Topic, g: Gen): Entity {
  const values: Record<string, string> = {};
  for (const a of topic.attrs) values[a.key] = a.make(g);
  return { name: topic.entity(g), values };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function unit(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

function example(index: number, kind: Kind, g: Gen, gauss: () => number): EvalExample {
  const topic = g.pick(TOPICS);
  const target = entityOf(topic, g);
  const others = [entityOf(topic, g), entityOf(topic, g)];
  // Contexts: the target's facts in one passage, two other entities of the same kind in the others.
  const passage = (e: Entity): string => {
    const parts = topic.attrs.map((a) => a.context(e.name, e.values[a.key]!));
    parts.splice(g.int(0, parts.length), 0, g.pick(FILLER));
    return parts.join(' ');
  };
  const contexts = [passage(target), ...others.map(passage)];
  for (let i = contexts.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [contexts[i], contexts[j]] = [contexts[j]!, contexts[i]!];
  }
  // Two attributes answered, at least one of the kind a corruption needs.
  const attrs = [...topic.attrs].sort(() => g.rng() - 0.5).slice(0, 2);
  const needs = kind === 'wrong-number' ? 'number' : kind === 'wrong-name' ? 'name' : undefined;
  if (needs !== undefined && !attrs.some((a) => a.kind === needs)) attrs[0] = topic.attrs.find((a) => a.kind === needs)!;
  const corrupt = kind === 'swapped-fact' ? attrs[0]! : attrs.find((a) => a.kind === needs) ?? attrs[0]!;

  const sentenceOf = (values: Record<string, string>, paraphrase: number): string =>
    attrs.map((a) => a.answer[g.rng() < paraphrase ? 1 : 0](target.name, values[a.key]!)).join(' ');
  const correct = { ...target.values };
  const wrong = { ...target.values };
  if (kind === 'wrong-number') {
    let v = corrupt.make(g);
    while (v === correct[corrupt.key] || contexts.some((c) => c.includes(v))) v = corrupt.make(g);
    wrong[corrupt.key] = v;
  } else if (kind === 'wrong-name') {
    wrong[corrupt.key] = corrupt.make(g);
  } else if (kind === 'swapped-fact') {
    wrong[corrupt.key] = others[0]!.values[corrupt.key]!;
  }
  const hallucinated = kind === 'wrong-number' || kind === 'wrong-name' || kind === 'unsupported-claim' || kind === 'swapped-fact';
  let response: string;
  if (kind === 'refusal') response = g.pick(REFUSALS);
  else {
    response = sentenceOf(hallucinated ? wrong : correct, 0.4);
    if (kind === 'unsupported-claim') response += ` ${g.pick(UNSUPPORTED)(target.name, g)}`;
    if (!hallucinated && g.rng() < 0.3) response += ` ${g.pick(HEDGES)}`;
    if (kind === 'truncated') {
      const words = response.split(' ');
      response = words.slice(0, g.int(Math.ceil(words.length / 2), words.length - 1)).join(' ').replace(/[.!?]$/, '');
    }
  }

  // Token log-probabilities.
  let tokenLogprobs: number[] = [];
  if (g.rng() < 0.8) {
    const temperature = 0.5 + 1.1 * g.rng();
    const n = g.int(14, 26);
    tokenLogprobs = Array.from({ length: n }, () => (g.rng() < 0.1 * temperature ? -(1.5 + 2.5 * g.rng()) : -0.03 - Math.abs(gauss() * 0.35 * temperature)));
    const unsure = kind === 'refusal' ? false : hallucinated ? g.rng() < (kind === 'swapped-fact' ? 0.4 : 0.55) : false;
    if (unsure) {
      const at = g.int(2, n - 4);
      const len = g.int(1, 3);
      for (let k = at; k < at + len; k++) tokenLogprobs[k] = -(2 + 3 * g.rng());
    }
    tokenLogprobs = tokenLogprobs.map(round3);
  }
  // Embeddings.
  let responseEmbedding: number[] | null = null;
  let contextEmbedding: number[] | null = null;
  if (g.rng() < 0.7) {
    const topicVec = unit(Array.from({ length: DIM }, gauss));
    const noise = (s: number): number[] => Array.from({ length: DIM }, () => (gauss() * s) / Math.sqrt(DIM));
    const drift = unit(Array.from({ length: DIM }, gauss));
    const amount = hallucinated ? 0.9 * g.rng() ** 1.5 : kind === 'refusal' ? 1 : 0.15 * g.rng();
    const c = noise(0.35);
    const r = noise(0.45);
    contextEmbedding = topicVec.map((x, k) => round3(x + c[k]!));
    responseEmbedding = topicVec.map((x, k) => round3(x + r[k]! + amount * drift[k]!));
  }
  // Samples.
  let samples: string[] = [];
  if (kind !== 'refusal' && g.rng() < 0.5) {
    const consistent = hallucinated && g.rng() < 0.3;
    samples = [0, 1, 2].map(() => {
      if (hallucinated && (consistent || g.rng() < 0.35)) return sentenceOf(wrong, 0.6);
      const values = { ...correct };
      if (g.rng() < 0.15) {
        const a = g.pick(attrs);
        values[a.key] = a.make(g);
      }
      return sentenceOf(values, 0.6);
    });
  }
  const trace: LlmTrace = {
    prompt: topic.question(target.name),
    response,
    contexts,
    tokenLogprobs,
    responseEmbedding,
    contextEmbedding,
    samples,
    inputTokens: g.int(150, 400),
    outputTokens: tokenLogprobs.length,
  };
  return { id: `hal-${String(index).padStart(4, '0')}`, topic: topic.name, kind, label: kind === 'refusal' ? null : hallucinated ? 1 : 0, trace };
}

export function generate(seed = SEED): EvalExample[] {
  const rng = mulberry32(seed);
  const g = makeGen(rng);
  const gauss = normal(rng);
  const kinds = PLAN.flatMap(([kind, n]) => Array.from({ length: n }, () => kind));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds.map((kind, i) => example(i, kind, g, gauss));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'hallucination');
  mkdirSync(out, { recursive: true });
  const all = generate();
  const per = Math.ceil(all.length / SHARDS);
  for (let s = 0; s < SHARDS; s++) {
    const lines = all.slice(s * per, (s + 1) * per).map((e) => JSON.stringify(e));
    writeFileSync(join(out, `eval-${s}.jsonl`), `${lines.join('\n')}\n`);
  }
  process.stdout.write(`${all.length} examples in ${SHARDS} files under ${out}\n`);
}
