/**
 * Alerts as contract records. Identities are hashes of their inputs, never counters or random ids:
 * the fingerprint names the condition (model version, detector, feature), the alert id names the
 * condition in one window, so replaying the same events with the same configuration yields the
 * same ids and a consumer can deduplicate on them.
 */
import type { SourceSpan } from '../../contracts/batch.js';
import type { Alert, AlertKind, EvidenceSource, Severity } from '../../contracts/records.js';
import { VigilError } from '../../errors.js';
import { alertId, fingerprint } from './fingerprint.js';
import { classify } from './thresholds.js';
import type { DetectorScore, Thresholds } from './thresholds.js';

export { alertId, fingerprint } from './fingerprint.js';

/** The facts of a closed window that every alert about it carries. */
export interface WindowContext {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly source: SourceSpan;
  /** Hash of the model's settings in force (ModelSettings.configHash). */
  readonly configHash: string;
  readonly referenceId: string;
}

export interface AlertOptions {
  readonly kind?: AlertKind;
  /** When the condition started firing; defaults to the window start. */
  readonly startsAt?: number;
}

/** A FIRING alert for one score of one window. */
export function buildAlert(window: WindowContext, score: DetectorScore, severity: Severity, threshold: number, options: AlertOptions = {}): Alert {
  const fp = fingerprint(window.modelId, window.modelVersion, score.detector, score.feature);
  const evidence: Record<string, string> = {};
  for (const key of Object.keys(score.evidence).sort()) evidence[key] = String(score.evidence[key]);
  return {
    alertId: alertId(fp, window.windowStart),
    fingerprint: fp,
    status: 'FIRING',
    severity,
    kind: options.kind ?? 'DRIFT',
    modelId: window.modelId,
    modelVersion: window.modelVersion,
    detector: score.detector,
    feature: score.feature,
    score: score.score,
    threshold,
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
    startsAt: options.startsAt ?? window.windowStart,
    evidence,
    source: evidenceSource(window.source),
    configHash: window.configHash,
    referenceId: window.referenceId,
  };
}

export interface WindowAlerts {
  /** Every WARNING and CRITICAL alert, ordered by detector then feature (model-level first). */
  readonly alerts: readonly Alert[];
  /** Whether at least one score was CRITICAL (what the rollback policy counts). */
  readonly critical: boolean;
  /** Ids of the CRITICAL alerts. */
  readonly criticalAlertIds: readonly string[];
}

/** Classifies every score of a window and builds an alert for each that crosses a threshold. */
export function windowAlerts(
  window: WindowContext,
  scores: readonly DetectorScore[],
  thresholdsOf: (detector: string) => Thresholds | null,
  kind: AlertKind = 'DRIFT',
): WindowAlerts {
  const ordered = [...scores].sort(compareScores);
  const alerts: Alert[] = [];
  const criticalAlertIds: string[] = [];
  for (const score of ordered) {
    const thresholds = thresholdsOf(score.detector);
    if (thresholds === null) continue;
    const { level, threshold } = classify(score.score, thresholds);
    if (level === 'none') continue;
    const alert = buildAlert(window, score, level, threshold, { kind });
    alerts.push(alert);
    if (level === 'CRITICAL') criticalAlertIds.push(alert.alertId);
  }
  return { alerts, critical: criticalAlertIds.length > 0, criticalAlertIds };
}

function compareScores(a: DetectorScore, b: DetectorScore): number {
  if (a.detector !== b.detector) return a.detector < b.detector ? -1 : 1;
  if (a.feature === b.feature) return 0;
  if (a.feature === null) return -1;
  if (b.feature === null) return 1;
  return a.feature < b.feature ? -1 : 1;
}

/** A batch span (int64 offsets as decimal strings) as the Alert's `source` (longs). */
export function evidenceSource(span: SourceSpan): EvidenceSource {
  const offset = (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new VigilError('VIGIL_INTERNAL', `offset ${JSON.stringify(text)} of ${span.topic}/${span.partition} is not a safe integer`);
    return n;
  };
  return { topic: span.topic, partition: span.partition, firstOffset: offset(span.firstOffset), lastOffset: offset(span.lastOffset) };
}
