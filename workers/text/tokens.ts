/**
 * Plain-text utilities for groundedness and self-consistency: bounded sentence splitting, word
 * tokens with a crude suffix stemmer, number normalisation and a stopword list. Everything is linear
 * in the (already capped) text: no backtracking regular expression, no per-character allocation
 * beyond the tokens themselves.
 */

/** English function words that carry no claim of their own (lower case). */
const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each ' +
    'few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once ' +
    'only or other our ours ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under ' +
    'until up very was we were what when where which while who whom why will with would you your yours yourself yourselves may might must shall one ones per via yes '
  )
    .trim()
    .split(/\s+/),
);

export function isStopword(lower: string): boolean {
  return STOPWORDS.has(lower);
}


export interface Token {
  /** The text as written (numbers: normalised, without group separators or a trailing dot). */
  readonly text: string;
  readonly kind: 'word' | 'number';
  /** Offset of the token's first character in the text. */
  readonly start: number;
}

function isLetter(code: number, ch: string): boolean {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) return true;
  return code >= 0xc0 && ch.toLowerCase() !== ch.toUpperCase();
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The words and numbers of `text`, at most `maxTokens`. A word is a run of letters (with inner
 * apostrophes and hyphens); a number a run of digits with inner `.` or `,` separators ("1,200.5"
 * becomes "1200.5").
 */
export function tokenize(text: string, maxTokens = 100_000): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n && out.length < maxTokens) {
    const code = text.charCodeAt(i);
    const ch = text[i]!;
    if (isDigit(code)) {
      const start = i;
      let digits = '';
      while (i < n) {
        const c = text.charCodeAt(i);
        if (isDigit(c)) digits += text[i]!;
        else if ((c === 46 || c === 44) && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
          if (c === 46) digits += '.';
        } else break;
        i++;
      }
      out.push({ text: digits, kind: 'number', start });
    } else if (isLetter(code, ch)) {
      const start = i;
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (isLetter(c, text[i]!)) i++;
        else if ((c === 39 || c === 0x2019 || c === 45) && i + 1 < n && isLetter(text.charCodeAt(i + 1), text[i + 1]!)) i += 2;
        else break;
      }
      out.push({ text: text.slice(start, i), kind: 'word', start });
    } else {
      i++;
    }
  }
  return out;
}

function stemUncached(lower: string): string {
  const w = lower.endsWith("'s") || lower.endsWith('’s') ? lower.slice(0, -2) : lower;
  const n = w.length;
  if (n > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (n > 6 && w.endsWith('ing')) return w.slice(0, -3);
  if (n > 5 && w.endsWith('ed')) return w.slice(0, -2);
  if (n > 5 && w.endsWith('ly')) return w.slice(0, -2);
  if (n > 4 && (w.endsWith('sses') || w.endsWith('xes') || w.endsWith('ches') || w.endsWith('shes'))) return w.slice(0, -2);
  if (n > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

// Words repeat across events: a bounded cache per thread keeps stemming off the profile.
const STEM_CACHE_SIZE = 50_000;
const stemCache = new Map<string, string>();

/** Crude English suffix stripping, applied the same way to answers and contexts (lower-case input). */
export function stem(lower: string): string {
  return stemUncached(lower);
}

/**
 * The term a lower-case word contributes: its stem, or '' for a stopword. One cached lookup per token
 * (words repeat across events; the cache is bounded per thread).
 */
export function termOf(lower: string): string {
  let s = stemCache.get(lower);
  if (s === undefined) {
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
    s = STOPWORDS.has(lower) ? '' : stemUncached(lower);
    if (lower.length <= 64) stemCache.set(lower, s);
  }
  return s;
}

export interface Sentence {
  readonly start: number;
  readonly end: number;
}

/**
 * Sentence spans of `text`: a sentence ends at `.`, `!` or `?` followed by white space or the end, or at
 * a line break; at most `maxSentences` (the rest of the text joins the last one).
 */
export function sentences(text: string, maxSentences = 1000): Sentence[] {
  const out: Sentence[] = [];
  const n = text.length;
  let start = 0;
  for (let i = 0; i < n && out.length < maxSentences - 1; i++) {
    const c = text.charCodeAt(i);
    const endsHere = c === 10 || ((c === 46 || c === 33 || c === 63) && (i + 1 === n || text.charCodeAt(i + 1) <= 32));
    if (!endsHere) continue;
    if (text.slice(start, i + 1).trim().length > 0) out.push({ start, end: i + 1 });
    start = i + 1;
  }
  if (start < n && text.slice(start).trim().length > 0) out.push({ start, end: n });
  return out;
}
