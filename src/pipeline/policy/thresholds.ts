/**
 * From a detector's score to a severity. A score at or above a threshold crosses it (PSI 0.25 against
 * a critical threshold of 0.25 is CRITICAL). A score that is not a finite number never crosses: a
 * detector that could not compute (an empty column, say) reports nothing rather than a false alarm.
 */
import { detectorThresholds, thresholdsOf } from '../../config/models.js';
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

/**
 * Scores of statistical tests as the policy judges them. A two-sample test reports its statistic
 * (KS D, the chi-square value...) with `adjustedPValue` and `alpha` in its evidence; unless thresholds
 * are configured for the detector, the policy judges the evidence, not the statistic: the score
 * becomes -log10 of the adjusted p-value (higher is worse; the statistic stays in the evidence as
 * `statistic`), a WARNING at the test's alpha and CRITICAL at a tenth of it. A detector that gives
 * only a verdict (`drift` in its evidence) and no default thresholds scores 1 (drift) or 0: a WARNING.
 */
export function testScores(detectors: DetectorsSettings, scores: readonly DetectorScore[]): { scores: DetectorScore[]; thresholds: Map<string, Thresholds> } {
  const thresholds = new Map<string, Thresholds>();
  const out = scores.map((s) => {
    const configured = Object.hasOwn(detectors, s.detector) ? detectors[s.detector] : undefined;
    if (configured === undefined || configured.warning !== undefined || configured.critical !== undefined) return s;
    const adjusted = Number(s.evidence['adjustedPValue'] ?? s.evidence['pValue']);
    const alpha = Number(s.evidence['alpha']);
    if (!Number.isFinite(adjusted) || !(alpha > 0 && alpha < 1)) {
      // A detector that only gives its verdict (drift: true or false) and has no thresholds of its
      // own: a WARNING when it says drift, with the statistic in the evidence.
      if (s.evidence['drift'] === undefined || detectorThresholds(s.detector) !== undefined) return s;
      thresholds.set(s.detector, { warning: 1, critical: Number.POSITIVE_INFINITY });
      return { ...s, score: s.evidence['drift'] === 'true' ? 1 : 0, evidence: { ...s.evidence, statistic: String(s.score) } };
    }
    const warning = -Math.log10(alpha);
    thresholds.set(s.detector, { warning, critical: warning + 1 });
    return { ...s, score: -Math.log10(Math.max(adjusted, 1e-300)), evidence: { ...s.evidence, statistic: String(s.score) } };
  });
  return { scores: out, thresholds };
}
