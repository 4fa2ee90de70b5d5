/** Builds the report sections beyond the per-feature tests, each only when asked for (or, multivariate, by default). */
import { sectionOf, type Sections } from './checks.js';
import { embeddingChecks } from './embedding.js';
import { multivariateChecks, type MultivariateOptions } from './multivariate.js';
import { performanceChecks, type PerformanceOptions } from './performance.js';
import type { Table } from './read.js';
import { streamChecks, type StreamOptions } from './streams.js';

export interface SectionOptions {
  /** Numeric columns tested together; the section is left out with fewer than two or no method. */
  readonly multivariate: MultivariateOptions & { readonly columns: readonly string[] };
  /** One column of JSON arrays, or a group of numeric columns. */
  readonly embedding?: readonly string[];
  readonly streams?: StreamOptions;
  readonly performance?: PerformanceOptions;
  readonly seed: number;
}

export function buildSections(reference: Table, current: Table, o: SectionOptions): Sections {
  const sections: Sections = {};
  const mv = o.multivariate;
  if (mv.columns.length >= 2 && mv.methods.length > 0) sections.multivariate = sectionOf(multivariateChecks(reference, current, mv.columns, mv));
  if (o.embedding !== undefined) sections.embedding = sectionOf(embeddingChecks(reference, current, o.embedding, o.seed));
  if (o.streams !== undefined) sections.streams = sectionOf(streamChecks(reference, current, o.streams));
  if (o.performance !== undefined) sections.performance = sectionOf(performanceChecks(reference, current, o.performance));
  return sections;
}
