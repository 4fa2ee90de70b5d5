/** The performance detector: realised metrics from joined labels, CBPE without them, class mapping across batch dictionaries. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { performanceDetector } from '../../../../../workers/detectors/drift/performance.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { accuracy, f1Binary, rocAuc } from '../../../../../workers/kernels/metrics.js';
import { makeColumns, mulberry32 } from '../../helpers.js';

/**
 * A binary classifier's batch: true P(yes) = q, the model reports an over-confident p, predicts p >= 0.5;
 * `flip` is the share of labels flipped (the model gets worse); `labelled` the share of rows with a label.
 * Class dictionaries are deliberately ordered differently from batch to batch.
 */
function batch(seed: number, count: number, flip: number, labelled: number, order: readonly string[] = ['no', 'yes']): NumericColumns {
  const rng = mulberry32(seed);
  const base = makeColumns(count, 1, () => rng());
  const probabilities = new Float64Array(2 * count);
  const predicted = new Int32Array(count);
  const truth = new Int32Array(count);
  const yes = order.indexOf('yes');
  const no = order.indexOf('no');
  for (let i = 0; i < count; i++) {
    const q = 0.05 + 0.9 * rng();
    const p = 1 / (1 + Math.exp(-2 * Math.log(q / (1 - q))));
    probabilities[yes * count + i] = p;
    probabilities[no * count + i] = 1 - p;
    predicted[i] = p >= 0.5 ? yes : no;
    let y = rng() < q;
    if (rng() < flip) y = !y;
    truth[i] = rng() < labelled ? (y ? yes : no) : -1;
    base.scores[i] = p;
  }
  return {
    ...base,
    predicted: { codes: predicted, values: order },
    classProbabilities: { classes: order, values: probabilities },
    labels: { numeric: new Float64Array(count).fill(NaN), classes: { codes: truth, values: order } },
  };
}

const refColumns = batch(1, 4000, 0, 1);
const profile = buildReferenceProfile({ columns: refColumns, featureNames: ['f0'], id: 'ref' });
const params = performanceDetector.parseParams(undefined);
const reference = { ...profile, detectorData: { performance: performanceDetector.prepareReference!(refColumns, profile, params) } };
const scoreOf = (w: NumericColumns, p = params) => performanceDetector.score(performanceDetector.summarize(w, reference, p), reference, p);

describe('performance detector', () => {
  it('computes the window metrics exactly as the metric kernels do, whatever the class dictionary order', () => {
    const w = batch(2, 3000, 0.1, 1, ['yes', 'no']);
    const [s] = scoreOf(w);
    const yesCode = 0;
    const truth = Int32Array.from(w.labels!.classes.codes, (c) => (c < 0 ? -1 : c === yesCode ? 1 : 0));
    const pred = Int32Array.from(w.predicted!.codes, (c) => (c === yesCode ? 1 : 0));
    expect(Number(s!.evidence['window.accuracy'])).toBeCloseTo(accuracy(truth, pred), 12);
    expect(Number(s!.evidence['window.f1'])).toBeCloseTo(f1Binary(truth, pred), 12);
    const p = w.classProbabilities!.values.subarray(0, 3000);
    // AUC from 1000 score bins: within a bin width of the exact value.
    expect(Math.abs(Number(s!.evidence['window.rocAuc']) - rocAuc(truth, p))).toBeLessThan(2e-3);
    expect(s!.evidence['source']).toBe('labels');
  });

  it('scores how much worse a window is than the reference: ~0 like the reference, > 0.1 when labels flip', () => {
    const same = scoreOf(batch(3, 3000, 0, 1))[0]!;
    const worse = scoreOf(batch(4, 3000, 0.3, 1))[0]!;
    expect(Math.abs(same.score)).toBeLessThan(0.03);
    expect(worse.score).toBeGreaterThan(0.1);
    const f1 = performanceDetector.parseParams({ metric: 'f1' });
    expect(scoreOf(batch(4, 3000, 0.3, 1), f1)[0]!.score).toBeGreaterThan(0.1);
  });

  it('without labels, estimates accuracy by CBPE from calibrated probabilities, close to the realised one', () => {
    const unlabelled = batch(5, 3000, 0, 0);
    const [s] = scoreOf(unlabelled);
    expect(s!.evidence['source']).toBe('cbpe');
    const realised = Number(scoreOf(batch(5, 3000, 0, 1))[0]!.evidence['window.accuracy']);
    expect(Math.abs(Number(s!.evidence['value']) - realised)).toBeLessThan(0.03);
    // Other metrics have no estimate: nothing is scored without labels.
    expect(scoreOf(unlabelled, performanceDetector.parseParams({ metric: 'rocAuc' }))).toEqual([]);
  });

  it('counts classes the reference never saw as "other" (a wrong prediction), and merges by addition', () => {
    const w = batch(6, 200, 0, 1, ['no', 'yes', 'maybe']);
    w.predicted!.codes.fill(2);
    const s = performanceDetector.summarize(w, reference, params);
    expect(s.confusion.length).toBe(9);
    expect(s.confusion[2]! + s.confusion[5]!).toBe(200);
    expect(Number(scoreOf(w)[0]!.evidence['window.accuracy'])).toBe(0);
  });

  it('regression metrics from numeric labels against scores, against the reference\'s', () => {
    const withNumeric = (w: NumericColumns, offset: number): NumericColumns => ({
      ...w,
      labels: { numeric: Float64Array.from(w.scores, (v, i) => (i % 2 === 0 ? v + offset : NaN)), classes: w.labels!.classes },
    });
    const mae = performanceDetector.parseParams({ metric: 'mae', minLabels: 10 });
    const refCols = withNumeric(batch(9, 400, 0, 1), 0.1);
    const ref = { ...profile, detectorData: { performance: performanceDetector.prepareReference!(refCols, profile, mae) } };
    const [s] = performanceDetector.score(performanceDetector.summarize(withNumeric(batch(7, 100, 0, 1), 0.5), ref, mae), ref, mae);
    expect(Number(s!.evidence['window.mae'])).toBeCloseTo(0.5, 12);
    expect(Number(s!.evidence['window.rmse'])).toBeCloseTo(0.5, 12);
    expect(Number(s!.evidence['reference.mae'])).toBeCloseTo(0.1, 12);
    expect(s!.score).toBeCloseTo(0.4, 12);
    expect(s!.evidence['labelledRows']).toBe('50');
    // Without reference labels there is nothing to compare with.
    expect(scoreOf(withNumeric(batch(7, 100, 0, 1), 0.5), mae)).toEqual([]);
  });

  it('validates parameters and rejects hostile bytes', () => {
    expect(() => performanceDetector.parseParams({ metric: 'precision' })).toThrow(/"metric" must be one of accuracy, f1, rocAuc, mae, rmse/);
    expect(() => performanceDetector.prepareReference!(refColumns, profile, performanceDetector.parseParams({ positiveClass: 'maybe' }))).toThrow(/"positiveClass" "maybe" is not a class of the reference \(no, yes\)/);
    const bytes = performanceDetector.encode(performanceDetector.summarize(batch(8, 50, 0, 1), reference, params));
    new DataView(bytes.buffer).setFloat64(bytes.length - 8 * (2 + 3 + 2000 + 1), 0.5, true); // last confusion cell
    expect(() => performanceDetector.decode(bytes)).toThrow(/confusion count 0.5/);
  });
});
