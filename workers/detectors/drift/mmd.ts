/**
 * Multivariate drift by maximum mean discrepancy (Gretton et al. 2012), as Alibi Detect's MMDDrift
 * computes it (workers/kernels/mmd.ts): a Gaussian RBF kernel whose bandwidth is the median
 * heuristic on the reference sample, MMD² between the reference sample and the window's sample, and
 * a p-value from `permutations` seeded permutations of the pooled rows. Feature values are
 * standardised by the reference's means and standard deviations first (Alibi leaves that to a
 * preprocessing step) and an absent value counts as the reference mean.
 *
 * Reference data (prepareReference): a sample of up to `referenceSize` reference rows, standardised,
 * and σ. Window summary: a bottom-k sample of up to `windowSize` rows by content hash
 * (workers/kernels/bottom-k.ts), so batch samples merge into exactly the window's sample.
 * Score: MMD²; evidence holds the p-value, Alibi's distance threshold, σ and the sample sizes.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { mulberry32 } from '../../../src/demo/random.js';
import { bottomK, hashPriority, hashStart, hashValue, mergeBottomK } from '../../kernels/bottom-k.js';
import { mmdPermutationTest } from '../../kernels/mmd.js';
import { medianHeuristicSigma, pairwiseSquaredDistances, rbfFromSquaredDistances } from '../../kernels/rbf.js';
import type { ReferenceProfile } from '../reference.js';
import { integerIn, numberIn, parseWith } from '../sequential/params.js';
import { decodeSections, encodeSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';

export type MmdParams = { readonly referenceSize: number; readonly windowSize: number; readonly minWindow: number; readonly permutations: number; readonly pValue: number; readonly seed: number };
export type MmdSummary = { readonly priorities: Float64Array; readonly rows: Float64Array; readonly meta: Float64Array };

const ID = 'mmd';
export const MMD_DEFAULTS: MmdParams = Object.freeze({ referenceSize: 1000, windowSize: 100, minWindow: 20, permutations: 100, pValue: 0.05, seed: 1 });
const SECTIONS = ['priorities', 'rows', 'meta'] as const;

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): MmdParams {
  const p = parseWith(ID, MMD_DEFAULTS, {
    referenceSize: integerIn(4, 5000),
    windowSize: integerIn(2, 5000),
    minWindow: integerIn(2, 5000),
    permutations: integerIn(1, 100_000),
    pValue: numberIn(0, 1, true),
    seed: integerIn(0, 0xffff_ffff),
  }, raw);
  if (p.minWindow > p.windowSize) throw new RangeError(`${ID}: parameter "minWindow" (${p.minWindow}) must not exceed "windowSize" (${p.windowSize})`);
  return p;
}

const hashState = new Uint32Array(2);

/** Each row's content priority and its reference features (raw; NaN where absent or not carried). */
export function hashedRows(columns: NumericColumns, width: number): { priorities: Float64Array; rows: Float64Array } {
  const n = columns.count;
  const priorities = new Float64Array(n);
  const rows = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    hashStart(hashState);
    for (let f = 0; f < width; f++) {
      const v = f < columns.featureCount ? columns.features[f * n + i]! : NaN;
      rows[i * width + f] = v;
      hashValue(hashState, v);
    }
    hashValue(hashState, columns.timestamps[i]!);
    priorities[i] = hashPriority(hashState, width);
  }
  return { priorities, rows };
}

/** Standardises rows in place by the reference profile: (x - mean) / sd, absent (or constant) features as 0. */
export function standardize(rows: Float64Array, width: number, reference: ReferenceProfile): void {
  for (let i = 0; i < rows.length; i++) {
    const f = i % width;
    const sd = Math.sqrt(reference.variances[f]!);
    const v = (rows[i]! - reference.means[f]!) / sd;
    rows[i] = Number.isFinite(v) ? v : 0;
  }
}

function empty(reference: ReferenceProfile, params: MmdParams): MmdSummary {
  return { priorities: new Float64Array(0), rows: new Float64Array(0), meta: Float64Array.of(params.windowSize, reference.featureNames.length) };
}

function summarize(columns: NumericColumns, reference: ReferenceProfile, params: MmdParams): MmdSummary {
  const width = reference.featureNames.length;
  const all = hashedRows(columns, width);
  const s = bottomK(all.priorities, all.rows, width, params.windowSize);
  return { ...s, meta: Float64Array.of(params.windowSize, width) };
}

function merge(a: MmdSummary, b: MmdSummary): MmdSummary {
  if (a.meta[0] !== b.meta[0] || a.meta[1] !== b.meta[1]) throw new RangeError(`${ID}: cannot merge summaries of different shapes (${a.meta.join('×')} vs ${b.meta.join('×')})`);
  const s = mergeBottomK(a, b, a.meta[1]!, a.meta[0]!);
  return { ...s, meta: Float64Array.from(a.meta) };
}

function prepareReference(columns: NumericColumns, reference: ReferenceProfile, params: MmdParams): Summary {
  const width = reference.featureNames.length;
  const all = hashedRows(columns, width);
  const sample = bottomK(all.priorities, all.rows, width, params.referenceSize);
  const rows = sample.rows;
  standardize(rows, width, reference);
  const n = sample.priorities.length;
  let sigma = 1;
  if (n >= 2) {
    const dist = new Float64Array(n * n);
    pairwiseSquaredDistances(rows, n, width, dist);
    const s = medianHeuristicSigma(dist, n);
    // All reference rows alike: any width works; 1 (in standard deviations) keeps the kernel defined.
    sigma = s > 0 ? s : 1;
  }
  return { rows, sigma: Float64Array.of(sigma) };
}

function score(summary: MmdSummary, reference: ReferenceProfile, params: MmdParams): DetectorScore[] {
  const data = reference.detectorData?.[ID];
  const width = reference.featureNames.length;
  const m = summary.priorities.length;
  if (data === undefined || width === 0 || m < params.minWindow || summary.meta[1] !== width) return [];
  const refRows = data['rows']!;
  const sigma = data['sigma']![0]!;
  const n = refRows.length / width;
  if (n < 2) return [];
  const size = n + m;
  const pooled = new Float64Array(size * width);
  pooled.set(refRows);
  const test = Float64Array.from(summary.rows);
  standardize(test, width, reference);
  pooled.set(test, n * width);
  const kernel = new Float64Array(size * size);
  pairwiseSquaredDistances(pooled, size, width, kernel);
  rbfFromSquaredDistances(kernel, size * size, sigma);
  const result = mmdPermutationTest(kernel, size, m, params.permutations, mulberry32(params.seed));
  const sorted = Float64Array.from(result.permuted).sort().reverse();
  const threshold = sorted[Math.floor(params.pValue * params.permutations)] ?? NaN;
  if (!Number.isFinite(result.mmd2)) return [];
  return [
    {
      detector: ID,
      feature: null,
      score: result.mmd2,
      evidence: {
        statistic: 'MMD² (RBF kernel, median-heuristic bandwidth, unbiased)',
        pValue: String(result.pValue),
        alpha: String(params.pValue),
        threshold: String(threshold),
        drift: String(result.pValue <= params.pValue),
        sigma: String(sigma),
        referenceRows: String(n),
        windowRows: String(m),
        permutations: String(params.permutations),
        referenceId: reference.id,
      },
    },
  ];
}

function decode(bytes: Uint8Array): MmdSummary {
  const s = decodeSections(ID, 1, SECTIONS, bytes) as MmdSummary;
  if (s.meta.length !== 2) throw new RangeError(`${ID}: invalid summary bytes (meta has ${s.meta.length} values, expected 2)`);
  const [k, width] = [s.meta[0]!, s.meta[1]!];
  if (!(Number.isInteger(k) && k >= 2 && k <= 5000) || !(Number.isInteger(width) && width >= 0 && width <= 100_000)) throw new RangeError(`${ID}: invalid summary bytes (sample size ${k}, width ${width})`);
  if (s.priorities.length > k || s.rows.length !== s.priorities.length * width) throw new RangeError(`${ID}: invalid summary bytes (${s.priorities.length} priorities and ${s.rows.length} values for width ${width})`);
  for (let i = 1; i < s.priorities.length; i++) if (!(s.priorities[i - 1]! <= s.priorities[i]!)) throw new RangeError(`${ID}: invalid summary bytes (priorities not ascending at ${i})`);
  return s;
}

export const mmdDetector: WindowDetector<MmdSummary, MmdParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT' as const,
  stateVersion: 1,
  description: 'Multivariate drift: MMD² of the reference features (RBF kernel, median-heuristic bandwidth) with a seeded permutation p-value',
  parseParams,
  empty,
  summarize,
  merge,
  score,
  prepareReference,
  encode: (summary: MmdSummary) => encodeSections(ID, 1, SECTIONS, summary),
  decode,
});
