/** Embedding drift: the threshold comes from the reference split against itself, for the window's size. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { embeddingDriftDetector } from '../../../../../workers/detectors/drift/embedding.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { gaussian, makeColumns, mulberry32 } from '../../helpers.js';

const DIM = 16;
const direction = Float32Array.from({ length: DIM }, (_, d) => 1 + (d % 3));

/** Embeddings around `direction` (+ `shift` on the first half of the axes), every 10th row without one. */
function embedded(seed: number, count: number, shift: number, dim = DIM): NumericColumns {
  const normal = gaussian(mulberry32(seed));
  const values = new Float32Array(count * dim);
  const present = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    present[i] = i % 10 === 9 ? 0 : 1;
    for (let d = 0; d < dim; d++) values[i * dim + d] = present[i] ? (direction[d] ?? 1) + (d < dim / 2 ? shift : 0) + normal() : NaN;
  }
  return { ...makeColumns(count, 1, () => 0), embedding: { dim, values, present } };
}

const refColumns = embedded(1, 3000, 0);
const profile = buildReferenceProfile({ columns: refColumns, featureNames: ['f0'], id: 'ref' });

function setup(raw?: Record<string, unknown>) {
  const params = embeddingDriftDetector.parseParams(raw);
  const reference = { ...profile, detectorData: { 'embedding-drift': embeddingDriftDetector.prepareReference!(refColumns, profile, params) } };
  return { params, reference, scoreOf: (w: NumericColumns) => embeddingDriftDetector.score(embeddingDriftDetector.summarize(w, reference, params), reference, params)[0]! };
}

describe('embedding-drift', () => {
  it('keeps the present reference embeddings (up to maxReference) and their mean', () => {
    const { reference } = setup({ maxReference: 500 });
    expect(reference.detectorData['embedding-drift']['rows']!.length).toBe(500 * DIM);
    expect(reference.detectorData['embedding-drift']['centroid']!.length).toBe(DIM);
  });

  it.each(['cosine', 'euclidean'])('%s: windows like the reference mostly stay under the threshold, a shifted one goes over', (distance) => {
    const { scoreOf } = setup({ distance });
    const quiet = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((seed) => scoreOf(embedded(seed, 300, 0)).score);
    expect(quiet.filter((r) => r > 1).length).toBeLessThanOrEqual(2);
    const loud = scoreOf(embedded(12, 300, 0.6));
    expect(loud.score).toBeGreaterThan(1);
    expect(loud.evidence['drift']).toBe('true');
  });

  it('derives a larger threshold for a smaller window (a mean of fewer rows moves more by chance)', () => {
    const { scoreOf } = setup({ distance: 'euclidean' });
    const small = Number(scoreOf(embedded(13, 40, 0)).evidence['threshold']);
    const large = Number(scoreOf(embedded(13, 1000, 0)).evidence['threshold']);
    expect(small).toBeGreaterThan(2 * large);
    expect(scoreOf(embedded(13, 1000, 0)).evidence['thresholdFrom']).toBe('0.95 quantile of 50 reference self-splits of 900 vs 1100 rows');
  });

  it('counts rows of another dimension apart and scores nothing without enough rows or without embeddings', () => {
    const { params, reference } = setup();
    const other = embeddingDriftDetector.summarize(embedded(14, 100, 0, 8), reference, params);
    expect(Array.from(other.counts)).toEqual([0, 90]);
    expect(embeddingDriftDetector.score(other, reference, params)).toEqual([]);
    const none = embeddingDriftDetector.summarize(makeColumns(100, 1, () => 0), reference, params);
    expect(Array.from(none.counts)).toEqual([0, 0]);
  });

  it('rejects bad parameters and damaged bytes', () => {
    expect(() => embeddingDriftDetector.parseParams({ distance: 'manhattan' })).toThrow(/"distance" must be one of euclidean, cosine/);
    expect(() => embeddingDriftDetector.decode(embeddingDriftDetector.encode({ sum: Float64Array.of(Infinity), counts: Float64Array.of(1, 0) }))).toThrow(/not finite/);
  });
});
