/**
 * Credentials and API-key-like strings:
 *
 * - private key blocks (`-----BEGIN … PRIVATE KEY-----` to the matching END line; an unterminated
 *   block is redacted to the end of the text);
 * - values after a credential word and ":" or "=" (`password=…`, `"api_key": "…"`,
 *   `Authorization: Bearer …`, `aws_secret_access_key = …`), and tokens after `Bearer` / `Basic`;
 * - user and password in URLs (`postgres://app:s3cret@db:5432`);
 * - JSON Web Tokens (`eyJ…` header, payload, signature);
 * - keys recognisable by their prefix: AWS access key ids (AKIA…, ASIA…), GitHub (ghp_, github_pat_),
 *   Slack (xoxb-), Stripe (sk_live_), OpenAI-style (sk-), Google (AIza), GitLab (glpat-).
 *
 * The credential-word regex is a plain alternation of literals (constant work per position); every
 * value is then read by hand up to its delimiter and the search resumes after it, so each character
 * is looked at a bounded number of times.
 */
import { Ch, boundaryAfter, boundaryBefore, isAlnum, isSpace, isUpper, isWord, type Span } from './types.js';

export function scanPrivateKeys(text: string, out: Span[], priority: number): void {
  let begin = text.indexOf('-----BEGIN ');
  while (begin !== -1) {
    const labelEnd = text.indexOf('-----', begin + 11);
    if (labelEnd === -1) return;
    if (labelEnd - begin > 60 || !text.slice(begin + 11, labelEnd).includes('PRIVATE KEY')) {
      begin = text.indexOf('-----BEGIN ', labelEnd + 5);
      continue;
    }
    const endMarker = text.indexOf('-----END ', labelEnd + 5);
    if (endMarker === -1) {
      out.push({ start: begin, end: text.length, type: 'private_key', priority });
      return;
    }
    const close = text.indexOf('-----', endMarker + 9);
    const end = close === -1 || close - endMarker > 60 ? text.length : close + 5;
    out.push({ start: begin, end, type: 'private_key', priority });
    begin = text.indexOf('-----BEGIN ', end);
  }
}

const CREDENTIAL_WORD =
  /(?:bearer|basic|password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|authorization|credentials?|cookie)/gi;

function isValueEnd(c: number): boolean {
  return isSpace(c) || c === Ch.Comma || c === Ch.Semi || c === Ch.Amp || c === Ch.Quote || c === Ch.Apos || c === 41 || c === 125 || c === 93 || c === 60 || c === 62;
}

/** Reads a value starting at `i`: quoted (to its closing quote) or bare (to a delimiter). Returns [start, end]. */
function readValue(text: string, i: number): [number, number] | null {
  const n = text.length;
  const quote = text.charCodeAt(i);
  if (quote === Ch.Quote || quote === Ch.Apos) {
    let j = i + 1;
    while (j < n && text.charCodeAt(j) !== quote && text.charCodeAt(j) !== Ch.Lf) j++;
    return j > i + 1 ? [i + 1, j] : null;
  }
  let j = i;
  while (j < n && !isValueEnd(text.charCodeAt(j))) j++;
  return j > i ? [i, j] : null;
}

function skipSpaces(text: string, i: number, max: number): number {
  let j = i;
  while (j < text.length && j - i < max && (text.charCodeAt(j) === Ch.Space || text.charCodeAt(j) === Ch.Tab)) j++;
  return j;
}

export function scanCredentials(text: string, out: Span[], priority: number): void {
  CREDENTIAL_WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CREDENTIAL_WORD.exec(text)) !== null) {
    const start = m.index;
    const word = m[0].toLowerCase();
    // "db_password" counts, "passwordless" does not: no letter or digit right before the word.
    if (start > 0 && isAlnum(text.charCodeAt(start - 1))) continue;
    let i = start + m[0].length;
    let span: [number, number] | null = null;
    if (word === 'bearer' || word === 'basic') {
      const at = skipSpaces(text, i, 8);
      if (at > i) span = readValue(text, at);
    } else {
      // Suffixes such as "_hash" or "Id" ("password_hash=", "tokenId:") are part of the key name.
      while (i < text.length && i - start - m[0].length < 24 && (isWord(text.charCodeAt(i)) || text.charCodeAt(i) === Ch.Minus)) i++;
      if (text.charCodeAt(i) === Ch.Quote || text.charCodeAt(i) === Ch.Apos) i++;
      i = skipSpaces(text, i, 4);
      const sep = text.charCodeAt(i);
      if (sep === Ch.Colon || sep === Ch.Eq) {
        span = readValue(text, skipSpaces(text, i + 1, 4));
        // "Authorization: Bearer abc": the scheme is not the secret, the token after it is.
        if (span !== null && /^(?:bearer|basic|token|digest)$/i.test(text.slice(span[0], span[1]))) {
          const after = skipSpaces(text, span[1], 8);
          const token = after > span[1] ? readValue(text, after) : null;
          if (token !== null) span = [span[0], token[1]];
        }
      }
    }
    // "tokens: 512" is a count, not a token: bare "token"/"cookie" values must look like one.
    if (span !== null && (word === 'token' || word === 'cookie') && span[1] - span[0] < 8) span = null;
    if (span !== null) {
      out.push({ start: span[0], end: span[1], type: 'credential', priority });
      CREDENTIAL_WORD.lastIndex = Math.max(CREDENTIAL_WORD.lastIndex, span[1]);
    }
  }
}

/** `scheme://user:password@host`: the user-info part, read up to 256 characters after each "://". */
export function scanUrlCredentials(text: string, out: Span[], priority: number): void {
  let at = text.indexOf('://');
  while (at !== -1) {
    const start = at + 3;
    let j = start;
    let colon = -1;
    while (j < text.length && j - start < 256) {
      const c = text.charCodeAt(j);
      if (c === Ch.At || c === Ch.Slash || isSpace(c) || c === Ch.Quote || c === Ch.Apos || c === 60 || c === 62) break;
      if (c === Ch.Colon && colon === -1) colon = j;
      j++;
    }
    if (j < text.length && text.charCodeAt(j) === Ch.At && colon > start && colon < j - 1) {
      out.push({ start, end: j, type: 'credential', priority });
    }
    at = text.indexOf('://', Math.max(j, start));
  }
}

function isTokenChar(c: number): boolean {
  return isWord(c) || c === Ch.Minus;
}

/** Prefixes of well-known key formats, with the least number of token characters after the prefix. */
const KEY_PREFIXES: readonly (readonly [string, number])[] = [
  ['github_pat_', 40],
  ['ghp_', 30],
  ['gho_', 30],
  ['ghu_', 30],
  ['ghs_', 30],
  ['ghr_', 30],
  ['glpat-', 20],
  ['xoxb-', 20],
  ['xoxp-', 20],
  ['xoxa-', 20],
  ['xoxr-', 20],
  ['sk_live_', 16],
  ['rk_live_', 16],
  ['sk_test_', 16],
  ['sk-', 20],
  ['AIza', 30],
];
const AWS_KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}/y;

/** Where a recognisable key can start: a literal alternation (constant work per position, native scan). */
const KEY_HEAD = /github_pat_|gh[pousr]_|glpat-|xox[bpar]-|[sr]k_live_|sk_test_|sk-|AIza|eyJ|A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)/g;

export function scanKeyTokens(text: string, out: Span[], priority: number): void {
  const n = text.length;
  KEY_HEAD.lastIndex = 0;
  let head: RegExpExecArray | null;
  while ((head = KEY_HEAD.exec(text)) !== null) {
    const start = head.index;
    // The whole token the prefix starts (each token is read once: the search resumes after it).
    let end = start;
    while (end < n && isTokenChar(text.charCodeAt(end))) end++;
    if (boundaryBefore(text, start) || text.charCodeAt(start - 1) === Ch.Minus) matchToken(text, start, end, out, priority);
    KEY_HEAD.lastIndex = Math.max(end, start + 1);
  }
}

function matchToken(text: string, start: number, end: number, out: Span[], priority: number): void {
  const length = end - start;
  if (length < 20) return;
  if (isUpper(text.charCodeAt(start)) && length === 20) {
    AWS_KEY_ID.lastIndex = start;
    if (AWS_KEY_ID.test(text) && boundaryAfter(text, end)) {
      out.push({ start, end, type: 'credential', priority });
      return;
    }
  }
  for (const [prefix, min] of KEY_PREFIXES) {
    if (length >= prefix.length + min && text.startsWith(prefix, start)) {
      out.push({ start, end, type: 'credential', priority });
      return;
    }
  }
  // JSON Web Token: base64url header starting {" ("eyJ"), payload, signature, joined by dots.
  if (text.startsWith('eyJ', start)) jwt(text, start, out, priority);
}

function jwt(text: string, start: number, out: Span[], priority: number): void {
  const n = text.length;
  let j = start;
  let dots = 0;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === Ch.Dot) {
      if (++dots > 2) break;
    } else if (!isTokenChar(c)) {
      break;
    }
    j++;
  }
  if (dots === 2) out.push({ start, end: j, type: 'credential', priority });
}
