/**
 * Named binning conventions. The peers disagree on how a numeric feature is binned before PSI,
 * Jensen–Shannon or Hellinger, and the choice moves the numbers a lot, so every report names the one
 * it used:
 *   - `reference-quantile`: `bins` equal-probability bins of the reference (./quantiles.ts); the two
 *     outer bins are open-ended, so values outside the reference's range fall in them.
 *   - `fixed-k`: `k` equal-width bins over the reference's [min, max], plus one bin for values below
 *     the reference's minimum and one for values above its maximum (k + 2 bins in all).
 *   - `sturges-both`: Evidently's convention, numpy.histogram_bin_edges(bins='sturges') over both
 *     samples together, numpy.histogram counting (last bin closed), zero proportions floored as
 *     Evidently does (./distances.ts evidentlyFloor). It needs both samples whole, so it is offered by
 *     `vigil drift`, not by the streaming detectors, whose window summaries are reference-bin counts.
 */
import { nextUp } from './float.js';

export const BINNINGS = ['reference-quantile', 'fixed-k', 'sturges-both'] as const;
export type Binning = (typeof BINNINGS)[number];

/**
 * Edges for `fixed-k` over [min, max]: writes k + 1 strictly increasing edges to `out[outOff ..]` and
 * returns how many. The last edge is nextUp(max), so max itself stays in the last regular bin and
 * only values above it land in the overflow bin (binCounts' bins are closed on the left). A constant
 * reference (min = max) gets the edges [c, nextUp(c)]: below, equal, above.
 */
export function fixedWidthEdges(min: number, max: number, k: number, out: Float64Array, outOff = 0): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`fixedWidthEdges: k must be an integer >= 1, got ${k}`);
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return 0;
  if (min === max) {
    out[outOff] = min;
    out[outOff + 1] = nextUp(min);
    return 2;
  }
  const width = (max - min) / k;
  let count = 0;
  let last = -Infinity;
  for (let j = 0; j < k; j++) {
    const e = min + j * width;
    if (e > last) {
      out[outOff + count++] = e;
      last = e;
    }
  }
  out[outOff + count++] = nextUp(max);
  return count;
}

/** Number of Sturges bins numpy uses for `n` values spanning [lo, hi]. */
export function sturgesBinCount(n: number, lo: number, hi: number): number {
  const width = (hi - lo) / (Math.log2(n) + 1);
  return width > 0 ? Math.ceil((hi - lo) / width) : 1;
}

/**
 * numpy.histogram_bin_edges(values, bins='sturges') for `n` values with minimum `lo` and maximum
 * `hi`: writes the edges (bins + 1 values, numpy.linspace) to `out[outOff ..]` and returns the bin
 * count. A zero range widens to [lo − 0.5, hi + 0.5] with one bin, as numpy does.
 */
export function sturgesEdges(n: number, lo: number, hi: number, out: Float64Array, outOff = 0): number {
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = sturgesBinCount(n, lo, hi);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) out[outOff + i] = first + i * step;
  out[outOff + bins] = last;
  return bins;
}

/**
 * numpy.histogram counts of `values[off .. off + length)` over `bins` bins with edges
 * `edges[eOff .. eOff + bins]`: bins closed on the left, the last also on the right; values outside
 * and NaN are not counted. Returns the number counted.
 */
export function histogramCounts(values: Float64Array, off: number, length: number, edges: Float64Array, eOff: number, bins: number, countsOut: Float64Array, cOff = 0): number {
  countsOut.fill(0, cOff, cOff + bins);
  const first = edges[eOff]!;
  const last = edges[eOff + bins]!;
  let counted = 0;
  for (let i = off, end = off + length; i < end; i++) {
    const v = values[i]!;
    if (!(v >= first && v <= last)) continue;
    let lo = 0;
    let hi = bins; // invariant: edges[lo] <= v, and v < edges[hi] unless hi is the last edge
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (edges[eOff + mid]! <= v) lo = mid;
      else hi = mid;
    }
    countsOut[cOff + lo]!++;
    counted++;
  }
  return counted;
}
