/**
 * Label matchers in the manner of Alertmanager: `=` and `!=` compare the whole value, `=~` and `!~`
 * match a regular expression against the whole value (anchored at both ends). Patterns come from
 * configuration and, later, from an API, so they are checked before use: bounded length, valid
 * syntax, and no nested quantifier that could backtrack for exponential time on a label value.
 */
import safeRegex from 'safe-regex2';
import type { MatcherSettings } from '../../config/types.js';
import type { AlertLabels } from './fingerprint.js';

export const MAX_PATTERN_LENGTH = 200;

/** Why a matcher cannot be used, or null when it can. */
export function matcherProblem(matcher: MatcherSettings): string | null {
  if (matcher.op !== '=~' && matcher.op !== '!~') return null;
  if (matcher.value.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(matcher.value, 'u');
  } catch (error) {
    if (error instanceof SyntaxError) return `pattern ${JSON.stringify(matcher.value)} is not a valid regular expression`;
    throw error;
  }
  if (!safeRegex(anchored(matcher.value))) return `pattern ${JSON.stringify(matcher.value)} may backtrack for exponential time (nested quantifiers)`;
  return null;
}

function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}

const compiled = new Map<string, RegExp | null>();

/** Compiled pattern (null: unusable), cached; bounded, as configuration and commands hold few patterns. */
function regexOf(matcher: MatcherSettings): RegExp | null {
  let regex = compiled.get(matcher.value);
  if (regex === undefined) {
    regex = matcherProblem(matcher) === null ? new RegExp(anchored(matcher.value), 'u') : null;
    if (compiled.size >= 10_000) compiled.clear();
    compiled.set(matcher.value, regex);
  }
  return regex;
}

/** Whether one matcher holds for the labels. A matcher that fails `matcherProblem` never matches. */
export function matches(matcher: MatcherSettings, labels: AlertLabels): boolean {
  const actual = labels[matcher.label as keyof AlertLabels] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
    case '!~': {
      const regex = regexOf(matcher);
      if (regex === null) return false;
      const hit = regex.test(actual);
      return matcher.op === '=~' ? hit : !hit;
    }
    default:
      return false;
  }
}

/** Whether every matcher holds (a silence matches an alert). */
export function matchesAll(matchers: readonly MatcherSettings[], labels: AlertLabels): boolean {
  return matchers.length > 0 && matchers.every((m) => matches(m, labels));
}
