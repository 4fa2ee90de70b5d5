/**
 * Inhibition: while a CRITICAL alert of a model version fires, its WARNING (and INFO) alerts are
 * muted, so the page says what matters. Silenced CRITICAL alerts still inhibit, as in Alertmanager:
 * a silence hides a notification, not the condition.
 */
import type { Severity } from '../../contracts/records.js';

export interface InhibitionCandidate {
  readonly fingerprint: string;
  readonly severity: Severity;
}

/** Fingerprints muted by inhibition among the firing alerts of one model version. */
export function inhibited(firing: readonly InhibitionCandidate[], enabled: boolean): Set<string> {
  const muted = new Set<string>();
  if (!enabled || !firing.some((a) => a.severity === 'CRITICAL')) return muted;
  for (const alert of firing) if (alert.severity !== 'CRITICAL') muted.add(alert.fingerprint);
  return muted;
}
