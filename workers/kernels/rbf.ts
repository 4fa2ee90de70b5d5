/**
 * Gaussian RBF kernel over row-major point sets: k(x, y) = exp(-|x - y|² / (2σ²)), with σ from the
 * median heuristic as Alibi Detect's `sigma_median` computes it for a set against itself (the value
 * at sorted position n + (n² - n) / 2 - 1 of all n² squared distances, the diagonal's n zeros
 * included; σ = sqrt(d / 2)).
 */

/** Squared Euclidean distances of all pairs of the n rows of `points` (n × dim) into `out` (n × n). */
export function pairwiseSquaredDistances(points: Float64Array, n: number, dim: number, out: Float64Array): void {
  if (points.length < n * dim) throw new RangeError(`pairwiseSquaredDistances: ${points.length} values for ${n} points of dimension ${dim}`);
  if (out.length < n * n) throw new RangeError(`pairwiseSquaredDistances: out needs ${n * n} values, has ${out.length}`);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 0;
    const a = i * dim;
    for (let j = i + 1; j < n; j++) {
      const b = j * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = points[a + d]! - points[b + d]!;
        s += t * t;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
}

/**
 * σ by Alibi Detect's median heuristic over the n × n squared distances of a set with itself; a set
 * whose points are all equal gives 0, which callers replace (an RBF of width 0 is undefined).
 */
export function medianHeuristicSigma(squaredDistances: Float64Array, n: number): number {
  const total = n * n;
  const sorted = Float64Array.from(squaredDistances.subarray(0, total)).sort();
  const at = n + Math.floor((total - n) / 2) - 1;
  return Math.sqrt(0.5 * sorted[Math.max(0, at)]!);
}

/** Turns squared distances into RBF kernel values in place (n × n), with σ > 0. */
export function rbfFromSquaredDistances(values: Float64Array, count: number, sigma: number): void {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`rbf: sigma must be a positive finite number, got ${sigma}`);
  const scale = -1 / (2 * sigma * sigma);
  for (let i = 0; i < count; i++) values[i] = Math.exp(values[i]! * scale);
}
