/**
 * Lexical support of an answer by its contexts: which of the answer's content units the retrieved
 * passages contain. Units per sentence, with weights for how much a wrong one would matter:
 *   - numbers (weight 3): normalised digits must appear as a number in the contexts;
 *   - names (weight 2): capitalised words not opening the sentence, supported by the same word in any
 *     case anywhere in the contexts;
 *   - content words (weight 1, +1 for rare terms of 9 letters or more): non-stopwords of 3 letters or
 *     more, supported by the same stem in the contexts.
 * A sentence is unsupported when less than `minSupport` of its weight is supported, or when any of its
 * numbers or names is not. Lexical support cannot see a supported word used in a false claim; that is
 * what the other signals are for.
 */
import { sentences, termOf, tokenize } from './tokens.js';

export interface ContextIndex {
  /** Lower-cased non-stopwords of the contexts and their stems, in one set (a word equal to a stem is the same word). */
  readonly terms: ReadonlySet<string>;
  readonly numbers: ReadonlySet<string>;
}

export interface SentenceSupport {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly weight: number;
  readonly supported: number;
  readonly unsupportedTerms: readonly string[];
  readonly unsupported: boolean;
}

export interface Groundedness {
  /** Unsupported share of the answer's content weight, in [0, 1]; NaN when it has no content unit. */
  readonly unsupportedShare: number;
  /** Unsupported share of the weight of its numbers and names only; NaN when it has none. */
  readonly unsupportedFactShare: number;
  readonly sentences: readonly SentenceSupport[];
  readonly unsupportedSentences: number;
}

/** Unsupported terms kept per sentence, for evidence. */
const TERMS_KEPT = 5;

export function indexContexts(contexts: readonly string[]): ContextIndex {
  const terms = new Set<string>();
  const numbers = new Set<string>();
  for (const context of contexts) {
    for (const t of tokenize(context)) {
      if (t.kind === 'number') numbers.add(t.text);
      else {
        const lower = t.text.toLowerCase();
        const term = termOf(lower);
        // Stopwords are never looked up (see groundedness).
        if (term === '') continue;
        terms.add(lower);
        terms.add(term);
      }
    }
  }
  return { terms, numbers };
}

function isCapitalised(word: string): boolean {
  const first = word[0]!;
  return first !== first.toLowerCase() && first === first.toUpperCase();
}

export function groundedness(answer: string, index: ContextIndex, minSupport: number): Groundedness {
  const spans = sentences(answer);
  const result: SentenceSupport[] = [];
  let totalWeight = 0;
  let totalSupported = 0;
  let factWeight = 0;
  let factSupported = 0;
  let unsupportedSentences = 0;
  spans.forEach((span, s) => {
    const tokens = tokenize(answer.slice(span.start, span.end));
    let weight = 0;
    let supported = 0;
    let hardMiss = false;
    const missing: string[] = [];
    const missingFacts: string[] = [];
    tokens.forEach((t, k) => {
      let w: number;
      let ok: boolean;
      let fact = true;
      if (t.kind === 'number') {
        w = 3;
        ok = index.numbers.has(t.text);
        factWeight += w;
        if (ok) factSupported += w;
        else hardMiss = true;
      } else {
        const lower = t.text.toLowerCase();
        const term = termOf(lower);
        if (term === '') return;
        if (k > 0 && isCapitalised(t.text)) {
          w = 2;
          ok = index.terms.has(lower) || index.terms.has(term);
          factWeight += w;
          if (ok) factSupported += w;
          else hardMiss = true;
        } else {
          if (lower.length < 3) return;
          fact = false;
          w = lower.length >= 9 ? 2 : 1;
          ok = index.terms.has(term);
        }
      }
      weight += w;
      if (ok) supported += w;
      else {
        const list = fact ? missingFacts : missing;
        if (list.length < TERMS_KEPT) list.push(t.text);
      }
    });
    const unsupported = weight > 0 && (hardMiss || supported < minSupport * weight);
    if (unsupported) unsupportedSentences++;
    totalWeight += weight;
    totalSupported += supported;
    // Numbers and names first: they are what a reader checks.
    const unsupportedTerms = [...missingFacts, ...missing].slice(0, TERMS_KEPT);
    result.push({ index: s, start: span.start, end: span.end, weight, supported, unsupportedTerms, unsupported });
  });
  return {
    unsupportedShare: totalWeight > 0 ? 1 - totalSupported / totalWeight : NaN,
    unsupportedFactShare: factWeight > 0 ? 1 - factSupported / factWeight : NaN,
    sentences: result,
    unsupportedSentences,
  };
}

/**
 * Content stems and key facts of a text, for agreement between answers: the facts are its numbers and
 * its names (capitalised words not opening a sentence, lower-cased).
 */
export function contentOf(text: string): { stems: Set<string>; facts: Set<string> } {
  const stems = new Set<string>();
  const facts = new Set<string>();
  for (const span of sentences(text)) {
    tokenize(text.slice(span.start, span.end)).forEach((t, k) => {
      if (t.kind === 'number') facts.add(t.text);
      else {
        const lower = t.text.toLowerCase();
        const term = termOf(lower);
        if (term === '') return;
        if (k > 0 && isCapitalised(t.text)) facts.add(lower);
        if (lower.length >= 3) stems.add(term);
      }
    });
  }
  return { stems, facts };
}
