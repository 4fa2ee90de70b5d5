/**
 * Reference-quantile bin edges.
 *
 * Quantile definition: Hyndman & Fan type 7 (the default of R and NumPy): over the `n` sorted non-NaN
 * values `x`, the quantile at probability `p` is `x[h]` linearly interpolated at `h = (n - 1) * p`.
 * The interior cut points are the quantiles at `j / bins` for `j = 1 .. bins - 1`.
 *
 * Dedupe rule (ties): edges must be strictly increasing for the binary search in ./histogram.ts. Walking
 * the cut points in order, a cut point greater than the last kept edge is kept. The first cut point that
 * repeats the last kept edge `v` (a point mass: many equal values) is replaced by `nextUp(v)`, the next
 * double above `v`, so the atom gets a bin of its own, `[v, nextUp(v))`, which holds exactly the
 * values equal to `v`. Any further repeat is dropped. Consequences:
 *   - a constant feature `c` gets the edges `[c, nextUp(c)]`: three bins, "below c", "equal to c" and
 *     "above c", so a current window that moves either way away from the constant is visible;
 *   - a single value behaves like a constant feature;
 *   - no non-NaN values (all NaN, empty window) gives no edge: one bin that holds everything;
 *   - the edge count is between 0 and `bins - 1`, never more.
 */
import { nextUp } from './float.js';

// Reused between calls so that building a reference allocates no per-feature sort buffer.
let scratch = new Float64Array(0);

function scratchOf(length: number): Float64Array {
  if (scratch.length < length) {
    let size = Math.max(1024, scratch.length);
    while (size < length) size *= 2;
    scratch = new Float64Array(size);
  }
  return scratch;
}

function checkRange(name: string, values: ArrayLike<number>, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > values.length) {
    throw new RangeError(`${name}: offset ${offset} and length ${length} must be non-negative integers within the ${values.length} values`);
  }
}

/** Type-7 quantile at probability `p` over `sorted[0 .. n)` (n >= 1), robust to infinite values. */
function quantileSorted(sorted: Float64Array, n: number, p: number): number {
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const frac = h - lo;
  if (frac === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1]!;
  if (a === b) return a;
  let q = a + frac * (b - a);
  // b - a overflows for values of opposite sign near the double range, and is NaN for -Inf..+Inf.
  if (!Number.isFinite(q)) q = (1 - frac) * a + frac * b;
  if (q !== q) q = frac < 0.5 ? a : b;
  // Rounding must not take the cut point outside the pair it interpolates (keeps the edges monotone).
  return q < a ? a : q > b ? b : q;
}

/**
 * Writes the interior cut points of `bins` equal-probability bins of the non-NaN values in
 * `values[offset .. offset + length)` into `out[outOffset ..]`, deduplicated as described above, and
 * returns how many were written (0 .. bins - 1). `out` needs room for `bins - 1` edges.
 */
export function quantileEdges(
  values: ArrayLike<number>,
  offset: number,
  length: number,
  bins: number,
  out: Float64Array,
  outOffset = 0,
): number {
  checkRange('quantileEdges', values, offset, length);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`quantileEdges: bins must be an integer >= 1, got ${bins}`);
  if (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + bins - 1 > out.length) {
    throw new RangeError(`quantileEdges: out needs room for ${bins - 1} edges from offset ${outOffset}, has ${out.length}`);
  }
  const buf = scratchOf(length);
  let n = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = values[i]!;
    if (v === v) buf[n++] = v;
  }
  if (n === 0) return 0;
  // A typed-array sort is numeric (no comparator needed) and puts -0 before +0.
  const sorted = buf.subarray(0, n).sort();

  let k = 0;
  let last = 0;
  let atomSplit = false;
  for (let j = 1; j < bins; j++) {
    const q = quantileSorted(sorted, n, j / bins);
    if (k === 0 || q > last) {
      out[outOffset + k++] = q;
      last = q;
      atomSplit = false;
    } else if (!atomSplit && q === last && last !== Infinity) {
      last = nextUp(last);
      out[outOffset + k++] = last;
      atomSplit = true;
    }
  }
  return k;
}
