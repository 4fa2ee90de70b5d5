/**
 * The per-event hallucination signals, each in [0, 1] (higher = riskier) or NaN when its input is
 * absent, and their weighted combination.
 *
 *   uncertainty   from tokenLogprobs: 0.2·clamp(−mean / 1.5) + 0.2·clamp(−min / 8)
 *                 + 0.25·(share of tokens below lowLogprob) + 0.35·clamp(longest low run / 3);
 *                 non-finite log-probabilities are skipped (−Infinity counts as −50).
 *   groundedness  max(unsupported share of the weight of the answer's numbers and names,
 *                 0.6 × unsupported share of all its content weight) (workers/text/support.ts).
 *   embedding     clamp((cosineHigh − cos) / (cosineHigh − cosineLow)) of responseEmbedding and
 *                 contextEmbedding; absent when either is missing, of other dimensions, zero or not finite.
 *   consistency   from the mean agreement a with the samples; agreement with one sample is
 *                 0.3 × the Jaccard index of content stems + 0.7 × the share of the answer's numbers
 *                 and names the sample repeats (the Jaccard index alone when it has none);
 *                 mapped by clamp((0.7 − a) / 0.5).
 *   risk          Σ wₛ·signalₛ / Σ wₛ over the signals present (NaN when none is).
 */
import type { LlmTrace } from '../../../src/contracts/records.js';
import { contentOf, groundedness, indexContexts, type Groundedness } from '../../text/support.js';
import type { HallucinationParams } from './params.js';

export interface Signals {
  readonly uncertainty: number;
  readonly groundedness: number;
  readonly embedding: number;
  readonly consistency: number;
  readonly risk: number;
  /** Details for evidence. */
  readonly meanLogprob: number;
  readonly minLogprob: number;
  readonly lowShare: number;
  readonly longestLowRun: number;
  readonly cosine: number;
  readonly agreement: number;
  readonly support: Groundedness | undefined;
  readonly answer: string;
}

const clamp = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

function uncertainty(logprobs: unknown, p: HallucinationParams): [number, number, number, number, number] {
  if (!Array.isArray(logprobs)) return [NaN, NaN, NaN, NaN, NaN];
  const n = Math.min(logprobs.length, p.maxTokens);
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let low = 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    let l = logprobs[i] as unknown;
    if (typeof l !== 'number' || l !== l || l === Infinity || l > 0) continue;
    if (l === -Infinity || l < -50) l = -50;
    const v = l as number;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v < p.lowLogprob) {
      low++;
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  if (count === 0) return [NaN, NaN, NaN, NaN, NaN];
  const mean = sum / count;
  const share = low / count;
  const signal = 0.2 * clamp(-mean / 1.5) + 0.2 * clamp(-min / 8) + 0.25 * share + 0.35 * clamp(longest / 3);
  return [signal, mean, min, share, longest];
}

/** Facts (numbers, names) dominate: a paraphrase leaves words unsupported, a false fact leaves a fact unsupported. */
function groundednessSignal(share: number, factShare: number): number {
  if (share !== share) return NaN;
  return factShare === factShare ? Math.max(factShare, 0.6 * share) : 0.6 * share;
}

function cosine(a: unknown, b: unknown, maxDim: number): number {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length === 0 || a.length > maxDim) return NaN;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown;
    const y = b[i] as unknown;
    if (typeof x !== 'number' || typeof y !== 'number') return NaN;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!Number.isFinite(dot) || !Number.isFinite(na) || !Number.isFinite(nb) || na === 0 || nb === 0) return NaN;
  const c = dot / Math.sqrt(na * nb);
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

function strings(list: unknown, maxItems: number, maxChars: number): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (let i = 0; i < list.length && out.length < maxItems; i++) {
    const s = list[i] as unknown;
    if (typeof s === 'string') out.push(s.length > maxChars ? s.slice(0, maxChars) : s);
  }
  return out;
}

function agreementWith(answer: { stems: Set<string>; facts: Set<string> }, sample: string): number {
  const other = contentOf(sample);
  let shared = 0;
  for (const s of answer.stems) if (other.stems.has(s)) shared++;
  const union = answer.stems.size + other.stems.size - shared;
  const jaccard = union > 0 ? shared / union : 1;
  if (answer.facts.size === 0) return jaccard;
  let repeated = 0;
  for (const x of answer.facts) if (other.facts.has(x)) repeated++;
  return 0.3 * jaccard + 0.7 * (repeated / answer.facts.size);
}

/** The answer text as read: a string cut to maxResponseChars ('' for anything else). */
export function answerText(trace: LlmTrace, p: HallucinationParams): string {
  const r = trace.response as unknown;
  if (typeof r !== 'string') return '';
  return r.length > p.maxResponseChars ? r.slice(0, p.maxResponseChars) : r;
}

export function computeSignals(trace: LlmTrace, p: HallucinationParams): Signals {
  const answer = answerText(trace, p);
  const [u, meanLogprob, minLogprob, lowShare, longestLowRun] = uncertainty(trace.tokenLogprobs, p);
  const contexts = strings(trace.contexts, p.maxContexts, p.maxContextChars);
  const support = contexts.length > 0 ? groundedness(answer, indexContexts(contexts), p.minSupport) : undefined;
  const g = support === undefined ? NaN : groundednessSignal(support.unsupportedShare, support.unsupportedFactShare);
  const cos = cosine(trace.responseEmbedding, trace.contextEmbedding, p.maxEmbeddingDim);
  const e = cos === cos ? clamp((p.cosineHigh - cos) / (p.cosineHigh - p.cosineLow)) : NaN;
  const samples = strings(trace.samples, p.maxSamples, p.maxResponseChars);
  let agreement = NaN;
  if (samples.length > 0) {
    const own = contentOf(answer);
    let sum = 0;
    for (const s of samples) sum += agreementWith(own, s);
    agreement = sum / samples.length;
  }
  const c = agreement === agreement ? clamp((0.7 - agreement) / 0.5) : NaN;
  let num = 0;
  let den = 0;
  for (const [signal, w] of [
    [u, p.weightUncertainty],
    [g, p.weightGroundedness],
    [e, p.weightEmbedding],
    [c, p.weightConsistency],
  ] as const) {
    if (signal === signal && w > 0) {
      num += w * signal;
      den += w;
    }
  }
  return {
    uncertainty: u,
    groundedness: g,
    embedding: e,
    consistency: c,
    risk: den > 0 ? num / den : NaN,
    meanLogprob,
    minLogprob,
    lowShare,
    longestLowRun,
    cosine: cos,
    agreement,
    support,
    answer,
  };
}
