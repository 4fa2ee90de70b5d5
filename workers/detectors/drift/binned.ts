/**
 * Reference bins and window bin counts for the binned drift detectors (Jensen–Shannon, Hellinger),
 * under a named binning convention (workers/kernels/binning.ts): `reference-quantile` (equal-
 * probability bins of the reference, open outer bins) or `fixed-k` (equal-width bins over the
 * reference range plus an underflow and an overflow bin).
 *
 * Prepared reference data, per feature f: `edges` (stride bins + 1), `edgeCounts`, `refCounts`
 * (stride bins + 2), and `lookup`, the edges' bin lookup table (workers/kernels/histogram.ts) through
 * which windows are counted. Window summary: `counts` (stride bins + 2, laid out like refCounts) and
 * `totals`. Counts add, so batches merge exactly.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { fixedWidthEdges } from '../../kernels/binning.js';
import { binCounts, binLookupCells, binLookupStride, buildBinLookup, lookupBinCounts } from '../../kernels/histogram.js';
import { quantileEdges } from '../../kernels/quantiles.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { Summary } from '../types.js';
import type { ParamSpec } from './params.js';

export type BinnedSummary = { readonly counts: Float64Array; readonly totals: Float64Array };
export type BinnedReference = { readonly edges: Float64Array; readonly edgeCounts: Float64Array; readonly refCounts: Float64Array; readonly lookup: Float64Array };
export type BinningParams = { readonly binning: 'reference-quantile' | 'fixed-k'; readonly bins: number };

const SECTIONS = ['counts', 'totals'] as const;

export const BINNING: ParamSpec = { kind: 'enum', default: 'reference-quantile', values: ['reference-quantile', 'fixed-k'] };
export const BINS: ParamSpec = { kind: 'number', default: 10, min: 2, max: 1024, integer: true };

/** How a convention reads in evidence. */
export function binningName(params: BinningParams): string {
  return params.binning === 'fixed-k' ? `fixed-k (${params.bins} equal-width bins over the reference range, plus underflow and overflow bins)` : `reference-quantile (${params.bins} bins, open outer bins)`;
}

export function prepareBins(columns: NumericColumns, reference: ReferenceProfile, params: BinningParams): BinnedReference {
  const f = reference.featureNames.length;
  const stride = params.bins + 1;
  const edges = new Float64Array(f * stride);
  const edgeCounts = new Float64Array(f);
  const refCounts = new Float64Array(f * (stride + 1));
  const lookup = new Float64Array(f * binLookupStride(stride));
  const { count, features } = columns;
  for (let i = 0; i < Math.min(f, columns.featureCount); i++) {
    let k: number;
    if (params.binning === 'reference-quantile') {
      k = quantileEdges(features, i * count, count, params.bins, edges, i * stride);
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (let r = i * count, end = r + count; r < end; r++) {
        const v = features[r]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      k = fixedWidthEdges(min, max, params.bins, edges, i * stride);
    }
    edgeCounts[i] = k;
    binCounts(features, i * count, count, edges, refCounts, i * stride, k, i * (stride + 1));
    buildBinLookup(edges, i * stride, k, stride, lookup, i);
  }
  return { edges, edgeCounts, refCounts, lookup };
}

/** The prepared bins for `id`, shape-checked; null when the reference was not prepared for it. */
export function preparedBins(id: string, reference: ReferenceProfile, params: BinningParams): BinnedReference | null {
  const data: Summary | undefined = reference.detectorData?.[id];
  if (data === undefined) return null;
  const f = reference.featureNames.length;
  const { edges, edgeCounts, refCounts, lookup } = data as Partial<BinnedReference>;
  if (
    !(edges instanceof Float64Array) ||
    !(edgeCounts instanceof Float64Array) ||
    !(refCounts instanceof Float64Array) ||
    !(lookup instanceof Float64Array) ||
    edgeCounts.length !== f ||
    edges.length !== f * (params.bins + 1) ||
    refCounts.length !== f * (params.bins + 2) ||
    lookup.length !== f * binLookupStride(params.bins + 1)
  ) {
    throw new RangeError(`${id}: reference "${reference.id}" carries prepared bins of another shape than ${params.bins} bins × ${f} features`);
  }
  return { edges, edgeCounts, refCounts, lookup };
}

export function emptyBinned(reference: ReferenceProfile, params: BinningParams): BinnedSummary {
  const f = reference.featureNames.length;
  return { counts: new Float64Array(f * (params.bins + 2)), totals: new Float64Array(f) };
}

export function summarizeBinned(id: string, columns: NumericColumns, reference: ReferenceProfile, params: BinningParams): BinnedSummary {
  const summary = emptyBinned(reference, params);
  const bins = preparedBins(id, reference, params);
  if (bins === null) return summary;
  countThroughLookup(columns, reference, bins.lookup, params.bins + 1, params.bins + 2, summary);
  return summary;
}

/**
 * Counts the window's values of every reference feature through a bin lookup table of
 * `maxEdges`-edge blocks, into `summary` (`width` count slots per feature); a reference feature the
 * batch lacks keeps zero counts.
 */
export function countThroughLookup(columns: NumericColumns, reference: ReferenceProfile, lookup: Float64Array, maxEdges: number, width: number, summary: BinnedSummary): void {
  const { count } = columns;
  const present = Math.min(reference.featureNames.length, columns.featureCount);
  const cells = binLookupCells(lookup);
  for (let f = 0; f < present; f++) {
    summary.totals[f] = lookupBinCounts(columns.features, f * count, count, lookup, cells, maxEdges, f, summary.counts, f * width);
  }
}

export function mergeBinned(id: string, a: BinnedSummary, b: BinnedSummary): BinnedSummary {
  return sumSections(id, SECTIONS, a, b) as BinnedSummary;
}

export function encodeBinned(id: string, version: number, summary: BinnedSummary): Uint8Array {
  return encodeSections(id, version, SECTIONS, summary);
}

export function decodeBinned(id: string, version: number, bytes: Uint8Array): BinnedSummary {
  const { counts, totals } = decodeSections(id, version, SECTIONS, bytes) as BinnedSummary;
  const f = totals.length;
  if (f === 0 ? counts.length !== 0 : counts.length % f !== 0) throw new RangeError(`${id}: invalid summary bytes (${counts.length} counts for ${f} features)`);
  const width = f === 0 ? 0 : counts.length / f;
  for (let i = 0; i < f; i++) {
    let sum = 0;
    for (let b = 0; b < width; b++) {
      const c = counts[i * width + b]!;
      if (!(Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`${id}: invalid summary bytes (count ${c} is not a non-negative integer)`);
      sum += c;
    }
    if (sum !== totals[i]) throw new RangeError(`${id}: invalid summary bytes (feature ${i} counts add up to ${sum}, total says ${totals[i]})`);
  }
  return { counts, totals };
}
