/** The drift detectors end to end on pinned data: through prepareReference, summarize, merge and score. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { getDetector } from '../../../../../workers/detectors/registry.js';
import { makeColumns } from '../../helpers.js';
import { expectClose, fixture } from '../../kernels/peers.js';

function prepare(id: string, columns: NumericColumns, names: string[], raw: Record<string, unknown> = {}) {
  const detector = getDetector(id);
  const params = detector.parseParams(raw);
  const profile = buildReferenceProfile({ columns, featureNames: names, id: 'pinned' });
  const reference: ReferenceProfile = { ...profile, detectorData: { [id]: detector.prepareReference!(columns, profile, params) } };
  return { detector, params, reference };
}

const column = (values: readonly number[]): NumericColumns => makeColumns(values.length, 1, (_, i) => values[i]!);

describe('ks detector', () => {
  const fx = fixture<{ reference10k: number[]; windows: { shift: number; b: number[]; statistic: number; pvalue: number }[] }>('ks.json');
  const { detector, params, reference } = prepare('ks', column(fx.reference10k), ['x'], { correction: 'none' });

  it('reproduces scipy ks_2samp on a 10,000-value reference and 1,000-value windows, summarised in two batches', () => {
    for (const w of fx.windows) {
      const a = detector.summarize(column(w.b.slice(0, 400)), reference, params);
      const b = detector.summarize(column(w.b.slice(400)), reference, params);
      const [s] = detector.score(detector.merge(a, b), reference, params);
      expectClose(s!.score, w.statistic, `shift ${w.shift} D`, 1e-12);
      expectClose(Number(s!.evidence['pValue']), w.pvalue, `shift ${w.shift} p`);
      expect(s!.evidence['method']).toBe('exact');
      expect(s!.evidence['drift']).toBe(String(w.pvalue <= 0.05));
      expect(s!.evidence['threshold']).toBe('p <= 0.05');
    }
  });

  it('rejects bad parameters naming them', () => {
    expect(() => detector.parseParams({ alpha: 0 })).toThrow(/ks: parameter "alpha" must be a number > 0 and <= 0.5, got 0/);
    expect(() => detector.parseParams({ correction: 'holm' })).toThrow(/parameter "correction" must be one of bonferroni, bh, none, got "holm"/);
    expect(() => detector.parseParams({ minCount: 1.5 })).toThrow(/"minCount" must be an integer/);
    expect(() => detector.parseParams({ method: 'fast' })).toThrow(/"method" must be one of auto, exact, asymp/);
  });

  it('rejects corrupt summaries: unsorted values, counts that do not add up', () => {
    const good = detector.encode(detector.summarize(column([3, 1, 2]), reference, params));
    const view = new DataView(good.buffer.slice(0));
    view.setFloat64(16, 99, true); // first value larger than the next
    expect(() => detector.decode(new Uint8Array(view.buffer))).toThrow(/not sorted/);
    const counts = new DataView(good.buffer.slice(0));
    counts.setFloat64(good.length - 8, 2, true);
    expect(() => detector.decode(new Uint8Array(counts.buffer))).toThrow(RangeError);
  });
});

describe('corrections across features', () => {
  it('Bonferroni and BH flag the shifted feature and not the others; the evidence names the correction', () => {
    const rows = 600;
    const ref = makeColumns(rows, 5, (f, i) => Math.sin(i * 12.9898 + f * 78.233) * 2 + Math.cos(i * 4.1414 + f));
    const cur = makeColumns(400, 5, (f, i) => Math.sin((i + 7777) * 12.9898 + f * 78.233) * 2 + Math.cos((i + 7777) * 4.1414 + f) + (f === 2 ? 1.5 : 0));
    for (const correction of ['bonferroni', 'bh'] as const) {
      const { detector, params, reference } = prepare('ks', ref, ['a', 'b', 'c', 'd', 'e'], { correction });
      const scores = detector.score(detector.summarize(cur, reference, params), reference, params);
      expect(scores.filter((s) => s.evidence['drift'] === 'true').map((s) => s.feature)).toEqual(['c']);
      for (const s of scores) {
        expect(s.evidence['correction']).toBe(correction);
        expect(s.evidence['tests']).toBe('5');
      }
      if (correction === 'bonferroni') expect(scores[0]!.evidence['threshold']).toBe('p <= 0.01');
    }
  });
});

describe('chi-square and z-test detectors', () => {
  const fx = fixture<{ chiSquare: { ref: number[]; cur: number[]; statistic: number; pvalue: number }[]; zTest: { k1: number; n1: number; k2: number; n2: number; pvalue: number }[] }>('categorical.json');

  function coded(counts: readonly number[], labels: readonly string[], dictionary: readonly string[]): NumericColumns {
    const values: string[] = counts.flatMap((c, k) => Array<string>(c).fill(labels[k]!));
    const base = makeColumns(values.length, 1, () => 0);
    return { ...base, categorical: { names: ['plan'], codes: Int32Array.from(values, (v) => dictionary.indexOf(v)), dictionaries: [dictionary] } };
  }

  it('reproduces scipy chi2_contingency(correction=False) with categories unseen in the reference', () => {
    const c = fx.chiSquare[1]!; // reference has no 'd'; the window has 10
    const labels = ['a', 'b', 'c', 'd'];
    const { detector, params, reference } = prepare('chi-square', coded(c.ref, labels, labels), ['x'], { correction: 'none' });
    // The window's dictionary is ordered differently: codes are per batch.
    const [s] = detector.score(detector.summarize(coded(c.cur, labels, ['d', 'c', 'b', 'a']), reference, params), reference, params);
    expectClose(s!.score, c.statistic, 'chi2', 1e-12);
    expectClose(Number(s!.evidence['pValue']), c.pvalue, 'p');
    expect(s!.feature).toBe('plan');
    expect(s!.evidence['categories']).toBe('"a","b","c","(other)"');
    expect(s!.evidence['currentCounts']).toBe('40,30,20,10');
  });

  it('z-test reproduces the pooled two-proportion test on a binary feature', () => {
    const z = fx.zTest[0]!;
    const labels = ['no', 'yes'];
    const { detector, params, reference } = prepare('z-test', coded([z.k1, z.n1 - z.k1], labels, labels), ['x'], { correction: 'none' });
    const [s] = detector.score(detector.summarize(coded([z.k2, z.n2 - z.k2], labels, ['yes', 'no']), reference, params), reference, params);
    expectClose(Number(s!.evidence['pValue']), z.pvalue, 'z-test p');
    expect(s!.evidence['category']).toBe('"no"');
  });

  it('z-test leaves features with more than two reference categories alone', () => {
    const labels = ['a', 'b', 'c'];
    const { detector, params, reference } = prepare('z-test', coded([50, 50, 50], labels, labels), ['x']);
    expect(detector.score(detector.summarize(coded([10, 80, 60], labels, labels), reference, params), reference, params)).toEqual([]);
  });
});

describe('binned detectors', () => {
  it('jensen-shannon and hellinger name their binning and give a critical value that shrinks with the window', () => {
    const ref = makeColumns(2000, 1, (_, i) => (i * 7919) % 2000);
    for (const id of ['jensen-shannon', 'hellinger']) {
      for (const binning of ['reference-quantile', 'fixed-k']) {
        const { detector, params, reference } = prepare(id, ref, ['x'], { binning, bins: 8 });
        const small = detector.score(detector.summarize(makeColumns(100, 1, (_, i) => (i * 13) % 2000), reference, params), reference, params)[0]!;
        const large = detector.score(detector.summarize(makeColumns(1500, 1, (_, i) => (i * 13) % 2000), reference, params), reference, params)[0]!;
        expect(small.evidence['binning']).toMatch(new RegExp(`^${binning} \\(8 `));
        expect(Number(large.evidence['criticalValue'])).toBeLessThan(Number(small.evidence['criticalValue']));
        expect(small.evidence['bins']).toBe(binning === 'fixed-k' ? '10' : '8');
      }
    }
  });
});

describe('categorical columns of the wrong shape', () => {
  it('fail with a RangeError naming the problem, in summarize and prepareReference', () => {
    const base = makeColumns(4, 1, () => 0);
    const good = { ...base, categorical: { names: ['plan'], codes: Int32Array.of(0, 1, 0, 1), dictionaries: [['a', 'b']] } };
    const { detector, params, reference } = prepare('chi-square', good, ['x']);
    const short = { ...base, categorical: { names: ['plan'], codes: Int32Array.of(0, 1), dictionaries: [['a', 'b']] } };
    const noDictionary = { ...base, categorical: { names: ['plan'], codes: Int32Array.of(0, 1, 0, 1), dictionaries: [] } };
    expect(() => detector.summarize(short, reference, params)).toThrow(/chi-square: columns.categorical.codes must be an Int32Array of 4 codes/);
    expect(() => detector.summarize(noDictionary, reference, params)).toThrow(/one dictionary per name/);
    expect(() => detector.prepareReference!(short, reference, params)).toThrow(RangeError);
  });
});
