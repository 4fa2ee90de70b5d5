/**
 * Maximum mean discrepancy with a permutation test, as Alibi Detect's MMDDrift computes it: over the
 * kernel matrix K of the reference rows X (n) followed by the test rows Y (m), diagonal set to 0,
 *   MMD² = ΣK_XX / (n(n-1)) + ΣK_YY / (m(m-1)) - 2 mean(K_XY),
 * and the p-value is the share of permutations of the pooled rows whose MMD² is at least the
 * observed one.
 *
 * A permutation only changes which rows form Y, so with the row sums R of K and its total T:
 *   ΣK_YY is the sum over the m×m pairs of Y, ΣK_XY = Σ_{i∈Y} R_i - ΣK_YY, ΣK_XX = T - ΣK_YY - 2ΣK_XY.
 * Each permutation costs m² additions instead of (n+m)²: the same statistic (up to rounding), two
 * orders of magnitude less work at n = 1000, m = 100.
 */

/** Sums of a kernel matrix (N × N, diagonal zeroed in place): the row sums into `rowSums`, the total returned. */
export function prepareKernelSums(kernel: Float64Array, size: number, rowSums: Float64Array): number {
  let total = 0;
  for (let i = 0; i < size; i++) {
    kernel[i * size + i] = 0;
    let r = 0;
    for (let j = 0; j < size; j++) r += kernel[i * size + j]!;
    rowSums[i] = r;
    total += r;
  }
  return total;
}

/**
 * MMD² when the rows at `testIndex[0..m)` form Y and the others X. `kernel` has a zero diagonal and
 * `rowSums` / `total` come from `prepareKernelSums`.
 */
export function mmd2ForSplit(kernel: Float64Array, size: number, rowSums: Float64Array, total: number, testIndex: Int32Array, m: number): number {
  const n = size - m;
  let yy = 0;
  let rows = 0;
  for (let a = 0; a < m; a++) {
    const i = testIndex[a]!;
    rows += rowSums[i]!;
    const base = i * size;
    for (let b = 0; b < m; b++) yy += kernel[base + testIndex[b]!]!;
  }
  const xy = rows - yy;
  const xx = total - yy - 2 * xy;
  return xx / (n * (n - 1)) + yy / (m * (m - 1)) - (2 * xy) / (n * m);
}

export interface PermutationResult {
  /** Observed MMD² (Y = the last m rows). */
  readonly mmd2: number;
  /** Share of permutations with MMD² >= the observed one. */
  readonly pValue: number;
  /** MMD² of the permutations, in order. */
  readonly permuted: Float64Array;
}

/**
 * The permutation test: `permutations` draws of m test rows from the N pooled rows by a partial
 * Fisher–Yates shuffle driven by `uniform` (values in [0, 1)). `scratch` holds at least N entries.
 */
export function mmdPermutationTest(kernel: Float64Array, size: number, m: number, permutations: number, uniform: () => number, scratch = new Int32Array(size)): PermutationResult {
  if (!(m >= 2 && size - m >= 2)) throw new RangeError(`mmd: needs at least 2 reference and 2 test rows, got ${size - m} and ${m}`);
  const rowSums = new Float64Array(size);
  const total = prepareKernelSums(kernel, size, rowSums);
  const observedIndex = new Int32Array(m);
  for (let a = 0; a < m; a++) observedIndex[a] = size - m + a;
  const mmd2 = mmd2ForSplit(kernel, size, rowSums, total, observedIndex, m);
  const permuted = new Float64Array(permutations);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = 0; i < size; i++) scratch[i] = i;
    // The last m slots of a partial Fisher–Yates shuffle are a uniform draw of m rows.
    for (let i = size - 1; i >= size - m; i--) {
      const j = Math.floor(uniform() * (i + 1));
      const t = scratch[i]!;
      scratch[i] = scratch[j]!;
      scratch[j] = t;
    }
    const value = mmd2ForSplit(kernel, size, rowSums, total, scratch.subarray(size - m), m);
    permuted[p] = value;
    if (mmd2 <= value) atLeast++;
  }
  return { mmd2, pValue: permutations === 0 ? NaN : atLeast / permutations, permuted };
}
