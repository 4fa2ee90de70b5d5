/**
 * Embedding drift: the distance between the window's mean embedding and the reference's
 * (`distance`: euclidean, or cosine = 1 - cos of the angle between the two means), against a
 * threshold learnt by splitting the reference against itself: `splits` seeded random splits of the
 * reference sample into a part the size of the window (at most half the sample) and the rest, the
 * distance between the two parts' means each time, and the `quantile` of those distances. The
 * threshold is computed at score time for the window's own size, since a mean over fewer rows moves
 * more by chance.
 *
 * Reference data: up to `maxReference` present reference embeddings (the first ones in row order)
 * and their mean. Window summary: the sum of present embeddings of the reference's dimension and
 * their count (rows of another dimension are counted apart), merged by addition.
 * Score: distance / threshold (above 1: farther than `quantile` of the reference's own splits).
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { mulberry32 } from '../../../src/demo/random.js';
import type { ReferenceProfile } from '../reference.js';
import { integerIn, numberIn, oneOf, parseWith } from '../sequential/params.js';
import { decodeSections, encodeSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';

export type EmbeddingParams = { readonly distance: 'euclidean' | 'cosine'; readonly maxReference: number; readonly splits: number; readonly quantile: number; readonly minRows: number; readonly seed: number };
export type EmbeddingSummary = { readonly sum: Float64Array; readonly counts: Float64Array };

const ID = 'embedding-drift';
const SECTIONS = ['sum', 'counts'] as const;
export const EMBEDDING_DEFAULTS: EmbeddingParams = Object.freeze({ distance: 'cosine', maxReference: 2000, splits: 50, quantile: 0.95, minRows: 30, seed: 1 });

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): EmbeddingParams {
  return parseWith(ID, EMBEDDING_DEFAULTS, {
    distance: oneOf(['euclidean', 'cosine']),
    maxReference: integerIn(4, 100_000),
    splits: integerIn(1, 10_000),
    quantile: numberIn(0, 1, true),
    minRows: integerIn(1, 1 << 30),
    seed: integerIn(0, 0xffff_ffff),
  }, raw);
}

function dimOf(reference: ReferenceProfile): number {
  return reference.detectorData?.[ID]?.['centroid']?.length ?? 0;
}

function distance(kind: EmbeddingParams['distance'], a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    sq += (x - y) * (x - y);
  }
  if (kind === 'euclidean') return Math.sqrt(sq);
  return na === 0 || nb === 0 ? (na === nb ? 0 : 1) : 1 - dot / Math.sqrt(na * nb);
}

function empty(reference: ReferenceProfile): EmbeddingSummary {
  return { sum: new Float64Array(dimOf(reference)), counts: new Float64Array(2) };
}

function summarize(columns: NumericColumns, reference: ReferenceProfile): EmbeddingSummary {
  const s = empty(reference);
  const e = columns.embedding;
  const dim = s.sum.length;
  if (e === undefined || e.present.length !== columns.count || e.values.length !== e.dim * columns.count) return s;
  for (let i = 0; i < columns.count; i++) {
    if (e.present[i] !== 1) continue;
    if (e.dim !== dim || dim === 0) {
      s.counts[1]!++;
      continue;
    }
    let finite = true;
    for (let d = 0; d < dim; d++) if (!Number.isFinite(e.values[i * dim + d]!)) finite = false;
    if (!finite) {
      s.counts[1]!++;
      continue;
    }
    for (let d = 0; d < dim; d++) s.sum[d]! += e.values[i * dim + d]!;
    s.counts[0]!++;
  }
  return s;
}

function merge(a: EmbeddingSummary, b: EmbeddingSummary): EmbeddingSummary {
  if (a.sum.length !== b.sum.length) throw new RangeError(`${ID}: cannot merge summaries of dimension ${a.sum.length} and ${b.sum.length}`);
  const sum = new Float64Array(a.sum.length);
  for (let d = 0; d < sum.length; d++) sum[d] = a.sum[d]! + b.sum[d]!;
  return { sum, counts: Float64Array.of(a.counts[0]! + b.counts[0]!, a.counts[1]! + b.counts[1]!) };
}

function prepareReference(columns: NumericColumns, _reference: ReferenceProfile, params: EmbeddingParams): Summary {
  const e = columns.embedding;
  if (e === undefined || e.dim < 1 || e.values.length !== e.dim * columns.count) return { rows: new Float64Array(0), centroid: new Float64Array(0) };
  const dim = e.dim;
  const rows: number[] = [];
  for (let i = 0; i < columns.count && rows.length < params.maxReference * dim; i++) {
    if (e.present[i] !== 1) continue;
    const row = Array.from(e.values.subarray(i * dim, (i + 1) * dim));
    if (row.every(Number.isFinite)) rows.push(...row);
  }
  const n = rows.length / dim;
  const centroid = new Float64Array(n > 0 ? dim : 0);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) centroid[d]! += rows[i * dim + d]! / n;
  return { rows: Float64Array.from(rows), centroid };
}

/** Distances between the mean of a random part of `size` reference rows and the mean of the rest. */
function splitDistances(rows: Float64Array, dim: number, size: number, params: EmbeddingParams): Float64Array {
  const n = rows.length / dim;
  const total = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) total[d]! += rows[i * dim + d]!;
  const rng = mulberry32(params.seed);
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const part = new Float64Array(dim);
  const rest = new Float64Array(dim);
  const out = new Float64Array(params.splits);
  for (let s = 0; s < params.splits; s++) {
    part.fill(0);
    for (let a = 0; a < size; a++) {
      const j = a + Math.floor(rng() * (n - a));
      const t = index[a]!;
      index[a] = index[j]!;
      index[j] = t;
      const r = index[a]!;
      for (let d = 0; d < dim; d++) part[d]! += rows[r * dim + d]!;
    }
    for (let d = 0; d < dim; d++) {
      rest[d] = (total[d]! - part[d]!) / (n - size);
      part[d]! /= size;
    }
    out[s] = distance(params.distance, part, rest);
  }
  return out.sort();
}

function score(summary: EmbeddingSummary, reference: ReferenceProfile, params: EmbeddingParams): DetectorScore[] {
  const data = reference.detectorData?.[ID];
  const m = summary.counts[0]!;
  if (data === undefined || m < params.minRows) return [];
  const centroid = data['centroid']!;
  const rows = data['rows']!;
  const dim = centroid.length;
  const n = dim === 0 ? 0 : rows.length / dim;
  if (n < 4 || summary.sum.length !== dim) return [];
  const mean = Float64Array.from(summary.sum, (v) => v / m);
  const value = distance(params.distance, mean, centroid);
  const size = Math.min(m, Math.floor(n / 2));
  const null_ = splitDistances(rows, dim, size, params);
  const threshold = null_[Math.min(null_.length - 1, Math.floor(params.quantile * null_.length))]!;
  const ratio = threshold > 0 ? value / threshold : value > 0 ? Number.MAX_VALUE : 0;
  if (!Number.isFinite(ratio)) return [];
  return [
    {
      detector: ID,
      feature: null,
      score: ratio,
      evidence: {
        statistic: `${params.distance} distance between mean embeddings / threshold`,
        distance: String(value),
        threshold: String(threshold),
        thresholdFrom: `${params.quantile} quantile of ${params.splits} reference self-splits of ${size} vs ${n - size} rows`,
        drift: String(value > threshold),
        dimension: String(dim),
        windowRows: String(m),
        otherDimensionRows: String(summary.counts[1]),
        referenceRows: String(n),
        referenceId: reference.id,
      },
    },
  ];
}

function decode(bytes: Uint8Array): EmbeddingSummary {
  const s = decodeSections(ID, 1, SECTIONS, bytes) as EmbeddingSummary;
  if (s.counts.length !== 2 || !s.counts.every((c) => Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`${ID}: invalid summary bytes (counts ${Array.from(s.counts).join(', ')})`);
  if (!s.sum.every(Number.isFinite)) throw new RangeError(`${ID}: invalid summary bytes (a sum is not finite)`);
  return s;
}

export const embeddingDriftDetector: WindowDetector<EmbeddingSummary, EmbeddingParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT' as const,
  // The score is the distance over the reference's own threshold: past 1 a WARNING, past 2 CRITICAL.
  thresholds: Object.freeze({ warning: 1, critical: 2 }),
  stateVersion: 1,
  description: 'Embedding drift: distance of the mean embedding from the reference\'s, over a threshold from splitting the reference against itself',
  parseParams,
  empty,
  summarize,
  merge,
  score,
  prepareReference,
  encode: (summary: EmbeddingSummary) => encodeSections(ID, 1, SECTIONS, summary),
  decode,
});
