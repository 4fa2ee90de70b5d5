/**
 * The report sections beyond the per-feature tests: each gives the engine detector's own numbers for
 * the same rows (computed here straight from the detector objects), fires on seeded drift and stays
 * quiet on data drawn like the reference.
 */
import { describe, expect, it } from 'vitest';
import type { Check } from '../../../src/drift/checks.js';
import { embeddingChecks } from '../../../src/drift/embedding.js';
import { mmdParams, multivariateChecks, type MultivariateOptions } from '../../../src/drift/multivariate.js';
import { performanceChecks } from '../../../src/drift/performance.js';
import { runSequential, streamChecks } from '../../../src/drift/streams.js';
import { embeddingDriftDetector } from '../../../workers/detectors/drift/embedding.js';
import { mmdDetector } from '../../../workers/detectors/drift/mmd.js';
import { pcaDriftDetector } from '../../../workers/detectors/drift/pca-drift.js';
import { performanceDetector } from '../../../workers/detectors/drift/performance.js';
import { buildReferenceProfile } from '../../../workers/detectors/reference.js';
import { streamLatencyDetector } from '../../../workers/detectors/sequential/stream-drift.js';
import type { AnyWindowDetector, DetectorScore } from '../../../workers/detectors/types.js';
import { dataset, engineColumns, tableOf, type Cells } from './tables.js';
import type { NumericColumns } from '../../../src/contracts/batch.js';

const MV: MultivariateOptions = { methods: ['mmd', 'pca'], alpha: 0.05, seed: 7, mmdSample: 1000 };
const refCells = dataset(1, 800);
const sameCells = dataset(2, 300);
const reference = tableOf('ref.csv', refCells);
const same = tableOf('same.csv', sameCells);

/** The engine detector's score on the same data, straight from the detector object. */
function engineScore(detector: AnyWindowDetector, raw: Record<string, unknown>, ref: NumericColumns, cur: NumericColumns, names: string[]): DetectorScore {
  const params = detector.parseParams(raw);
  const profile = buildReferenceProfile({ columns: ref, featureNames: names, id: 'r' });
  const prepared = { ...profile, detectorData: { [detector.id]: detector.prepareReference!(ref, profile, params) } };
  const [score] = detector.score(detector.summarize(cur, prepared, params), prepared, params);
  return score!;
}

const check = (checks: Check[], detector: string): Check => checks.find((c) => c.detector === detector)!;

describe('multivariate section', () => {
  const names = ['x', 'y', 'z'];
  const broken: Cells = dataset(3, 300, { decorrelate: true });

  it('gives the mmd and pca-drift detectors\' numbers for the same rows', () => {
    const checks = multivariateChecks(reference, tableOf('cur.csv', broken), names, MV);
    const ref = engineColumns(refCells, names);
    const cur = engineColumns(broken, names);
    const mmd = engineScore(mmdDetector, mmdParams(MV, 300), ref, cur, names);
    expect(check(checks, 'mmd').value).toBe(mmd.score);
    expect(check(checks, 'mmd').details['pValue']).toBe(Number(mmd.evidence['pValue']));
    const pca = engineScore(pcaDriftDetector, {}, ref, cur, names);
    expect(check(checks, 'pca-drift').value).toBe(pca.score);
    expect(check(checks, 'pca-drift').details['upperLimit']).toBe(Number(pca.evidence['upperLimit']));
  });

  it('detects a broken correlation with unchanged marginals and stays quiet on data like the reference', () => {
    const loud = multivariateChecks(reference, tableOf('cur.csv', broken), names, MV);
    expect(loud.map((c) => [c.detector, c.drift])).toEqual([['mmd', true], ['pca-drift', true]]);
    const quiet = multivariateChecks(reference, same, names, MV);
    expect(quiet.map((c) => [c.detector, c.drift])).toEqual([['mmd', false], ['pca-drift', false]]);
    expect(check(quiet, 'mmd').details['pValue']).toBeGreaterThan(0.05);
  });

  it('says why it could not test a current file of too few rows', () => {
    const tiny = tableOf('tiny.csv', dataset(4, 10));
    const checks = multivariateChecks(reference, tiny, names, MV);
    expect(checks.map((c) => [c.value, c.note])).toEqual([
      [null, 'not tested: needs at least 4 reference and 20 current rows'],
      [null, 'not tested: needs at least 50 current rows'],
    ]);
  });
});

describe('embedding section', () => {
  const vectors = (cells: Cells): NumericColumns => {
    const rows = cells['emb']!.map((v) => JSON.parse(String(v)) as number[]);
    return engineColumns(cells, [], { embedding: { dim: 4, values: Float32Array.from(rows.flat()), present: new Uint8Array(rows.length).fill(1) } });
  };

  it('gives the embedding-drift detector\'s numbers, fires on a moved mean, not on the same distribution', () => {
    const shifted = dataset(5, 300, { shift: 1 });
    const [loud] = embeddingChecks(reference, tableOf('cur.csv', shifted), ['emb'], 3);
    const engine = engineScore(embeddingDriftDetector, { seed: 3 }, vectors(refCells), vectors(shifted), []);
    expect(loud!.value).toBe(engine.score);
    expect(loud!.details['distance']).toBe(Number(engine.evidence['distance']));
    expect(loud!.drift).toBe(true);
    const [quiet] = embeddingChecks(reference, same, ['emb'], 3);
    expect(quiet!.drift).toBe(false);
    expect(quiet!.value!).toBeLessThan(1);
  });

  it('reads a group of numeric columns as one vector', () => {
    // Cosine distance (the engine's default) needs vectors away from the origin: latency is around 20.
    const [c] = embeddingChecks(reference, tableOf('cur.csv', dataset(6, 300, { shift: 2 })), ['x', 'lat'], 1);
    expect(c!.subject).toBe('x, lat');
    expect(c!.details['dimension']).toBe(2);
    expect(c!.drift).toBe(true);
    const [quiet] = embeddingChecks(reference, same, ['x', 'lat'], 1);
    expect(quiet!.drift).toBe(false);
  });
});

describe('streams section', () => {
  const jumped = dataset(7, 400, { jump: 4, jumpAt: 200 });
  const current = tableOf('cur.csv', jumped);

  it('finds the rows the engine\'s stream detector finds, continuing from the reference', () => {
    for (const algorithm of ['adwin', 'page-hinkley', 'kswin', 'cusum'] as const) {
      const [c] = streamChecks(reference, current, { columns: ['lat'], algorithms: [algorithm], seed: 42 });
      const raw = { algorithm, ...(algorithm === 'kswin' ? { seed: 42 } : {}) };
      const latencies = (cells: Cells): NumericColumns => engineColumns(cells, [], { latencies: Float64Array.from(cells['lat']!, Number) });
      const engine = engineScore(streamLatencyDetector, raw, latencies(refCells), latencies(jumped), []);
      const rows = c!.details['rows'] as number[];
      expect(c!.value, algorithm).toBe(engine.score);
      expect(rows[0], algorithm).toBe(Number(engine.evidence['firstDriftAt']));
      expect(rows.at(-1), algorithm).toBe(Number(engine.evidence['lastDriftAt']));
      expect(c!.drift, algorithm).toBe(true);
      // A signal within 60 rows after the jump, reported with its file line (header + 1-based rows).
      const near = rows.find((r) => r >= 200 && r < 260);
      expect(near, algorithm).toBeDefined();
      expect((c!.details['lines'] as number[])[rows.indexOf(near!)]).toBe(near! + 2);
    }
  });

  it('runs DDM only on 0/1 columns by default, and it fires on a rise of the error rate', () => {
    const checks = streamChecks(reference, current, { columns: ['lat', 'err'], seed: 1 });
    expect(checks.map((c) => `${c.subject}:${c.detector}`)).toEqual(['lat:adwin', 'lat:page-hinkley', 'lat:kswin', 'lat:cusum', 'err:adwin', 'err:page-hinkley', 'err:kswin', 'err:ddm', 'err:cusum']);
    expect(check(checks.filter((c) => c.subject === 'err'), 'ddm').drift).toBe(true);
  });

  it('stays quiet with ADWIN on a stream like the reference', () => {
    const [c] = streamChecks(reference, same, { columns: ['lat'], algorithms: ['adwin'], seed: 1 });
    expect(c!.value).toBe(0);
    expect(c!.drift).toBe(false);
    const direct = runSequential('adwin', {}, Float64Array.from(refCells['lat']!, Number), Float64Array.from(sameCells['lat']!, Number));
    expect(direct.current.drifts).toEqual([]);
  });
});

describe('performance section', () => {
  const labelled = (cells: Cells): NumericColumns => {
    const codes = (name: string) => Int32Array.from(cells[name]!, (v) => (v === 'yes' ? 1 : 0));
    const prob = Float64Array.from(cells['prob']!, Number);
    const classes = ['no', 'yes'];
    return engineColumns(cells, [], {
      scores: prob,
      labels: { numeric: new Float64Array(prob.length).fill(NaN), classes: { codes: codes('truth'), values: classes } },
      predicted: { codes: codes('pred'), values: classes },
      classProbabilities: { classes: ['yes'], values: prob },
    });
  };
  const worse = dataset(8, 600, { flip: 0.3 });
  const options = { label: 'truth', prediction: 'pred', probability: 'prob', task: 'classification' as const };

  it('gives the performance detector\'s accuracy, F1, AUC and CBPE estimate for the same rows', () => {
    const checks = performanceChecks(reference, tableOf('cur.csv', worse), options);
    for (const metric of ['accuracy', 'f1', 'rocAuc']) {
      const engine = engineScore(performanceDetector, { metric }, labelled(refCells), labelled(worse), []);
      const c = checks.find((x) => x.subject === metric)!;
      expect(c.value, metric).toBe(Number(engine.evidence['value']));
      expect(c.details['referenceValue'], metric).toBe(Number(engine.evidence['referenceValue']));
      expect(c.details['estimatedAccuracy'], metric).toBe(Number(engine.evidence['window.cbpeAccuracy']));
    }
    expect(checks.map((c) => [c.subject, c.drift])).toEqual([['accuracy', true], ['f1', true], ['rocAuc', true]]);
    expect(checks[0]!.details['positiveClass']).toBe('yes');
  });

  it('stays quiet on a model that performs as on the reference; regression gives MAE and RMSE', () => {
    const quiet = performanceChecks(reference, same, options);
    expect(quiet.map((c) => c.drift)).toEqual([false, false, false]);
    const regression = performanceChecks(reference, tableOf('cur.csv', worse), { label: 'target', prediction: 'guess', task: 'regression' });
    expect(regression.map((c) => [c.subject, c.drift])).toEqual([['mae', true], ['rmse', true]]);
    const rows = worse['target']!.map((t, i) => Number(t) - Number(worse['guess']![i]));
    expect(regression[0]!.value!).toBeCloseTo(rows.reduce((s, e) => s + Math.abs(e), 0) / rows.length, 12);
  });
});
