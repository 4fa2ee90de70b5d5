/**
 * Numbers that identify people: payment cards (13-19 digits, Luhn-checked), US social security
 * numbers (ddd-dd-dddd, with the never-issued areas 000, 666 and 9xx excluded), Canadian social
 * insurance numbers (ddd-ddd-ddd or with spaces, Luhn-checked), phone numbers and IPv4 addresses.
 * One left-to-right pass finds runs of digits and separators (bounded: a run longer than 48
 * characters or 24 digits is skipped whole) and classifies each run once, so the cost is
 * linear in the text whatever it holds.
 *
 * Phone numbers, without a country's numbering plan at hand, are recognised by shape: a leading
 * "+" with 8-15 digits (E.164), an area code in parentheses, the North American 3-3-4 grouping
 * (optionally after a 1), or a trunk-prefixed national number (0 then 9-10 more digits in 2-3
 * groups). Bare digit strings, dates and decimals are left alone.
 */
import { isIPv4 } from 'node:net';
import { Ch, boundaryBefore, isDigit, isWord, type Span } from './types.js';

const MAX_RUN_CHARS = 48;
const MAX_RUN_DIGITS = 24;

function isSeparator(c: number): boolean {
  return c === Ch.Space || c === Ch.Minus || c === Ch.Dot || c === Ch.LParen || c === Ch.RParen || c === Ch.Slash;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - Ch.D0;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Classifies one run of digits and separators (trimmed), or returns null. */
export function classifyNumber(run: string): string | null {
  let digits = '';
  const groups: number[] = [];
  const seps = new Set<string>();
  let current = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (isDigit(c)) {
      digits += run[i];
      current++;
    } else {
      if (current > 0) groups.push(current);
      current = 0;
      if (c !== Ch.Plus) seps.add(run[i] as string);
    }
  }
  if (current > 0) groups.push(current);
  const n = digits.length;
  const plus = run.charCodeAt(0) === Ch.Plus;

  if (seps.size === 1 && seps.has('.') && groups.length === 4 && isIPv4(run)) return 'ip';
  if (/^\d{3}[- ]\d{2}[- ]\d{4}$/.test(run)) {
    const area = digits.slice(0, 3);
    if (area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000') return 'national_id';
  }
  // Canadian social insurance number: 3-3-3 digits, Luhn-checked, never starting with 0 or 8.
  if (/^\d{3}([- ])\d{3}\1\d{3}$/.test(run) && digits[0] !== '0' && digits[0] !== '8' && luhn(digits)) return 'national_id';
  const cardSeps = [...seps].every((s) => s === ' ' || s === '-');
  if (!plus && n >= 13 && n <= 19 && cardSeps && luhn(digits)) return 'card';
  if (n < 7 || n > 15) return null;
  if (plus) return n >= 8 ? 'phone' : null;
  if (/^\(\d{2,4}\)/.test(run) || /^1?[-. ]?\(\d{3}\)/.test(run)) return 'phone';
  const shape = groups.join('-');
  if ((shape === '3-3-4' || shape === '1-3-3-4') && !seps.has('/')) return 'phone';
  if (digits[0] === '0' && (n === 10 || n === 11) && groups.length >= 2 && groups.length <= 3 && !seps.has('.') && !seps.has('/')) return 'phone';
  return null;
}

/** Where a number can start: found by the regex engine's fast scan, so text without digits costs little. */
const ANCHOR = /[\d+(]/g;

function nextAnchor(text: string, from: number): number {
  ANCHOR.lastIndex = from;
  return ANCHOR.exec(text)?.index ?? text.length;
}

export function scanNumbers(text: string, out: Span[], priority: Record<string, number>): void {
  const n = text.length;
  let i = nextAnchor(text, 0);
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    const starts = isDigit(c) || ((c === Ch.Plus || c === Ch.LParen) && (isDigit(next) || next === Ch.LParen));
    if (!starts || !boundaryBefore(text, i) || (i > 0 && (text.charCodeAt(i - 1) === Ch.Dot || text.charCodeAt(i - 1) === Ch.Minus) && isDigit(c))) {
      // A digit right after "." or "-" continues a number (a decimal, a range): not a fresh start.
      i = nextAnchor(text, i + 1);
      continue;
    }
    let j = i + (c === Ch.Plus ? 1 : 0);
    let digits = 0;
    let seps = 0;
    let overflow = false;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (isDigit(d)) {
        digits++;
        seps = 0;
      } else if (isSeparator(d)) {
        if (++seps > 2) break;
      } else {
        break;
      }
      j++;
      if (j - i > MAX_RUN_CHARS || digits > MAX_RUN_DIGITS) overflow = true;
    }
    if (overflow) {
      // Too long to be any of these: skip the rest of the run without looking at it again.
      while (j < n && (isDigit(text.charCodeAt(j)) || isSeparator(text.charCodeAt(j)))) j++;
      i = nextAnchor(text, j);
      continue;
    }
    let end = j;
    while (end > i && isSeparator(text.charCodeAt(end - 1)) && text.charCodeAt(end - 1) !== Ch.RParen) end--;
    // "(555) 123-4567)" keeps its inner ")" but a trailing unmatched one is dropped.
    if (end > i && text.charCodeAt(end - 1) === Ch.RParen && !text.slice(i, end).includes('(')) end--;
    const after = end < n ? text.charCodeAt(end) : 0;
    if (end > i && !isWord(after) && !(after === Ch.Dot && end + 1 < n && isDigit(text.charCodeAt(end + 1)))) {
      const type = classifyNumber(text.slice(i, end));
      if (type !== null) out.push({ start: i, end, type, priority: priority[type] ?? 99 });
    }
    i = nextAnchor(text, Math.max(j, i + 1));
  }
}
