/**
 * The alert policy of one model version: from the scores of each closed window to the alert
 * notifications to publish, in the manner of Prometheus Alertmanager. Per window, in order:
 *
 *  1. classify each score against its thresholds; scores of one condition (fingerprint) collapse to
 *     the most severe (deduplication);
 *  2. hysteresis per condition: fire after k of n breaching windows, resolve after m clean ones;
 *  3. silences (label matchers with a time span) and inhibition (a firing CRITICAL mutes WARNINGs)
 *     decide which firing alerts are visible;
 *  4. grouping by kind decides which groups are notified now (group wait, interval, repeat);
 *  5. a per-model rate limit caps FIRING notifications (CRITICAL ones get the budget first).
 *
 * `stepAlertPolicy` is a pure function of the state, the window and its scores, and the settings;
 * time is the window's end (event time). Notifications are ids from fingerprint and window, so a
 * replay gives the same records. The state is plain data (see policy-state.ts for its bytes).
 */
import type { Alert, AlertKind, Severity } from '../../contracts/records.js';
import { ALERT_KIND_SYMBOLS } from '../../contracts/records.js';
import type { AlertingSettings, SilenceSettings } from '../../config/types.js';
import { buildAlert, type WindowContext } from './alerts.js';
import { alertId, fingerprint, type AlertLabels } from './fingerprint.js';
import { groupDue, type GroupState } from './grouping.js';
import { QUIET, stepHysteresis } from './hysteresis.js';
import { inhibited } from './inhibition.js';
import { allowance, recordSent } from './ratelimit.js';
import { silencedBy } from './silences.js';
import { classify, type DetectorScore, type Thresholds } from './thresholds.js';

/** One condition the policy keeps track of. */
export interface Track {
  readonly fingerprint: string;
  readonly detector: string;
  readonly feature: string | null;
  readonly kind: AlertKind;
  readonly history: number;
  readonly firing: boolean;
  readonly clean: number;
  /** Start of the window the current firing began in; null when not firing or resolved. */
  readonly activeSince: number | null;
  /** Facts of the latest breach. */
  readonly severity: Severity;
  readonly score: number;
  readonly threshold: number;
  readonly evidence: Readonly<Record<string, string>>;
  readonly lastBreach: number;
  /** Severity last notified as FIRING; null when not notified (or its RESOLVED was sent). */
  readonly notified: Severity | null;
  /** Resolved after being notified; the RESOLVED notification is still to go out. */
  readonly resolvePending: boolean;
}

export interface AlertPolicyState {
  readonly modelId: string;
  readonly modelVersion: string;
  /** Sorted by fingerprint. */
  readonly tracks: readonly Track[];
  /** Sorted by kind. */
  readonly groups: readonly GroupState[];
  /** Event times of the FIRING notifications inside the rate limit's span. */
  readonly sent: readonly number[];
  /** Silences added by commands (applySilenceCommand); configuration silences live in the settings. */
  readonly silences: readonly SilenceSettings[];
}

export function initialAlertPolicyState(modelId: string, modelVersion: string): AlertPolicyState {
  return { modelId, modelVersion, tracks: [], groups: [], sent: [], silences: [] };
}

export interface AlertPolicyInput {
  readonly window: WindowContext;
  /** Every score of the window, crossing a threshold or not. */
  readonly scores: readonly DetectorScore[];
  readonly thresholdsOf: (detector: string) => Thresholds | null;
  readonly kindOf: (detector: string) => AlertKind;
  readonly settings: AlertingSettings;
}

/** A condition firing after hysteresis, as the response policy sees it. */
export interface FiringAlert {
  readonly fingerprint: string;
  readonly detector: string;
  readonly feature: string | null;
  readonly kind: AlertKind;
  readonly severity: Severity;
  /** Id of this condition's FIRING notification at this window (whether or not it was sent). */
  readonly alertId: string;
  readonly silenced: boolean;
}

export interface AlertPolicyStep {
  readonly state: AlertPolicyState;
  /** FIRING and RESOLVED records to publish, by kind, then detector and feature. */
  readonly notifications: readonly Alert[];
  /** Every firing condition, by detector and feature. */
  readonly firing: readonly FiringAlert[];
  /** FIRING notifications held back by the rate limit. */
  readonly rateLimited: number;
}

const RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

interface Candidate {
  readonly detector: string;
  readonly feature: string | null;
  readonly severity: Severity | null;
  readonly score: number;
  readonly threshold: number;
  readonly evidence: Readonly<Record<string, string>>;
}

function byCondition(a: { detector: string; feature: string | null }, b: { detector: string; feature: string | null }): number {
  if (a.detector !== b.detector) return a.detector < b.detector ? -1 : 1;
  if (a.feature === b.feature) return 0;
  if (a.feature === null) return -1;
  if (b.feature === null) return 1;
  return a.feature < b.feature ? -1 : 1;
}

function sortedEvidence(evidence: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(evidence).sort()) out[key] = String(evidence[key]);
  return out;
}

/**
 * The window's scores per fingerprint: the most severe, then the highest, of each condition. A score
 * under its thresholds matters only to a condition already tracked (it counts towards resolving it);
 * one of an untracked condition is left out before its fingerprint and evidence are made: most scores
 * of most windows are such.
 */
function candidates(input: AlertPolicyInput, tracked: ReadonlySet<string>): Map<string, Candidate> {
  const { window } = input;
  const out = new Map<string, Candidate>();
  for (const score of input.scores) {
    const thresholds = input.thresholdsOf(score.detector);
    if (thresholds === null) continue;
    const { level, threshold } = classify(score.score, thresholds);
    if (level === 'none' && !tracked.has(conditionKey(score.detector, score.feature))) continue;
    const candidate: Candidate = {
      detector: score.detector,
      feature: score.feature,
      severity: level === 'none' ? null : level,
      score: score.score,
      threshold,
      evidence: sortedEvidence(score.evidence),
    };
    const fp = fingerprint(window.modelId, window.modelVersion, score.detector, score.feature);
    const previous = out.get(fp);
    const rank = (c: Candidate): number => (c.severity === null ? -1 : RANK[c.severity]);
    if (previous === undefined || rank(candidate) > rank(previous) || (rank(candidate) === rank(previous) && candidate.score > previous.score)) out.set(fp, candidate);
  }
  return out;
}

function conditionKey(detector: string, feature: string | null | undefined): string {
  return `${detector}\u0000${feature ?? '\u0000'}`;
}

function labelsOf(state: AlertPolicyState, track: Track): AlertLabels {
  return { modelId: state.modelId, modelVersion: state.modelVersion, detector: track.detector, feature: track.feature ?? '', kind: track.kind, severity: track.severity };
}

export function stepAlertPolicy(state: AlertPolicyState, input: AlertPolicyInput): AlertPolicyStep {
  const { window, settings } = input;
  const now = window.windowEnd;
  const scores = candidates(input, new Set(state.tracks.map((t) => conditionKey(t.detector, t.feature))));

  // 1–2: deduplicated breaches through hysteresis.
  const tracks = new Map<string, Track>(state.tracks.map((t) => [t.fingerprint, t]));
  for (const fp of scores.keys()) {
    const c = scores.get(fp)!;
    if (c.severity !== null && !tracks.has(fp)) {
      tracks.set(fp, {
        fingerprint: fp, detector: c.detector, feature: c.feature, kind: input.kindOf(c.detector), ...QUIET, activeSince: null,
        severity: c.severity, score: c.score, threshold: c.threshold, evidence: c.evidence, lastBreach: window.windowStart, notified: null, resolvePending: false,
      });
    }
  }
  const next = new Map<string, Track>();
  for (const fp of [...tracks.keys()].sort()) {
    const track = tracks.get(fp)!;
    const c = scores.get(fp);
    const breach = c?.severity !== null && c?.severity !== undefined;
    const { track: h, transition } = stepHysteresis(track, breach, settings.hysteresis);
    let updated: Track = { ...track, ...h };
    if (breach && c !== undefined && c.severity !== null) updated = { ...updated, severity: c.severity, score: c.score, threshold: c.threshold, evidence: c.evidence, lastBreach: window.windowStart, kind: input.kindOf(c.detector) };
    if (transition === 'fired') updated = { ...updated, activeSince: window.windowStart, resolvePending: false };
    if (transition === 'resolved') updated = { ...updated, resolvePending: updated.notified !== null, ...(updated.notified === null ? { activeSince: null } : {}) };
    if (updated.firing || updated.resolvePending || updated.history !== 0) next.set(fp, updated);
  }

  // 3: what is visible.
  const silences = [...settings.silences, ...state.silences.filter((s) => s.endsAt > now)];
  const firingTracks = [...next.values()].filter((t) => t.firing);
  const silenced = new Set(firingTracks.filter((t) => silencedBy(labelsOf(state, t), silences, now) !== null).map((t) => t.fingerprint));
  const muted = inhibited(firingTracks, settings.inhibition.enabled);
  const visible = (t: Track): boolean => t.firing && !silenced.has(t.fingerprint) && !muted.has(t.fingerprint);

  // 4: groups due now.
  const groups = new Map(state.groups.map((g) => [g.kind, g]));
  const nextGroups: GroupState[] = [];
  const dueFiring: Track[] = [];
  const dueResolved: Track[] = [];
  for (const kind of ALERT_KIND_SYMBOLS) {
    const members = [...next.values()].filter((t) => t.kind === kind);
    const shown = members.filter(visible);
    const resolved = members.filter((t) => t.resolvePending);
    if (shown.length === 0 && resolved.length === 0) continue;
    const changes = shown.filter((t) => t.notified !== t.severity).length + resolved.length;
    const group = groups.get(kind) ?? { kind, since: now, lastFlushAt: null };
    if (groupDue(group, { firing: shown.length, changes }, now, settings.grouping)) {
      nextGroups.push({ ...group, lastFlushAt: now });
      dueFiring.push(...shown);
      dueResolved.push(...resolved);
    } else {
      nextGroups.push(group);
    }
  }

  // 5: the rate limit, CRITICAL first.
  let budget = allowance(state.sent, now, settings.rateLimit);
  const sendFiring = new Set<string>();
  for (const t of [...dueFiring].sort((a, b) => RANK[b.severity] - RANK[a.severity] || byCondition(a, b))) {
    if (budget <= 0) break;
    sendFiring.add(t.fingerprint);
    budget--;
  }
  const rateLimited = dueFiring.length - sendFiring.size;

  const notifications: Alert[] = [];
  const due = [...dueFiring.filter((t) => sendFiring.has(t.fingerprint)), ...dueResolved];
  due.sort((a, b) => ALERT_KIND_SYMBOLS.indexOf(a.kind) - ALERT_KIND_SYMBOLS.indexOf(b.kind) || byCondition(a, b));
  for (const t of due) {
    if (t.resolvePending) {
      const current = scores.get(t.fingerprint);
      const score = current !== undefined && Number.isFinite(current.score) ? current.score : t.score;
      const evidence = { ...(current?.evidence ?? t.evidence), resolvedAfterCleanWindows: String(settings.hysteresis.resolveAfter) };
      const alert = buildAlert(window, { detector: t.detector, feature: t.feature, score, evidence }, t.severity, t.threshold, { kind: t.kind, startsAt: t.activeSince ?? t.lastBreach });
      notifications.push({ ...alert, status: 'RESOLVED', alertId: alertId(t.fingerprint, window.windowStart, 'RESOLVED') });
      next.set(t.fingerprint, { ...t, resolvePending: false, notified: null, activeSince: null });
      const after = next.get(t.fingerprint)!;
      if (!after.firing && after.history === 0) next.delete(t.fingerprint);
    } else {
      const evidence = t.lastBreach === window.windowStart ? t.evidence : { ...t.evidence, lastBreachWindowStart: String(t.lastBreach) };
      notifications.push(buildAlert(window, { detector: t.detector, feature: t.feature, score: t.score, evidence }, t.severity, t.threshold, { kind: t.kind, startsAt: t.activeSince ?? window.windowStart }));
      next.set(t.fingerprint, { ...t, notified: t.severity });
    }
  }

  const firing: FiringAlert[] = firingTracks
    .map((t) => ({ fingerprint: t.fingerprint, detector: t.detector, feature: t.feature, kind: t.kind, severity: t.severity, alertId: alertId(t.fingerprint, window.windowStart), silenced: silenced.has(t.fingerprint) }))
    .sort(byCondition);
  const tracksOut = [...next.keys()].sort().map((fp) => next.get(fp)!);
  return {
    state: {
      modelId: state.modelId,
      modelVersion: state.modelVersion,
      tracks: tracksOut,
      groups: nextGroups,
      sent: recordSent(state.sent, now, sendFiring.size, settings.rateLimit),
      silences: state.silences.filter((s) => s.endsAt > now),
    },
    notifications,
    firing,
    rateLimited,
  };
}
