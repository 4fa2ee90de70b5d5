/**
 * Isolation forest (Liu, Ting & Zhou, 2008) over column-major features, seeded and deterministic.
 *
 * Each tree is grown on `sampleSize` rows drawn without replacement (partial Fisher–Yates on a mulberry32
 * stream) up to depth ⌈log2(sampleSize)⌉: a node picks a feature uniformly among those not constant in
 * the node (a node where all are constant becomes a leaf) and a threshold uniformly in [min, max);
 * rows with `value < threshold` go left. The path length of a row is the depth of its leaf plus c(size
 * of the leaf), with c(n) = 2H(n − 1) − 2(n − 1)/n (c(1) = 0, c(2) = 1), and the anomaly score is
 * 2^(−mean path / c(sampleSize)), in (0, 1], higher = more isolated (the paper's s(x, n)).
 *
 * The trees are flat typed arrays, so they live in a detector's reference sections: per node
 * `feature` (−1 for a leaf), `threshold` (the leaf's size for a leaf), `left`, `right` (node indexes),
 * and `roots` (the first node of each tree). Absent values (NaN) are imputed by the caller.
 */
import { mulberry32 } from './random.js';

export interface Forest {
  readonly feature: Float64Array;
  readonly threshold: Float64Array;
  readonly left: Float64Array;
  readonly right: Float64Array;
  readonly roots: Float64Array;
  /** [sampleSize]: the sub-sample size the trees were grown on. */
  readonly sampleSize: Float64Array;
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Grows `trees` trees on the first `p` columns of `features` (`count` rows), with absent values
 * replaced by `impute[f]`. With fewer rows than `sampleSize` every row is used.
 */
export function growForest(features: Float64Array, count: number, p: number, impute: Float64Array, trees: number, sampleSize: number, seed: number): Forest {
  const rng = mulberry32(seed);
  const psi = Math.max(1, Math.min(sampleSize, count));
  const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
  const value = (f: number, i: number): number => {
    const v = features[f * count + i]!;
    return v === v ? v : impute[f]!;
  };
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const roots = new Float64Array(trees);
  const order = new Int32Array(count);
  const candidates = new Int32Array(p);

  const grow = (rows: Int32Array, depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    threshold.push(rows.length);
    left.push(-1);
    right.push(-1);
    if (depth >= maxDepth || rows.length <= 1) return node;
    // Features not constant in this node, then one of them at random.
    let k = 0;
    for (let f = 0; f < p; f++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = 0; r < rows.length; r++) {
        const v = value(f, rows[r]!);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo < hi) candidates[k++] = f;
    }
    if (k === 0) return node;
    const f = candidates[Math.floor(rng() * k)]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < rows.length; r++) {
      const v = value(f, rows[r]!);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    let t = lo + rng() * (hi - lo);
    if (!Number.isFinite(t)) t = lo < 0 && hi > 0 ? 0 : lo / 2 + hi / 2;
    if (t <= lo) t = hi; // rounding: keep both sides non-empty
    let nLeft = 0;
    for (let r = 0; r < rows.length; r++) if (value(f, rows[r]!) < t) nLeft++;
    const l = new Int32Array(nLeft);
    const rr = new Int32Array(rows.length - nLeft);
    for (let r = 0, a = 0, b = 0; r < rows.length; r++) {
      const i = rows[r]!;
      if (value(f, i) < t) l[a++] = i;
      else rr[b++] = i;
    }
    feature[node] = f;
    threshold[node] = t;
    left[node] = grow(l, depth + 1);
    right[node] = grow(rr, depth + 1);
    return node;
  };

  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < count; i++) order[i] = i;
    for (let i = 0; i < psi && i < count; i++) {
      const j = i + Math.floor(rng() * (count - i));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    roots[t] = count === 0 ? -1 : grow(order.slice(0, Math.min(psi, count)), 0);
  }
  return {
    feature: Float64Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Float64Array.from(left),
    right: Float64Array.from(right),
    roots,
    sampleSize: Float64Array.of(psi),
  };
}

/** c(n) for n = 0 .. sampleSize, so scoring takes no logarithm per leaf. */
export function pathLengthTable(forest: Forest): Float64Array {
  const psi = forest.sampleSize[0]!;
  const table = new Float64Array(psi + 1);
  for (let n = 0; n <= psi; n++) table[n] = averagePathLength(n);
  return table;
}

/**
 * Anomaly score s(x) in (0, 1] of one row given as its values (`row[f]`, absent already imputed), with
 * `table` from pathLengthTable. The row sits in a few cache lines while every tree walks it, which is
 * what makes scoring fast over column-major batches. NaN for an empty forest.
 */
export function isolationScoreOf(forest: Forest, row: Float64Array, table: Float64Array): number {
  const { roots, feature, threshold, left, right } = forest;
  if (roots.length === 0 || roots[0]! < 0) return NaN;
  let total = 0;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let depth = 0;
    let f = feature[node]!;
    while (f >= 0) {
      node = row[f]! < threshold[node]! ? left[node]! : right[node]!;
      f = feature[node]!;
      depth++;
    }
    const size = threshold[node]!;
    total += depth + (size < table.length ? table[size]! : averagePathLength(size));
  }
  const c = table[table.length - 1]!;
  return c > 0 ? 2 ** (-(total / roots.length) / c) : 0.5;
}

/**
 * Anomaly score s(x) in (0, 1] of row `row` of column-major `features` (`count` rows, `featureCount`
 * columns; a column the batch lacks is absent), absent values replaced by `impute[f]`. NaN for an
 * empty forest. Convenience form of isolationScoreOf for one row.
 */
export function isolationScore(forest: Forest, features: Float64Array, count: number, featureCount: number, row: number, impute: Float64Array): number {
  const values = new Float64Array(impute.length);
  gatherRow(features, count, featureCount, row, impute, values);
  return isolationScoreOf(forest, values, pathLengthTable(forest));
}

/** Row `row` of column-major `features` into `out`, absent values (and missing columns) replaced by `impute`. */
export function gatherRow(features: Float64Array, count: number, featureCount: number, row: number, impute: Float64Array, out: Float64Array): void {
  for (let f = 0; f < out.length; f++) {
    const v = f < featureCount ? features[f * count + row]! : NaN;
    out[f] = v === v ? v : impute[f]!;
  }
}
