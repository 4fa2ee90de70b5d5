/** Seeded data for worker tests: a mulberry32 PRNG and NumericColumns builders. */
import type { NumericColumns } from '../../../src/contracts/batch.js';

import { mulberry32 } from '../../../src/demo/random.js';

export { mulberry32 };

/** Standard normal draws from a uniform PRNG (Box–Muller). */
export function gaussian(rng: () => number): () => number {
  return () => {
    const u = 1 - rng(); // (0, 1]: log(0) never happens
    const v = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Columns of `count` rows whose feature `f` at row `i` is `value(f, i)`; scores/latencies filled simply. */
export function makeColumns(count: number, featureCount: number, value: (f: number, i: number) => number): NumericColumns {
  const features = new Float64Array(count * featureCount);
  for (let f = 0; f < featureCount; f++) for (let i = 0; i < count; i++) features[f * count + i] = value(f, i);
  const scores = new Float64Array(count);
  const latencies = new Float64Array(count);
  const timestamps = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    scores[i] = i / Math.max(1, count);
    latencies[i] = 10 + (i % 7);
    timestamps[i] = 1_700_000_000_000 + i;
  }
  return { count, featureCount, features, scores, latencies, statuses: new Uint8Array(count), timestamps };
}

/** Seeded normal columns: feature f ~ N(mean + f, 1), with a share `nanRate` of absent values. */
export function normalColumns(seed: number, count: number, featureCount: number, mean = 0, nanRate = 0): NumericColumns {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  return makeColumns(count, featureCount, (f) => (rng() < nanRate ? NaN : mean + f + normal()));
}

/** The rows of `a` followed by the rows of `b` (same feature count). */
export function concatColumns(a: NumericColumns, b: NumericColumns): NumericColumns {
  if (a.featureCount !== b.featureCount) throw new Error('feature counts differ');
  const count = a.count + b.count;
  const features = new Float64Array(count * a.featureCount);
  for (let f = 0; f < a.featureCount; f++) {
    features.set(a.features.subarray(f * a.count, (f + 1) * a.count), f * count);
    features.set(b.features.subarray(f * b.count, (f + 1) * b.count), f * count + a.count);
  }
  const cat = (x: Float64Array, y: Float64Array): Float64Array => {
    const z = new Float64Array(x.length + y.length);
    z.set(x);
    z.set(y, x.length);
    return z;
  };
  const statuses = new Uint8Array(count);
  statuses.set(a.statuses);
  statuses.set(b.statuses, a.count);
  return { count, featureCount: a.featureCount, features, scores: cat(a.scores, b.scores), latencies: cat(a.latencies, b.latencies), statuses, timestamps: cat(a.timestamps, b.timestamps) };
}

/** Rows [from, to) of `columns`, copied. */
export function sliceColumns(columns: NumericColumns, from: number, to: number): NumericColumns {
  const count = to - from;
  return makeColumns(count, columns.featureCount, (f, i) => columns.features[f * columns.count + from + i]!);
}
