/**
 * Silences: label matchers with a time span, in event time. A silenced alert is still evaluated
 * (hysteresis goes on, it can inhibit others) but is not notified and does not drive the response
 * policy. Silences come from configuration (`alerting.silences`) and from commands applied with
 * `applySilenceCommand`, a pure function over the list kept in the policy state, so an API can add
 * and expire silences and a replay of the same commands gives the same list.
 */
import type { MatcherSettings, SilenceSettings } from '../../config/types.js';
import type { AlertLabels } from './fingerprint.js';
import { LABEL_NAMES } from './fingerprint.js';
import { matcherProblem, matchesAll } from './matchers.js';

/** Most silences kept from commands per model version; expired ones are dropped first. */
export const MAX_SILENCES = 1000;

export function isActive(silence: SilenceSettings, now: number): boolean {
  return silence.startsAt <= now && now < silence.endsAt;
}

/** The first active silence matching the labels (configuration first, then commands), or null. */
export function silencedBy(labels: AlertLabels, silences: readonly SilenceSettings[], now: number): SilenceSettings | null {
  for (const silence of silences) {
    if (isActive(silence, now) && matchesAll(silence.matchers, labels)) return silence;
  }
  return null;
}

export type SilenceCommand =
  | { readonly type: 'create'; readonly silence: SilenceSettings }
  | { readonly type: 'expire'; readonly id: string };

export type SilenceCommandResult =
  | { readonly ok: true; readonly silences: readonly SilenceSettings[] }
  | { readonly ok: false; readonly reason: string; readonly silences: readonly SilenceSettings[] };

/** Why a silence cannot be accepted, or null. */
export function silenceProblem(silence: SilenceSettings): string | null {
  if (typeof silence.id !== 'string' || silence.id.length === 0 || silence.id.length > 200) return 'id must be a non-empty string of at most 200 characters';
  if (!Number.isSafeInteger(silence.startsAt) || !Number.isSafeInteger(silence.endsAt)) return 'startsAt and endsAt must be integer milliseconds';
  if (silence.endsAt <= silence.startsAt) return `endsAt (${silence.endsAt}) must be after startsAt (${silence.startsAt})`;
  if (!Array.isArray(silence.matchers) || silence.matchers.length === 0 || silence.matchers.length > 20) return 'matchers must hold 1 to 20 matchers';
  for (const [i, matcher] of (silence.matchers as readonly MatcherSettings[]).entries()) {
    if (!(LABEL_NAMES as readonly string[]).includes(matcher.label)) return `matchers[${i}].label ${JSON.stringify(matcher.label)} is not one of ${LABEL_NAMES.join(', ')}`;
    if (!['=', '!=', '=~', '!~'].includes(matcher.op)) return `matchers[${i}].op ${JSON.stringify(matcher.op)} is not one of =, !=, =~, !~`;
    if (typeof matcher.value !== 'string' || matcher.value.length > 200) return `matchers[${i}].value must be a string of at most 200 characters`;
    const problem = matcherProblem(matcher);
    if (problem !== null) return `matchers[${i}]: ${problem}`;
  }
  return null;
}

/**
 * Applies a silence command at event time `now`: `create` adds a silence (or replaces the one with the
 * same id), `expire` ends one now. Expired silences are dropped. A bad command changes nothing and
 * says why. Never throws.
 */
export function applySilenceCommand(silences: readonly SilenceSettings[], command: SilenceCommand, now: number): SilenceCommandResult {
  const live = silences.filter((s) => s.endsAt > now);
  if (command.type === 'expire') {
    if (!live.some((s) => s.id === command.id)) return { ok: false, reason: `no silence ${JSON.stringify(command.id)} is in force`, silences: live };
    return { ok: true, silences: live.filter((s) => s.id !== command.id) };
  }
  const problem = silenceProblem(command.silence);
  if (problem !== null) return { ok: false, reason: `silence ${JSON.stringify(String(command.silence.id))} rejected: ${problem}`, silences: live };
  if (command.silence.endsAt <= now) return { ok: false, reason: `silence ${JSON.stringify(command.silence.id)} rejected: it has already expired`, silences: live };
  const others = live.filter((s) => s.id !== command.silence.id);
  if (others.length >= MAX_SILENCES) return { ok: false, reason: `silence ${JSON.stringify(command.silence.id)} rejected: ${MAX_SILENCES} silences are already in force`, silences: live };
  const silence: SilenceSettings = { ...command.silence, matchers: command.silence.matchers.map((m) => ({ label: m.label, op: m.op, value: m.value })) };
  return { ok: true, silences: [...others, silence].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}
