/**
 * Addresses and account numbers found around an anchor character, each with bounded look-around so
 * that the work per anchor is a constant and the whole scan is linear:
 *
 * - e-mail: around each "@", at most 64 local-part and 253 domain characters; the domain needs a dot
 *   and an alphabetic top-level label.
 * - IPv6: runs of hex digits, colons and dots with at least two colons, at most 45 characters,
 *   validated by node:net.
 * - IBAN: two capital letters and two digits at a word start, then up to 30 more letters or digits
 *   in optional groups of four; the longest prefix of 15-34 characters that passes the ISO 13616
 *   mod-97 check.
 * - UK National Insurance numbers (the other national-id shape recognised besides the US SSN): two
 *   prefix letters from the allowed set, six digits, a suffix A-D, spaces optional.
 */
import { isIPv6 } from 'node:net';
import { Ch, boundaryAfter, boundaryBefore, isAlnum, isDigit, isHex, isUpper, type Span } from './types.js';

function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === Ch.Dot || c === Ch.Underscore || c === Ch.Percent || c === Ch.Plus || c === Ch.Minus;
}

function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === Ch.Minus || c === Ch.Dot;
}

export function scanEmails(text: string, out: Span[], priority: number): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === Ch.Dot) start++;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && isDomainChar(text.charCodeAt(end))) end++;
    while (end > at + 1 && (text.charCodeAt(end - 1) === Ch.Dot || text.charCodeAt(end - 1) === Ch.Minus)) end--;
    if (start < at && validDomain(text, at + 1, end)) {
      out.push({ start, end, type: 'email', priority });
      at = text.indexOf('@', end);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
}

function validDomain(text: string, from: number, to: number): boolean {
  // Searched within the domain only: an unbounded lastIndexOf would make many "@"s quadratic.
  let lastDot = -1;
  for (let i = to - 1; i > from; i--) {
    if (text.charCodeAt(i) === Ch.Dot) {
      lastDot = i;
      break;
    }
  }
  if (lastDot <= from || to - lastDot - 1 < 2) return false;
  for (let i = lastDot + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  // No empty labels ("a..b").
  return !text.slice(from, to).includes('..');
}

export function scanIpv6(text: string, out: Span[], priority: number): void {
  const n = text.length;
  let colon = text.indexOf(':');
  while (colon !== -1) {
    // The run of hex digits, colons and dots around this colon; each run is examined once.
    let i = colon;
    while (i > 0 && colon - i < 45 && isIpv6Char(text.charCodeAt(i - 1))) i--;
    let j = colon + 1;
    let colons = 1;
    while (j < n && isIpv6Char(text.charCodeAt(j))) {
      if (text.charCodeAt(j) === Ch.Colon) colons++;
      j++;
    }
    for (let k = i; k < colon; k++) if (text.charCodeAt(k) === Ch.Colon) colons++;
    let end = j;
    while (end > i && text.charCodeAt(end - 1) === Ch.Dot) end--;
    if (colons >= 2 && end - i <= 45 && boundaryBefore(text, i) && boundaryAfter(text, end) && isIPv6(text.slice(i, end))) {
      out.push({ start: i, end, type: 'ip', priority });
    }
    colon = text.indexOf(':', j);
  }
}

function isIpv6Char(c: number): boolean {
  return isHex(c) || c === Ch.Colon || c === Ch.Dot;
}

/** Value of a character in the IBAN check: digits as themselves, letters A=10 … Z=35. */
function ibanValue(c: number): number {
  return isDigit(c) ? c - Ch.D0 : c - Ch.A + 10;
}

function mod97Step(rem: number, c: number): number {
  return isDigit(c) ? (rem * 10 + (c - Ch.D0)) % 97 : (rem * 100 + ibanValue(c)) % 97;
}

/** Country code and check digits: where an IBAN can start (a bounded pattern, found by the regex engine). */
const IBAN_HEAD = /[A-Z]{2}\d{2}/g;

export function scanIbans(text: string, out: Span[], priority: number): void {
  const n = text.length;
  IBAN_HEAD.lastIndex = 0;
  let head: RegExpExecArray | null;
  while ((head = IBAN_HEAD.exec(text)) !== null) {
    const i = head.index;
    IBAN_HEAD.lastIndex = i + 1;
    if (!boundaryBefore(text, i)) continue;
    // Remainder of the BBAN so far; the country code and check digits are appended at each candidate end.
    let rem = 0;
    let count = 4;
    let j = i + 4;
    let best = -1;
    while (j < n && count < 34) {
      let c = text.charCodeAt(j);
      if (c === Ch.Space && j + 1 < n && (isUpper(text.charCodeAt(j + 1)) || isDigit(text.charCodeAt(j + 1)))) {
        if (count >= 15 && boundaryAfter(text, j) && ibanRemainder(text, i, rem) === 1) best = j;
        j++;
        c = text.charCodeAt(j);
      }
      if (!(isUpper(c) || isDigit(c))) break;
      rem = mod97Step(rem, c);
      count++;
      j++;
    }
    if (count >= 15 && boundaryAfter(text, j) && ibanRemainder(text, i, rem) === 1) best = j;
    if (best !== -1) {
      out.push({ start: i, end: best, type: 'iban', priority });
      IBAN_HEAD.lastIndex = best;
    }
  }
}

function ibanRemainder(text: string, start: number, bbanRemainder: number): number {
  let rem = bbanRemainder;
  for (let k = start; k < start + 4; k++) rem = mod97Step(rem, text.charCodeAt(k));
  return rem;
}

const NINO_FIRST = new Set('ABCEGHJKLMNOPRSTWXYZ');
const NINO_SECOND = new Set('ABCEGHJKLMNPRSTWXYZ');
const NINO_BANNED = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);
const NINO = /[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]/g;

export function scanNinos(text: string, out: Span[], priority: number): void {
  NINO.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NINO.exec(text)) !== null) {
    const i = m.index;
    const end = i + m[0].length;
    const a = text[i] as string;
    const b = text[i + 1] as string;
    if (boundaryBefore(text, i) && boundaryAfter(text, end) && NINO_FIRST.has(a) && NINO_SECOND.has(b) && !NINO_BANNED.has(a + b)) {
      out.push({ start: i, end, type: 'national_id', priority });
    } else {
      NINO.lastIndex = i + 1;
    }
  }
}
