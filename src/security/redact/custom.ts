/**
 * Redaction patterns from configuration. JavaScript regular expressions backtrack, so an arbitrary
 * pattern could take quadratic or exponential time on a hostile input. A configured pattern is
 * therefore accepted only in a form whose work per text position is bounded by a constant:
 *
 * - at most 200 characters; no backreferences, lookarounds or named groups;
 * - quantifiers only on a single character, class or escape, never on a group;
 * - no unbounded quantifiers (`*`, `+`, `{n,}`); `{m,n}` with n <= 64;
 * - the product of the ranges of the variable quantifiers (`?` counts 2, `{m,n}` counts n-m+1) at
 *   most 4096, which bounds how far the engine can backtrack from one starting position.
 *
 * Anything else is a VIGIL_CONFIG_INVALID naming the pattern and the rule it breaks.
 */
import { VigilError } from '../../errors.js';
import { boundaryAfter, boundaryBefore, type Span } from './types.js';

export interface CustomPattern {
  /** Redaction type and placeholder: `employee_id` → `[EMPLOYEE_ID]`. */
  readonly name: string;
  readonly regex: string;
  /** Match only at word boundaries (default true). */
  readonly wholeWord?: boolean;
}

export const MAX_PATTERN_LENGTH = 200;
export const MAX_REPEAT = 64;
export const MAX_BACKTRACK = 4096;

export interface CompiledPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly wholeWord: boolean;
}

export function compilePattern(pattern: CustomPattern, path: string): CompiledPattern {
  const fail = (why: string): never => {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${path}.regex ${JSON.stringify(pattern.regex)} is refused: ${why}`, {
      details: { path, pattern: pattern.regex },
    });
  };
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(pattern.name)) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${path}.name ${JSON.stringify(pattern.name)} must be 1-40 lower-case letters, digits or _ starting with a letter`);
  }
  const source = pattern.regex;
  if (source.length === 0 || source.length > MAX_PATTERN_LENGTH) fail(`must be 1 to ${MAX_PATTERN_LENGTH} characters`);
  let backtrack = 1;
  let inClass = false;
  let atomEnd = false; // the previous token can take a quantifier
  let previousWasGroupEnd = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) fail('ends with a lone backslash');
      if (!inClass && (/[1-9]/.test(next as string) || next === 'k')) fail('backreferences are not allowed');
      i++;
      if (!inClass) {
        atomEnd = true;
        previousWasGroupEnd = false;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        atomEnd = true;
        previousWasGroupEnd = false;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(') {
      if (source[i + 1] === '?') {
        const kind = source.slice(i + 2, i + 4);
        if (!kind.startsWith(':')) fail('lookarounds and named groups are not allowed; use (?:...) for grouping');
      }
      atomEnd = false;
      previousWasGroupEnd = false;
      continue;
    }
    if (c === ')') {
      atomEnd = false;
      previousWasGroupEnd = true;
      continue;
    }
    if (c === '*' || c === '+') fail(`unbounded quantifier "${c}"; use {m,n} with n <= ${MAX_REPEAT}`);
    if (c === '?' || c === '{') {
      if (previousWasGroupEnd) fail('quantifiers on groups are not allowed');
      if (!atomEnd) fail(`quantifier at position ${i} has nothing to repeat`);
      if (c === '?') {
        backtrack *= 2;
      } else {
        const m = /^\{(\d{1,3})(?:,(\d{0,3}))?\}/.exec(source.slice(i));
        if (m === null) fail(`malformed quantifier at position ${i}`);
        const min = Number((m as RegExpExecArray)[1]);
        const hasComma = (m as RegExpExecArray)[0].includes(',');
        const maxText = (m as RegExpExecArray)[2];
        if (hasComma && (maxText === undefined || maxText === '')) fail(`unbounded quantifier "{${min},}"; give an upper bound <= ${MAX_REPEAT}`);
        const max = hasComma ? Number(maxText) : min;
        if (max > MAX_REPEAT || max < min) fail(`quantifier {${min},${max}} must have min <= max <= ${MAX_REPEAT}`);
        backtrack *= max - min + 1;
        i += (m as RegExpExecArray)[0].length - 1;
      }
      if (source[i + 1] === '?') i++; // lazy modifier: same bound
      if (backtrack > MAX_BACKTRACK) fail(`its optional parts can backtrack more than ${MAX_BACKTRACK} ways from one position; tighten the {m,n} ranges`);
      atomEnd = false;
      continue;
    }
    atomEnd = c !== '|' && c !== '^' && c !== '$';
    previousWasGroupEnd = false;
  }
  if (inClass) fail('has an unclosed character class');
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'gu');
  } catch (cause) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${path}.regex ${JSON.stringify(source)} is not a valid regular expression: ${String(cause)}`, { cause });
  }
  if (regex.test('')) fail('matches the empty string');
  return { name: pattern.name, regex, wholeWord: pattern.wholeWord ?? true };
}

export function scanCustom(text: string, patterns: readonly CompiledPattern[], out: Span[], priority: number): void {
  for (const p of patterns) {
    p.regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = p.regex.exec(text)) !== null) {
      const end = m.index + m[0].length;
      if (m[0].length === 0) {
        p.regex.lastIndex++;
        continue;
      }
      if (!p.wholeWord || (boundaryBefore(text, m.index) && boundaryAfter(text, end))) out.push({ start: m.index, end, type: p.name, priority });
    }
  }
}
