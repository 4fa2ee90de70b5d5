/**
 * The multivariate section: MMD (RBF kernel, median-heuristic bandwidth, seeded permutation p-value)
 * and PCA reconstruction-error drift over the numeric columns together, by the engine's `mmd` and
 * `pca-drift` detectors. Rows are the files' rows; an absent value is what the detectors make of it
 * (the reference mean).
 */
import { MMD_DEFAULTS } from '../../workers/detectors/drift/mmd.js';
import { PCA_DEFAULTS } from '../../workers/detectors/drift/pca-drift.js';
import { evidenceNumber, untested, type Check } from './checks.js';
import { numericCells } from './columns.js';
import { columnsOf, runDetector } from './engine.js';
import type { Table } from './read.js';

export const MULTIVARIATE_METHODS = ['mmd', 'pca'] as const;
export type MultivariateMethod = (typeof MULTIVARIATE_METHODS)[number];

export interface MultivariateOptions {
  readonly methods: readonly MultivariateMethod[];
  /** Level of the MMD permutation test. */
  readonly alpha: number;
  readonly seed: number;
  /** Most rows of each file the MMD kernel matrix takes (a content-hash sample, as in the engine). */
  readonly mmdSample: number;
}

const MMD_STATISTIC = 'MMD² (RBF kernel, median-heuristic bandwidth, unbiased)';
const PCA_STATISTIC = 'mean PCA reconstruction error of the standardised rows';

/** The engine parameters of `mmd` for files of these sizes. */
export function mmdParams(o: MultivariateOptions, currentRows: number): Record<string, number> {
  const windowSize = Math.max(MMD_DEFAULTS.minWindow, Math.min(o.mmdSample, currentRows));
  return { referenceSize: o.mmdSample, windowSize, pValue: o.alpha, seed: o.seed };
}

export function multivariateChecks(reference: Table, current: Table, names: readonly string[], o: MultivariateOptions): Check[] {
  const subject = names.join(', ');
  const ref = columnsOf(reference.lines.length, names.map((n) => numericCells(reference, n)));
  const cur = columnsOf(current.lines.length, names.map((n) => numericCells(current, n)));
  const checks: Check[] = [];
  if (o.methods.includes('mmd')) {
    const params = mmdParams(o, cur.count);
    const threshold = `permutation p <= ${o.alpha}`;
    const [s] = runDetector('mmd', params, ref, cur, names);
    if (s === undefined) checks.push(untested('mmd', subject, MMD_STATISTIC, threshold, `not tested: needs at least 4 reference and ${MMD_DEFAULTS.minWindow} current rows`));
    else {
      const e = s.evidence;
      checks.push({
        detector: 'mmd',
        subject,
        statistic: MMD_STATISTIC,
        value: s.score,
        threshold: `${threshold} (MMD² above ${evidenceNumber(e, 'threshold').toPrecision(4)} at ${o.alpha})`,
        drift: e['drift'] === 'true',
        details: { pValue: evidenceNumber(e, 'pValue'), criticalValue: evidenceNumber(e, 'threshold'), sigma: evidenceNumber(e, 'sigma'), referenceRows: evidenceNumber(e, 'referenceRows'), currentRows: evidenceNumber(e, 'windowRows'), permutations: evidenceNumber(e, 'permutations'), seed: o.seed },
      });
    }
  }
  if (o.methods.includes('pca')) {
    const threshold = `outside the reference chunks' mean ± ${PCA_DEFAULTS.sigmas} sd`;
    const [s] = runDetector('pca-drift', {}, ref, cur, names);
    if (s === undefined) checks.push(untested('pca-drift', subject, PCA_STATISTIC, threshold, `not tested: needs at least ${PCA_DEFAULTS.minRows} current rows`));
    else {
      const e = s.evidence;
      const lower = evidenceNumber(e, 'lowerLimit');
      const upper = evidenceNumber(e, 'upperLimit');
      checks.push({
        detector: 'pca-drift',
        subject,
        statistic: PCA_STATISTIC,
        value: s.score,
        threshold: `${threshold} [${lower.toPrecision(4)}, ${upper.toPrecision(4)}]`,
        drift: e['drift'] === 'true',
        details: { lowerLimit: lower, upperLimit: upper, referenceMean: evidenceNumber(e, 'referenceMean'), components: evidenceNumber(e, 'components'), varianceExplained: PCA_DEFAULTS.varianceExplained, referenceChunks: evidenceNumber(e, 'referenceChunks'), currentRows: evidenceNumber(e, 'rows') },
      });
    }
  }
  return checks;
}
