/**
 * The offline drift report: every statistic per feature with its threshold and verdict, computed by
 * the same kernels as the streaming detectors (workers/kernels/), and a verdict per feature.
 *
 * Numeric features: Kolmogorov–Smirnov (scipy ks_2samp, auto), Cramér–von Mises (scipy
 * cramervonmises_2samp, auto), Wasserstein-1 raw and normalised by the reference std (Evidently's
 * norm, threshold 0.1), and PSI, Jensen–Shannon (natural log; base 2 given too) and Hellinger over
 * the chosen binning. Categorical features: chi-square test of homogeneity (unseen categories are
 * their own columns), PSI, Jensen–Shannon and Hellinger over the categories, and the two-proportion
 * z-test when the feature is binary.
 * p-values of each statistic are corrected across the features (Bonferroni, Benjamini–Hochberg or
 * none); the binned distances get their p-value and critical value from the chi-square approximation
 * (workers/kernels/multitest.ts). A feature drifts when its primary test (KS for numeric,
 * chi-square for categorical) does, after correction.
 */
import { BINNINGS, fixedWidthEdges, histogramCounts, sturgesEdges, type Binning } from '../../workers/kernels/binning.js';
import { adjustPValues, distanceCriticalValue, distancePValue, perTestAlpha, type BinnedDistance, type Correction } from '../../workers/kernels/multitest.js';
import { chiSquareHomogeneity, twoProportionZ } from '../../workers/kernels/categorical.js';
import { cvmTwoSample } from '../../workers/kernels/cvm.js';
import { evidentlyFloor, hellinger, jensenShannon, psiOfProportions, wasserstein1 } from '../../workers/kernels/distances.js';
import { binCounts } from '../../workers/kernels/histogram.js';
import { KS_EXACT, ksTwoSample } from '../../workers/kernels/ks.js';
import { variance } from '../../workers/kernels/moments.js';
import { PSI_EPSILON, psi } from '../../workers/kernels/psi.js';
import { quantileEdges } from '../../workers/kernels/quantiles.js';
import { driftedSections, type SectionName, type Sections } from './checks.js';
import type { Feature } from './columns.js';

export { BINNINGS, type Binning };

export interface ReportOptions {
  readonly alpha: number;
  readonly correction: Correction;
  readonly binning: Binning;
  /** Bins for reference-quantile and fixed-k. */
  readonly bins: number;
  /** Threshold of the normalised Wasserstein distance (it has no p-value). */
  readonly wassersteinThreshold: number;
}

export interface Statistic {
  readonly name: string;
  readonly value: number;
  /** Raw p-value where the statistic has one. */
  readonly pValue?: number;
  adjustedPValue?: number;
  /** What the verdict compares, in words ("adjusted p <= 0.05", "value >= 0.1"). */
  threshold: string;
  /** The threshold in the statistic's own units, where it can be stated (critical distance, fixed threshold). */
  criticalValue?: number;
  drift: boolean;
  readonly details: Record<string, string | number>;
}

export interface Plot {
  /** Numeric: bin edges (length = bins + 1); categorical: category labels. */
  readonly edges?: number[];
  readonly labels?: string[];
  readonly reference: number[];
  readonly current: number[];
}

export interface FeatureReport {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  readonly typeSource: 'declared' | 'inferred';
  readonly referenceCount: number;
  readonly currentCount: number;
  readonly referenceMissing: number;
  readonly currentMissing: number;
  readonly statistics: Statistic[];
  /** The primary test's verdict. */
  drift: boolean;
  readonly verdictBy: string;
  readonly plot: Plot;
  /** Why a feature could not be tested, when it could not. */
  readonly note?: string;
}

export interface DriftReport {
  readonly reference: { readonly file: string; readonly rows: number };
  readonly current: { readonly file: string; readonly rows: number };
  readonly options: ReportOptions;
  readonly conventions: Record<string, string>;
  readonly features: FeatureReport[];
  /** Multivariate, embedding, streams and performance checks, those that ran. */
  readonly sections: Sections;
  readonly summary: { readonly features: number; readonly drifted: number; readonly driftedFeatures: string[]; readonly driftedSections: SectionName[] };
}

export const BINNING_DESCRIPTIONS: Record<Binning, string> = {
  'reference-quantile': 'equal-probability bins of the reference (type-7 quantiles), open outer bins; PSI floors both proportions at 1e-4',
  'fixed-k': 'equal-width bins over the reference range plus an underflow and an overflow bin; PSI floors both proportions at 1e-4',
  'sturges-both': "Evidently's: numpy Sturges bins over both samples; PSI fills empty bins as Evidently does (1e-4, or min/1e6)",
};

const PLOT_BINS = 30;

function binnedStatistics(ref: Float64Array, cur: Float64Array, nRef: number, nCur: number, binning: string, proportionsFloored: boolean): Statistic[] {
  const bins = ref.length;
  const rp = Float64Array.from(ref, (c) => c / nRef);
  const cp = Float64Array.from(cur, (c) => c / nCur);
  let psiValue: number;
  if (proportionsFloored) {
    const rf = Float64Array.from(rp);
    const cf = Float64Array.from(cp);
    evidentlyFloor(rf, 0, bins);
    evidentlyFloor(cf, 0, bins);
    psiValue = psiOfProportions(rf, 0, cf, 0, bins);
  } else {
    psiValue = psi(rp, cur, nCur, PSI_EPSILON, 0, 0, bins);
  }
  const js = jensenShannon(ref, 0, cur, 0, bins);
  const js2 = jensenShannon(ref, 0, cur, 0, bins, '2');
  const h = hellinger(ref, 0, cur, 0, bins);
  const entry = (name: string, kind: BinnedDistance, value: number, extra: Record<string, string | number> = {}): Statistic => ({
    name,
    value,
    pValue: distancePValue(kind, value, nRef, nCur, bins),
    threshold: '',
    drift: false,
    details: { binning, bins, pValueMethod: `chi-square approximation, ${bins - 1} degrees of freedom`, ...extra },
  });
  return [entry('psi', 'psi', psiValue), entry('jensen-shannon', 'jensen-shannon', js, { logBase: 'e', base2Value: js2 }), entry('hellinger', 'hellinger', h)];
}

function numericFeature(f: Feature, o: ReportOptions): FeatureReport {
  const a = f.reference!;
  const b = f.current!;
  const base = { name: f.name, type: 'numeric' as const, typeSource: f.declared ? ('declared' as const) : ('inferred' as const), referenceCount: a.length, currentCount: b.length, referenceMissing: f.referenceMissing, currentMissing: f.currentMissing, verdictBy: 'ks' };
  const lo = Math.min(a[0] ?? Infinity, b[0] ?? Infinity);
  const hi = Math.max(a[a.length - 1] ?? -Infinity, b[b.length - 1] ?? -Infinity);
  const plot = numericPlot(a, b, lo, hi);
  if (a.length < 2 || b.length < 2) return { ...base, statistics: [], drift: false, plot, note: 'fewer than two values on a side: not tested' };
  const stats: Statistic[] = [];
  const out = new Float64Array(3);
  ksTwoSample(a, 0, a.length, b, 0, b.length, out);
  stats.push({ name: 'ks', value: out[0]!, pValue: out[1]!, threshold: '', drift: false, details: { method: out[2] === KS_EXACT ? 'exact' : 'asymptotic', definition: 'scipy.stats.ks_2samp, two-sided, method auto' } });
  cvmTwoSample(a, 0, a.length, b, 0, b.length, out);
  stats.push({ name: 'cramer-von-mises', value: out[0]!, pValue: out[1]!, threshold: '', drift: false, details: { method: out[2] === 1 ? 'exact' : 'asymptotic', definition: 'scipy.stats.cramervonmises_2samp, method auto' } });
  const w = wasserstein1(a, 0, a.length, b, 0, b.length);
  const std = Math.max(Math.sqrt(variance(a, 0, a.length, 0)), 0.001);
  stats.push({ name: 'wasserstein', value: w / std, threshold: `value >= ${o.wassersteinThreshold}`, criticalValue: o.wassersteinThreshold, drift: w / std >= o.wassersteinThreshold, details: { raw: w, referenceStd: std, definition: 'scipy.stats.wasserstein_distance / max(np.std(reference), 0.001), as Evidently' } });

  let ref: Float64Array;
  let cur: Float64Array;
  let floored = false;
  let name: string;
  if (o.binning === 'sturges-both') {
    const edges = new Float64Array(Math.ceil(Math.log2(a.length + b.length) + 2) + 1);
    const k = sturgesEdges(a.length + b.length, lo, hi, edges);
    ref = new Float64Array(k);
    cur = new Float64Array(k);
    histogramCounts(a, 0, a.length, edges, 0, k, ref);
    histogramCounts(b, 0, b.length, edges, 0, k, cur);
    floored = true;
    name = `sturges-both (${k} bins)`;
  } else {
    const edges = new Float64Array(o.bins + 1);
    const k = o.binning === 'fixed-k' ? fixedWidthEdges(a[0]!, a[a.length - 1]!, o.bins, edges) : quantileEdges(a, 0, a.length, o.bins, edges);
    ref = new Float64Array(k + 1);
    cur = new Float64Array(k + 1);
    binCounts(a, 0, a.length, edges, ref, 0, k);
    binCounts(b, 0, b.length, edges, cur, 0, k);
    name = `${o.binning} (${k + 1} bins)`;
  }
  stats.push(...binnedStatistics(ref, cur, a.length, b.length, name, floored));
  return { ...base, statistics: stats, drift: false, plot };
}

function numericPlot(a: Float64Array, b: Float64Array, lo: number, hi: number): Plot {
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return { edges: [], reference: [], current: [] };
  const first = lo === hi ? lo - 0.5 : lo;
  const last = lo === hi ? hi + 0.5 : hi;
  const edges = new Float64Array(PLOT_BINS + 1);
  for (let i = 0; i <= PLOT_BINS; i++) edges[i] = first + ((last - first) * i) / PLOT_BINS;
  edges[PLOT_BINS] = last;
  const rc = new Float64Array(PLOT_BINS);
  const cc = new Float64Array(PLOT_BINS);
  histogramCounts(a, 0, a.length, edges, 0, PLOT_BINS, rc);
  histogramCounts(b, 0, b.length, edges, 0, PLOT_BINS, cc);
  return { edges: [...edges], reference: [...rc].map((c) => c / Math.max(1, a.length)), current: [...cc].map((c) => c / Math.max(1, b.length)) };
}

function categoricalFeature(f: Feature): FeatureReport {
  const a = f.referenceCategories!;
  const b = f.currentCategories!;
  const base = { name: f.name, type: 'categorical' as const, typeSource: f.declared ? ('declared' as const) : ('inferred' as const), referenceCount: a.length, currentCount: b.length, referenceMissing: f.referenceMissing, currentMissing: f.currentMissing, verdictBy: 'chi-square' };
  const index = new Map<string, number>();
  const rc: number[] = [];
  const cc: number[] = [];
  for (const [values, counts, other] of [[a, rc, cc], [b, cc, rc]] as const) {
    for (const v of values) {
      let i = index.get(v);
      if (i === undefined) {
        i = index.size;
        index.set(v, i);
        counts.push(0);
        other.push(0);
      }
      counts[i]!++;
    }
  }
  const labels = [...index.keys()];
  const order = labels.map((_, i) => i).sort((x, y) => rc[y]! + cc[y]! - (rc[x]! + cc[x]!) || (labels[x]! < labels[y]! ? -1 : 1));
  const plotOrder = order.slice(0, 20);
  const plot: Plot = {
    labels: plotOrder.map((i) => labels[i]!),
    reference: plotOrder.map((i) => rc[i]! / Math.max(1, a.length)),
    current: plotOrder.map((i) => cc[i]! / Math.max(1, b.length)),
  };
  if (a.length === 0 || b.length === 0) return { ...base, statistics: [], drift: false, plot, note: 'no values on a side: not tested' };
  const ref = Float64Array.from(rc);
  const cur = Float64Array.from(cc);
  const out = new Float64Array(3);
  const stats: Statistic[] = [];
  chiSquareHomogeneity(ref, 0, cur, 0, ref.length, out);
  const unseen = labels.filter((_, i) => rc[i] === 0).length;
  stats.push({ name: 'chi-square', value: out[0]!, pValue: out[1]!, threshold: '', drift: false, details: { degreesOfFreedom: out[2]!, categories: labels.length, unseenInReference: unseen, definition: 'scipy.stats.chi2_contingency(correction=False) on the 2 × K table' } });
  if (labels.length === 2) {
    twoProportionZ(rc[0]!, a.length, cc[0]!, b.length, out);
    stats.push({ name: 'z-test', value: out[0]!, pValue: out[1]!, threshold: '', drift: false, details: { category: labels[0]!, definition: 'pooled two-proportion z-test, two-sided' } });
  }
  stats.push(...binnedStatistics(ref, cur, a.length, b.length, `categories (${labels.length})`, false));
  return { ...base, statistics: stats, drift: false, plot };
}

/** Corrects each statistic's p-values across features, sets thresholds and verdicts. */
function decideAll(features: FeatureReport[], o: ReportOptions): void {
  const byName = new Map<string, { feature: FeatureReport; stat: Statistic }[]>();
  for (const feature of features) for (const stat of feature.statistics) if (stat.pValue !== undefined) {
    const list = byName.get(stat.name) ?? [];
    list.push({ feature, stat });
    byName.set(stat.name, list);
  }
  for (const list of byName.values()) {
    const p = Float64Array.from(list, (x) => x.stat.pValue!);
    const adjusted = new Float64Array(p.length);
    adjustPValues(p, p.length, o.correction, adjusted);
    const level = perTestAlpha(o.alpha, p.length, o.correction);
    list.forEach(({ feature, stat }, i) => {
      stat.adjustedPValue = adjusted[i]!;
      stat.drift = adjusted[i]! <= o.alpha;
      stat.threshold = o.correction === 'none' ? `p <= ${o.alpha}` : `${o.correction === 'bh' ? 'BH-adjusted' : 'Bonferroni-adjusted'} p <= ${o.alpha} (${p.length} features)`;
      const kind = stat.name === 'psi' || stat.name === 'jensen-shannon' || stat.name === 'hellinger' ? stat.name : null;
      if (kind !== null) {
        const bins = Number(stat.details['bins']);
        if (bins >= 2) stat.criticalValue = distanceCriticalValue(kind, level, feature.referenceCount, feature.currentCount, bins);
      }
    });
  }
  for (const f of features) f.drift = f.statistics.find((s) => s.name === f.verdictBy)?.drift ?? false;
}

export function buildReport(reference: { file: string; rows: number }, current: { file: string; rows: number }, features: readonly Feature[], options: ReportOptions, sections: Sections = {}): DriftReport {
  const reports = features.map((f) => (f.type === 'numeric' ? numericFeature(f, options) : categoricalFeature(f)));
  decideAll(reports, options);
  const drifted = reports.filter((f) => f.drift).map((f) => f.name);
  return {
    reference,
    current,
    options,
    conventions: {
      binning: `${options.binning}: ${BINNING_DESCRIPTIONS[options.binning]}`,
      categoricalBinning: 'one bin per category seen in either file',
      jensenShannon: 'distance (square root of the divergence), natural log; base2Value gives log base 2',
      hellinger: 'sqrt(1 − Σ√(p·q)) over the bin proportions',
      correction: `${options.correction} across the features tested by each statistic, alpha ${options.alpha}`,
      binnedThresholds: 'critical values from the chi-square approximation at the per-test level (PSI ≈ χ²/n_eff, JS² and H² ≈ χ²/(8·n_eff), n_eff = n·m/(n+m))',
      verdict: 'a numeric feature drifts when KS does, a categorical one when chi-square does (after correction)',
    },
    features: reports,
    sections,
    summary: { features: reports.length, drifted: drifted.length, driftedFeatures: drifted, driftedSections: driftedSections(sections) },
  };
}
