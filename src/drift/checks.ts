/**
 * The sections of the drift report beyond the per-feature tests (multivariate, embedding, streams,
 * performance): each is a list of checks, every check with its statistic, threshold and verdict,
 * computed by the engine's own detectors (./engine.ts).
 */

export const SECTION_NAMES = ['multivariate', 'embedding', 'streams', 'performance'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export const SECTION_TITLES: Readonly<Record<SectionName, string>> = {
  multivariate: 'Multivariate drift',
  embedding: 'Embedding drift',
  streams: 'Sequential drift per stream',
  performance: 'Model performance',
};

export type DetailValue = string | number | boolean | readonly number[];

export interface Check {
  /** The engine detector that computed it (mmd, pca-drift, embedding-drift, adwin, …, performance). */
  readonly detector: string;
  /** What it looks at: a column, a list of columns or a metric. */
  readonly subject: string;
  /** What `value` is, in words. */
  readonly statistic: string;
  /** The statistic; null when the check could not be computed (see `note`). */
  readonly value: number | null;
  /** What the verdict compares, in words. */
  readonly threshold: string;
  readonly drift: boolean;
  readonly details: Readonly<Record<string, DetailValue>>;
  /** Why the check was not computed, when it was not. */
  readonly note?: string;
}

export interface Section {
  readonly checks: readonly Check[];
  /** Whether any check drifted. */
  readonly drift: boolean;
}

export type Sections = Partial<Record<SectionName, Section>>;

export function sectionOf(checks: readonly Check[]): Section {
  return { checks, drift: checks.some((c) => c.drift) };
}

/** A check that could not be computed, with the reason. */
export function untested(detector: string, subject: string, statistic: string, threshold: string, note: string): Check {
  return { detector, subject, statistic, value: null, threshold, drift: false, details: {}, note };
}

/** A numeric evidence entry of an engine score (evidence values are strings). */
export function evidenceNumber(evidence: Readonly<Record<string, string>>, key: string): number {
  const v = evidence[key];
  return v === undefined ? NaN : Number(v);
}

/** The names of the sections that drifted, in report order. */
export function driftedSections(sections: Sections): SectionName[] {
  return SECTION_NAMES.filter((name) => sections[name]?.drift === true);
}
