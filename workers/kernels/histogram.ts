/**
 * Histogram counts over strictly increasing bin edges.
 *
 * With edges `e[0] < e[1] < … < e[k-1]` there are `k + 1` bins, closed on the left:
 * bin 0 is `(-∞, e[0])`, bin `j` is `[e[j-1], e[j])`, bin `k` is `[e[k-1], +∞)`. So values below the
 * first edge land in bin 0, values at or above the last edge in the last bin, and a value equal to an
 * edge belongs to the bin that starts there (which is what gives a point mass its own bin; see
 * ./quantiles.ts). No edge at all means one bin that holds every value.
 */

/**
 * Overwrites `countsOut[countsOffset .. countsOffset + edgeCount]` (edgeCount + 1 bins) with the
 * number of values of `values[offset .. offset + length)` in each bin, skipping NaN, and returns the
 * number of non-NaN values counted. The edges are `edges[edgesOffset .. edgesOffset + edgeCount)`.
 */
export function binCounts(
  values: ArrayLike<number>,
  offset: number,
  length: number,
  edges: Float64Array,
  countsOut: Float64Array,
  edgesOffset = 0,
  edgeCount = edges.length - edgesOffset,
  countsOffset = 0,
): number {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > values.length) {
    throw new RangeError(`binCounts: offset ${offset} and length ${length} must be non-negative integers within the ${values.length} values`);
  }
  if (!Number.isInteger(edgesOffset) || !Number.isInteger(edgeCount) || edgesOffset < 0 || edgeCount < 0 || edgesOffset + edgeCount > edges.length) {
    throw new RangeError(`binCounts: edges offset ${edgesOffset} and count ${edgeCount} must lie within the ${edges.length} edges`);
  }
  if (!Number.isInteger(countsOffset) || countsOffset < 0 || countsOffset + edgeCount + 1 > countsOut.length) {
    throw new RangeError(`binCounts: countsOut needs ${edgeCount + 1} bins from offset ${countsOffset}, has ${countsOut.length}`);
  }
  countsOut.fill(0, countsOffset, countsOffset + edgeCount + 1);
  const end = offset + length;
  let counted = 0;
  if (edgeCount === 0) {
    for (let i = offset; i < end; i++) if (values[i] === values[i]) counted++;
    countsOut[countsOffset] = counted;
    return counted;
  }
  // The bin of v is the number of edges <= v. The search below is branch-free (the comparison becomes
  // 0 or 1) with a trip count that depends only on edgeCount, and runs four values side by side so
  // their load-compare chains overlap: about 3× faster than a branchy binary search on random data.
  // Invariant: edges before `b` are <= v and edges from `b + n` on are > v.
  const e0 = edgesOffset;
  const c0 = countsOffset - edgesOffset;
  let i = offset;
  for (; i + 4 <= end; i += 4) {
    const v0 = values[i]!;
    const v1 = values[i + 1]!;
    const v2 = values[i + 2]!;
    const v3 = values[i + 3]!;
    let b0 = e0;
    let b1 = e0;
    let b2 = e0;
    let b3 = e0;
    for (let n = edgeCount; n > 1; ) {
      const half = n >>> 1;
      b0 += half * +(edges[b0 + half]! <= v0);
      b1 += half * +(edges[b1 + half]! <= v1);
      b2 += half * +(edges[b2 + half]! <= v2);
      b3 += half * +(edges[b3 + half]! <= v3);
      n -= half;
    }
    // NaN compares false everywhere, so its search stayed in range; it is just not counted.
    if (v0 === v0) {
      countsOut[c0 + b0 + +(edges[b0]! <= v0)]!++;
      counted++;
    }
    if (v1 === v1) {
      countsOut[c0 + b1 + +(edges[b1]! <= v1)]!++;
      counted++;
    }
    if (v2 === v2) {
      countsOut[c0 + b2 + +(edges[b2]! <= v2)]!++;
      counted++;
    }
    if (v3 === v3) {
      countsOut[c0 + b3 + +(edges[b3]! <= v3)]!++;
      counted++;
    }
  }
  for (; i < end; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    let b = e0;
    for (let n = edgeCount; n > 1; ) {
      const half = n >>> 1;
      b += half * +(edges[b + half]! <= v);
      n -= half;
    }
    countsOut[c0 + b + +(edges[b]! <= v)]!++;
    counted++;
  }
  return counted;
}

/**
 * Bin lookup tables: binCounts' bins found by arithmetic and one table read instead of a search.
 *
 * A range three times as wide as the edges' (their span again on either side, so that values beyond
 * the outer edges seldom reach the clamp and its branches stay predictable) is cut into `cells` equal
 * cells from `first`; a value's cell is clamp(floor((v − first) · scale), 0, cells − 1). That map
 * never decreases as v grows (subtraction, multiplication by a positive scale, floor and clamp all
 * keep the order under IEEE rounding), so for a value in cell c every edge whose own cell is below c
 * is <= v, and every edge whose cell is above c is > v. The table stores, per cell, how many edges lie
 * in lower cells; the edges that share the value's cell are then compared one by one. The bin is
 * therefore exactly binCounts' for every value, whatever the rounding, because the table was built
 * with the same arithmetic on the edges themselves. With about 64 cells per bin few cells hold an
 * edge, so a value costs a subtraction, a multiplication, one table read and one comparison, with no
 * search. (Measured on 32 bins: about 7 % faster than 32 cells per bin over the edges' range alone;
 * 128 cells per bin are slower again.)
 *
 * A table holds one block per feature and lives in a Float64Array, so that it is prepared once per
 * reference and shared like any prepared section. Block layout, in doubles: [first, scale, last cell,
 * edge count]; the edges, then NaN up to `maxEdges + 2` (NaN compares false, so the comparisons stop
 * there); then the cells as int32, two per double, and after them one cell more, for NaN values, that
 * points past the last bin. The cells are small non-negative integers, so no pair of them reads as a
 * NaN double, and copying the table as doubles keeps them. Edges the arithmetic cannot cover (fewer
 * than two, or a range that is not finite) get a block without cells (last cell −1), counted by
 * binCounts over the block's copy of the edges.
 */
const HEADER = 4;
const MAX_CELLS = 4096;

// Counts of the current call, zero between calls (workers are single-threaded): int32 increments are
// cheaper than float64 ones. The slot after the last bin counts the NaN values.
let tally = new Int32Array(64);

/** Cells per block for up to `maxEdges` edges: about 64 per bin, a power of two, at most MAX_CELLS. */
function cellsFor(maxEdges: number): number {
  let cells = 64;
  while (cells < 64 * (maxEdges + 1) && cells < MAX_CELLS) cells *= 2;
  return cells;
}

/** Doubles one feature's block takes for up to `maxEdges` edges: the stride of a lookup table. */
export function binLookupStride(maxEdges: number): number {
  if (!Number.isInteger(maxEdges) || maxEdges < 0) throw new RangeError(`binLookupStride: maxEdges must be a non-negative integer, got ${maxEdges}`);
  return HEADER + maxEdges + 2 + cellsFor(maxEdges) / 2 + 1;
}

function checkBlock(name: string, table: Float64Array, maxEdges: number, feature: number): number {
  const stride = binLookupStride(maxEdges);
  if (!Number.isInteger(feature) || feature < 0 || (feature + 1) * stride > table.length) {
    throw new RangeError(`${name}: feature ${feature} has no block of ${stride} doubles in a table of ${table.length}`);
  }
  return feature * stride;
}

/**
 * Writes the block of `feature` into `table`, a table of blocks for up to `maxEdges` edges, from the
 * `edgeCount` strictly increasing edges at `edges[edgesOffset ..]`.
 */
export function buildBinLookup(edges: Float64Array, edgesOffset: number, edgeCount: number, maxEdges: number, table: Float64Array, feature: number): void {
  const at = checkBlock('buildBinLookup', table, maxEdges, feature);
  if (!Number.isInteger(edgeCount) || !Number.isInteger(edgesOffset) || edgeCount < 0 || edgeCount > maxEdges || edgesOffset < 0 || edgesOffset + edgeCount > edges.length) {
    throw new RangeError(`buildBinLookup: ${edgeCount} edges from offset ${edgesOffset} do not fit ${edges.length} edges, or a block of ${maxEdges}`);
  }
  const cells = cellsFor(maxEdges);
  const last = cells - 1;
  const span = edgeCount >= 2 ? edges[edgesOffset + edgeCount - 1]! - edges[edgesOffset]! : NaN;
  const first = edgeCount >= 2 ? edges[edgesOffset]! - span : NaN;
  const scale = cells / (3 * span);
  const e0 = at + HEADER;
  table.fill(NaN, e0, e0 + maxEdges + 2);
  table.set(edges.subarray(edgesOffset, edgesOffset + edgeCount), e0);
  table[at + 3] = edgeCount;
  const usable = Number.isFinite(first) && Number.isFinite(scale) && scale > 0;
  table[at] = usable ? first : NaN;
  table[at + 1] = usable ? scale : NaN;
  table[at + 2] = usable ? last : -1;
  if (!usable) return;
  const index = new Int32Array(table.buffer, table.byteOffset + 8 * (e0 + maxEdges + 2), cells + 2);
  let j = 0;
  for (let c = 0; c < cells; c++) {
    // j = the number of edges whose cell (the arithmetic of lookupBinCounts, verbatim) is below c.
    while (j < edgeCount) {
      const x = (edges[edgesOffset + j]! - first) * scale;
      if (((x > 0 ? (x < last ? x : last) : 0) | 0) >= c) break;
      j++;
    }
    index[c] = j;
  }
  index[cells] = edgeCount + 1;
  index[cells + 1] = 0;
}

/** The first index from `b` on whose edge is > v (the NaN padding stops every search). */
function after(e: Float64Array, b: number, v: number): number {
  while (e[b]! <= v) b++;
  return b;
}

/** The Int32Array view of a lookup table's memory through which lookupBinCounts reads the cells. */
export function binLookupCells(table: Float64Array): Int32Array {
  return new Int32Array(table.buffer, table.byteOffset, 2 * table.length);
}

/**
 * binCounts through the block of `feature` in `table` (built by buildBinLookup with the same
 * `maxEdges`; `cells` is binLookupCells(table), made once per table rather than per call): overwrites
 * `countsOut[countsOffset ..]` with the block's edgeCount + 1 counts and returns the number of non-NaN
 * values counted.
 */
export function lookupBinCounts(values: Float64Array, offset: number, length: number, table: Float64Array, cells: Int32Array, maxEdges: number, feature: number, countsOut: Float64Array, countsOffset = 0): number {
  const at = checkBlock('lookupBinCounts', table, maxEdges, feature);
  // The length alone: reading `.buffer` costs as much as counting a hundred values.
  if (cells.length !== 2 * table.length) throw new RangeError(`lookupBinCounts: cells must be binLookupCells(table), ${2 * table.length} int32, got ${cells.length}`);
  const edgeCount = table[at + 3]! | 0;
  const top = table[at + 2]! | 0;
  const e0 = at + HEADER;
  if (top < 0) return binCounts(values, offset, length, table, countsOut, e0, edgeCount, countsOffset);
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > values.length) {
    throw new RangeError(`lookupBinCounts: offset ${offset} and length ${length} must be non-negative integers within the ${values.length} values`);
  }
  if (!Number.isInteger(countsOffset) || countsOffset < 0 || countsOffset + edgeCount + 1 > countsOut.length) {
    throw new RangeError(`lookupBinCounts: countsOut needs ${edgeCount + 1} bins from offset ${countsOffset}, has ${countsOut.length}`);
  }
  if (tally.length < maxEdges + 2) tally = new Int32Array(maxEdges + 2);
  const t = tally;
  const first = table[at]!;
  const scale = table[at + 1]!;
  // The last cell and the NaN cell as doubles, so the clamp stays in float64 and is truncated once.
  // Every comparison with NaN is false, so NaN alone reaches the NaN cell.
  const last = table[at + 2]!;
  const nanCell = last + 1;
  const c0 = 2 * (e0 + maxEdges + 2);
  // Views that start at the block, so the loop adds no offsets.
  const base = cells.subarray(c0, c0 + top + 2);
  const e = table.subarray(e0, e0 + maxEdges + 2);
  // A view of just the values, so that the loop runs to its length (fewer index checks).
  const slice = values.subarray(offset, offset + length);
  const n = slice.length;
  let i = 0;
  // Four values per turn: fewer loop checks, and their independent reads overlap.
  for (; i + 3 < n; i += 4) {
    const v0 = slice[i]!;
    const v1 = slice[i + 1]!;
    const v2 = slice[i + 2]!;
    const v3 = slice[i + 3]!;
    const x0 = (v0 - first) * scale;
    const x1 = (v1 - first) * scale;
    const x2 = (v2 - first) * scale;
    const x3 = (v3 - first) * scale;
    let b0 = base[(x0 > 0 ? (x0 < last ? x0 : last) : x0 <= 0 ? 0 : nanCell) | 0]!;
    let b1 = base[(x1 > 0 ? (x1 < last ? x1 : last) : x1 <= 0 ? 0 : nanCell) | 0]!;
    let b2 = base[(x2 > 0 ? (x2 < last ? x2 : last) : x2 <= 0 ? 0 : nanCell) | 0]!;
    let b3 = base[(x3 > 0 ? (x3 < last ? x3 : last) : x3 <= 0 ? 0 : nanCell) | 0]!;
    if (e[b0]! <= v0) b0 = after(e, b0 + 1, v0);
    if (e[b1]! <= v1) b1 = after(e, b1 + 1, v1);
    if (e[b2]! <= v2) b2 = after(e, b2 + 1, v2);
    if (e[b3]! <= v3) b3 = after(e, b3 + 1, v3);
    t[b0]!++;
    t[b1]!++;
    t[b2]!++;
    t[b3]!++;
  }
  for (; i < n; i++) {
    const v = slice[i]!;
    const x = (v - first) * scale;
    let b = base[(x > 0 ? (x < last ? x : last) : x <= 0 ? 0 : nanCell) | 0]!;
    if (e[b]! <= v) b = after(e, b + 1, v);
    t[b]!++;
  }
  const nan = t[edgeCount + 1]!;
  t[edgeCount + 1] = 0;
  for (let b = 0; b <= edgeCount; b++) {
    countsOut[countsOffset + b] = t[b]!;
    t[b] = 0;
  }
  return length - nan;
}
