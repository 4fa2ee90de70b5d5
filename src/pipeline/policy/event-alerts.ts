/**
 * Alerts of single events (anomalies, hallucination risk), as a pure function of what the event
 * detectors flagged, the windows the events fell into, and a small state.
 *
 * Each flagged event at or over its detector's warning threshold is one alert, its id derived from
 * the detector, the model and the eventId, so a replay gives the same ids. So that a burst of odd
 * events cannot flood the alert topic, at most `perWindow` alerts per detector are raised in each
 * window of the model version (the first ones in offset order); the rest are counted in the state
 * and reported, never silently dropped from the count. Silences apply as to window alerts.
 */
import type { Alert, AlertKind, Severity } from '../../contracts/records.js';
import type { SilenceSettings } from '../../config/types.js';
import { canonicalHash } from '../../config/canonical.js';
import type { FlaggedEvent } from '../../../workers/detectors/types.js';
import { fingerprint } from './fingerprint.js';
import { silencedBy } from './silences.js';
import { classify, type Thresholds } from './thresholds.js';

/** Per window of a model version: alerts raised and flagged events beyond the budget, by detector. */
export interface EventAlertState {
  readonly windowIndex: number;
  readonly raised: Readonly<Record<string, number>>;
  readonly suppressed: Readonly<Record<string, number>>;
}

export const INITIAL_EVENT_ALERT_STATE: EventAlertState = Object.freeze({ windowIndex: -1, raised: {}, suppressed: {} });

export interface FlaggedInput {
  readonly detector: string;
  readonly flag: FlaggedEvent;
  /** The window of the model version the event belongs to (non-decreasing along `events`). */
  readonly windowIndex: number;
  readonly eventId: string;
  readonly timestamp: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface EventAlertInput {
  readonly modelId: string;
  readonly modelVersion: string;
  /** Kind and thresholds of each event detector (null thresholds: the detector is off). */
  readonly detectors: Readonly<Record<string, { readonly kind: AlertKind; readonly thresholds: Thresholds | null }>>;
  /** Flagged events of every detector, in the order of their rows. */
  readonly events: readonly FlaggedInput[];
  readonly perWindow: number;
  readonly silences: readonly SilenceSettings[];
  readonly configHash: string;
  readonly referenceId: string;
}

export interface EventAlertStep {
  readonly state: EventAlertState;
  readonly alerts: Alert[];
}

/** The alert id of one event's alert: one per (model, detector, event). */
export function eventAlertId(modelId: string, detector: string, eventId: string): string {
  return canonicalHash(['vigil.alert.event.v1', modelId, detector, eventId]);
}

export function stepEventAlerts(state: EventAlertState, input: EventAlertInput): EventAlertStep {
  let current = state;
  const alerts: Alert[] = [];
  for (const event of input.events) {
    const { detector } = event;
    const spec = input.detectors[detector];
    if (spec === undefined || spec.thresholds === null) continue;
    if (event.windowIndex > current.windowIndex) current = { windowIndex: event.windowIndex, raised: {}, suppressed: {} };
    const { level, threshold } = classify(event.flag.score, spec.thresholds);
    if (level === 'none') continue;
    const severity: Severity = level;
    const labels = { modelId: input.modelId, modelVersion: input.modelVersion, detector, feature: '', kind: spec.kind, severity };
    if (silencedBy(labels, input.silences, event.timestamp) !== null) continue;
    // An event of an earlier window than the state's (it cannot happen with rows in offset order)
    // counts against the current window's budget.
    const raised = current.raised[detector] ?? 0;
    if (raised >= input.perWindow) {
      current = { ...current, suppressed: { ...current.suppressed, [detector]: (current.suppressed[detector] ?? 0) + 1 } };
      continue;
    }
    current = { ...current, raised: { ...current.raised, [detector]: raised + 1 } };
    alerts.push({
      alertId: eventAlertId(input.modelId, detector, event.eventId),
      fingerprint: fingerprint(input.modelId, input.modelVersion, detector, null),
      status: 'FIRING',
      severity,
      kind: spec.kind,
      modelId: input.modelId,
      modelVersion: input.modelVersion,
      detector,
      feature: null,
      score: event.flag.score,
      threshold,
      windowStart: event.timestamp,
      windowEnd: event.timestamp + 1,
      startsAt: event.timestamp,
      evidence: { ...event.flag.evidence, eventId: event.eventId.slice(0, 512) },
      source: { topic: event.topic, partition: event.partition, firstOffset: Number(event.offset), lastOffset: Number(event.offset) },
      configHash: input.configHash,
      referenceId: input.referenceId,
    });
  }
  return { state: current, alerts };
}

export function encodeEventAlertState(state: EventAlertState): Uint8Array {
  return Buffer.from(JSON.stringify(state), 'utf8');
}

/** The inverse of `encodeEventAlertState`; a corrupt body gives the initial state (it only bounds alert volume). */
export function decodeEventAlertState(bytes: Uint8Array): EventAlertState {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return INITIAL_EVENT_ALERT_STATE;
    const { windowIndex, raised, suppressed } = value as Record<string, unknown>;
    const counts = (o: unknown): Record<string, number> =>
      typeof o === 'object' && o !== null ? Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => Number.isSafeInteger(e[1]) && (e[1] as number) >= 0)) : {};
    return { windowIndex: Number.isSafeInteger(windowIndex) ? (windowIndex as number) : -1, raised: counts(raised), suppressed: counts(suppressed) };
  } catch {
    return INITIAL_EVENT_ALERT_STATE;
  }
}
