/** Shared shapes of the redaction scanners. */

/** Built-in redaction types; configured patterns add their own names. */
export const BUILTIN_TYPES = ['private_key', 'credential', 'email', 'iban', 'card', 'national_id', 'ip', 'phone', 'field'] as const;
export type BuiltinType = (typeof BUILTIN_TYPES)[number];

/** A stretch of text to replace: [start, end) in UTF-16 code units. */
export interface Span {
  readonly start: number;
  readonly end: number;
  /** Redaction type: a built-in one or a configured pattern's name. */
  readonly type: string;
  /** Lower wins when two spans start at the same place and have the same length. */
  readonly priority: number;
}

export type Scanner = (text: string, out: Span[]) => void;

/** Placeholder text for a type: `[EMAIL]`, `[NATIONAL_ID]`, `[EMPLOYEE_ID]`. */
export function placeholder(type: string): string {
  return type === 'field' ? '[REDACTED]' : `[${type.toUpperCase()}]`;
}

/** Character codes the scanners compare against. */
export const Ch = {
  Tab: 9,
  Lf: 10,
  Cr: 13,
  Space: 32,
  Quote: 34,
  Hash: 35,
  Percent: 37,
  Amp: 38,
  Apos: 39,
  LParen: 40,
  RParen: 41,
  Plus: 43,
  Comma: 44,
  Minus: 45,
  Dot: 46,
  Slash: 47,
  D0: 48,
  D9: 57,
  Colon: 58,
  Semi: 59,
  Eq: 61,
  At: 64,
  A: 65,
  Z: 90,
  Underscore: 95,
  a: 97,
  z: 122,
} as const;

export function isDigit(c: number): boolean {
  return c >= Ch.D0 && c <= Ch.D9;
}

export function isUpper(c: number): boolean {
  return c >= Ch.A && c <= Ch.Z;
}

export function isAlpha(c: number): boolean {
  return (c >= Ch.A && c <= Ch.Z) || (c >= Ch.a && c <= Ch.z);
}

export function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

/** Letters, digits and underscore: what makes a match part of a longer word. */
export function isWord(c: number): boolean {
  return isAlnum(c) || c === Ch.Underscore;
}

export function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab || c === Ch.Lf || c === Ch.Cr;
}

/** True when position `i` is not preceded by a word character. */
export function boundaryBefore(text: string, i: number): boolean {
  return i === 0 || !isWord(text.charCodeAt(i - 1));
}

/** True when position `end` is not followed by a word character. */
export function boundaryAfter(text: string, end: number): boolean {
  return end >= text.length || !isWord(text.charCodeAt(end));
}
