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

/**
 * binCounts (./histogram.ts) for edges made by fixedWidthEdges, by arithmetic instead of a search:
 * the bin is guessed from (v − first) · scale and then checked against the edges themselves (and
 * moved while wrong), so the counts are exactly binCounts' whatever the rounding. About twice as fast
 * as the branch-free binary search on 32 bins. Same arguments as binCounts; writes edgeCount + 1
 * counts and returns how many non-NaN values were counted.
 */
export function fixedWidthCounts(values: Float64Array, offset: number, length: number, edges: Float64Array, countsOut: Float64Array, edgesOffset = 0, edgeCount = edges.length - edgesOffset, countsOffset = 0): number {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > values.length) {
    throw new RangeError(`fixedWidthCounts: offset ${offset} and length ${length} must be non-negative integers within the ${values.length} values`);
  }
  if (edgesOffset < 0 || edgeCount < 0 || edgesOffset + edgeCount > edges.length || countsOffset < 0 || countsOffset + edgeCount + 1 > countsOut.length) {
    throw new RangeError(`fixedWidthCounts: ${edgeCount} edges from ${edgesOffset} and ${edgeCount + 1} counts from ${countsOffset} do not fit`);
  }
  countsOut.fill(0, countsOffset, countsOffset + edgeCount + 1);
  const end = offset + length;
  let counted = 0;
  if (edgeCount < 2) {
    const e = edgeCount === 1 ? edges[edgesOffset]! : Infinity;
    for (let i = offset; i < end; i++) {
      const v = values[i]!;
      if (v !== v) continue;
      countsOut[countsOffset + +(v >= e)]!++;
      counted++;
    }
    return counted;
  }
  const first = edges[edgesOffset]!;
  const last = edges[edgesOffset + edgeCount - 1]!;
  const regular = edgeCount - 1;
  const scale = regular / (last - first);
  const top = edgesOffset + edgeCount - 1;
  for (let i = offset; i < end; i++) {
    const v = values[i]!;
    let b: number;
    if (v < first) b = 0;
    else if (v >= last) b = edgeCount;
    else if (v === v) {
      // e = edges index of the bin's left edge: edges[e] <= v < edges[e + 1].
      let e = edgesOffset + Math.min(regular - 1, Math.floor((v - first) * scale));
      while (edges[e]! > v) e--;
      while (e + 1 < top && edges[e + 1]! <= v) e++;
      b = e - edgesOffset + 1;
    } else continue;
    countsOut[countsOffset + b]!++;
    counted++;
  }
  return counted;
}
