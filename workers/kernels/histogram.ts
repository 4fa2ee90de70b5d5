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
