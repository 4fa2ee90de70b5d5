/**
 * Identities of alerts. The fingerprint is a hash of the labels that name a condition (model, version,
 * detector, feature): severity and kind are not part of it, so an alert that escalates from WARNING
 * to CRITICAL stays the same alert. The alert id names one notification of a condition: its
 * fingerprint, the window it was raised at, and for a RESOLVED notification its status, so replaying
 * the same events with the same configuration gives the same ids and a consumer can deduplicate.
 */
import type { AlertKind, AlertStatus, Severity } from '../../contracts/records.js';
import { canonicalHash } from '../../config/canonical.js';

/** Stable hex identity of a condition. */
export function fingerprint(modelId: string, modelVersion: string, detector: string, feature: string | null): string {
  return canonicalHash(['vigil.alert.fingerprint.v1', modelId, modelVersion, detector, feature]);
}

/**
 * Hex id of a notification of a condition in the window starting at `windowStart` (window starts of a
 * version never repeat). FIRING ids keep the form they had before RESOLVED notifications existed.
 */
export function alertId(fingerprintHex: string, windowStart: number, status: AlertStatus = 'FIRING'): string {
  return status === 'FIRING'
    ? canonicalHash(['vigil.alert.id.v1', fingerprintHex, windowStart])
    : canonicalHash(['vigil.alert.id.v1', fingerprintHex, windowStart, status]);
}

/** The labels silences match on. `feature` is the empty string for a model-level condition. */
export interface AlertLabels {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly detector: string;
  readonly feature: string;
  readonly kind: AlertKind;
  readonly severity: Severity;
}

export type LabelName = keyof AlertLabels;

export const LABEL_NAMES: readonly LabelName[] = ['modelId', 'modelVersion', 'detector', 'feature', 'kind', 'severity'];
