/**
 * From a detector's score to a severity. A score at or above a threshold crosses it (PSI 0.25 against
 * a critical threshold of 0.25 is CRITICAL). A score that is not a finite number never crosses: a
 * detector that could not compute (an empty column, say) reports nothing rather than a false alarm.
 */
import { thresholdsOf } from '../../config/models.js';
import type { DetectorsSettings } from '../../config/types.js';

/** What a detector says about one feature (or the model as a whole) over one window. */
export interface DetectorScore {
  readonly detector: string;
  /** Feature concerned; null for the model as a whole. */
  readonly feature: string | null;
  readonly score: number;
  /** Facts behind the score, as strings (bin counts, sample sizes, the reference id...). */
  readonly evidence: Readonly<Record<string, string>>;
}

export interface Thresholds {
  readonly warning: number;
  readonly critical: number;
}

export type Level = 'none' | 'WARNING' | 'CRITICAL';

export interface Classified {
  readonly level: Level;
  /** The threshold crossed; for `none`, the warning threshold the score stayed under. */
  readonly threshold: number;
}

export function severityOf(score: number, thresholds: Thresholds): Level {
  return classify(score, thresholds).level;
}

export function classify(score: number, thresholds: Thresholds): Classified {
  if (Number.isFinite(score)) {
    if (score >= thresholds.critical) return { level: 'CRITICAL', threshold: thresholds.critical };
    if (score >= thresholds.warning) return { level: 'WARNING', threshold: thresholds.warning };
  }
  return { level: 'none', threshold: thresholds.warning };
}

/** Thresholds of an enabled detector in the model's settings; null when disabled or unknown. */
export function thresholdsFor(detectors: DetectorsSettings, detector: string): Thresholds | null {
  const settings = Object.hasOwn(detectors, detector) ? detectors[detector] : undefined;
  if (settings === undefined || !settings.enabled) return null;
  return thresholdsOf(detector, settings);
}

/**
 * Thresholds of an enabled event detector. Its events arrive already flagged by the detector's own
 * calibrated threshold, so a flagged event (score at or over `flaggedFrom`, the detector's own
 * `threshold` parameter) is at least a WARNING unless `warning` says otherwise, and
 * CRITICAL from `critical` (configured, else the detector's default; without one, never).
 */
export function eventThresholdsFor(detectors: DetectorsSettings, detector: string, flaggedFrom: number): Thresholds | null {
  const settings = Object.hasOwn(detectors, detector) ? detectors[detector] : undefined;
  if (settings === undefined || !settings.enabled) return null;
  const { critical } = thresholdsOf(detector, settings);
  return { warning: settings.warning ?? flaggedFrom, critical };
}
