import { describe, expect, it } from 'vitest';
import { PSI_DEFAULTS, psiDetector } from '../../../../../workers/detectors/drift/psi.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { nextUp } from '../../../../../workers/kernels/float.js';
import { binCounts } from '../../../../../workers/kernels/histogram.js';
import { PSI_CONVENTION } from '../../../../../workers/kernels/psi.js';
import { makeColumns, normalColumns } from '../../helpers.js';

const NAMES = ['age', 'income', 'tenure'];
const reference = buildReferenceProfile({ columns: normalColumns(1, 1000, 3), featureNames: NAMES, id: 'ref-2024' });
const params = psiDetector.parseParams(undefined);

function scoresFor(columns: ReturnType<typeof normalColumns>) {
  return psiDetector.score(psiDetector.summarize(columns, reference, params), reference, params);
}

describe('psi detector', () => {
  it('is a DRIFT detector with documented defaults (10 reference bins, epsilon 1e-4)', () => {
    expect(psiDetector.id).toBe('psi');
    expect(psiDetector.kind).toBe('DRIFT');
    expect(reference.binCount).toBe(10);
    expect(params).toEqual(PSI_DEFAULTS);
    expect(params.epsilon).toBe(1e-4);
  });

  it('scores about 0 on a fresh sample of the reference distribution', () => {
    const scores = scoresFor(normalColumns(2, 1000, 3));
    expect(scores.map((s) => s.feature)).toEqual(NAMES);
    for (const s of scores) expect(s.score).toBeLessThan(0.05);
    expect(scoresFor(normalColumns(1, 1000, 3)).map((s) => s.score)).toEqual([0, 0, 0]);
  });

  it('scores a 1σ mean shift clearly above 0.25 with 1,000 samples', () => {
    for (const s of scoresFor(normalColumns(3, 1000, 3, 1))) expect(s.score).toBeGreaterThan(0.25);
  });

  it('gives the known value of a hand-made example', () => {
    // reference: 0..99, 4 bins → edges 24.75, 49.5, 74.25, 25 values per bin
    const ref = buildReferenceProfile({ columns: makeColumns(100, 1, (_f, i) => i), featureNames: ['x'], binCount: 4, id: 'hand' });
    expect(Array.from(ref.edges)).toEqual([24.75, 49.5, 74.25]);
    // current: 50 values in bin 0, 50 in bin 3, none in bins 1 and 2
    const current = makeColumns(100, 1, (_f, i) => (i < 50 ? 0 : 99));
    const p = psiDetector.parseParams({ minCount: 1 });
    const [score] = psiDetector.score(psiDetector.summarize(current, ref, p), ref, p);
    const term = (c: number, r: number): number => (c - r) * Math.log(c / r);
    const expected = 2 * term(0.5, 0.25) + 2 * term(1e-4, 0.25);
    expect(score?.score).toBeCloseTo(expected, 12);
    expect(score?.evidence).toEqual({
      statistic: 'PSI',
      binning: PSI_CONVENTION,
      bins: '4',
      edges: '24.75,49.5,74.25',
      referenceCounts: '25,25,25,25',
      currentCounts: '50,0,0,50',
      referenceCount: '100',
      currentCount: '100',
      referenceId: 'hand',
    });
  });

  it('ignores batch features beyond the reference and treats missing ones as absent', () => {
    const wide = normalColumns(4, 1000, 5);
    const summary = psiDetector.summarize(wide, reference, params);
    expect(summary.totals).toHaveLength(3);
    expect(summary.counts).toHaveLength(30);
    expect(psiDetector.score(summary, reference, params).map((s) => s.feature)).toEqual(NAMES);
    const narrow = psiDetector.summarize(normalColumns(4, 1000, 2), reference, params);
    expect(Array.from(narrow.totals)).toEqual([1000, 1000, 0]);
    expect(psiDetector.score(narrow, reference, params).map((s) => s.feature)).toEqual(['age', 'income']);
  });

  it('skips features below minCount or without reference values, and counts NaN as absent', () => {
    const sparse = normalColumns(5, 1000, 3, 0, 0.95); // about 50 values per feature
    expect(scoresFor(sparse)).toEqual([]);
    const p = psiDetector.parseParams({ minCount: 10 });
    expect(psiDetector.score(psiDetector.summarize(sparse, reference, p), reference, p)).toHaveLength(3);
    const refWithHole = buildReferenceProfile({ columns: makeColumns(200, 2, (f, i) => (f === 0 ? i : NaN)), featureNames: ['a', 'b'], id: 'r' });
    const cur = makeColumns(200, 2, (_f, i) => i);
    const s = psiDetector.score(psiDetector.summarize(cur, refWithHole, params), refWithHole, params);
    expect(s.map((x) => x.feature)).toEqual(['a']);
  });

  it('sees a constant feature move either way', () => {
    const ref = buildReferenceProfile({ columns: makeColumns(500, 1, () => 1), featureNames: ['flag'], id: 'c' });
    const same = makeColumns(500, 1, () => 1);
    const up = makeColumns(500, 1, (_f, i) => (i % 10 === 0 ? 2 : 1));
    const down = makeColumns(500, 1, (_f, i) => (i % 10 === 0 ? 0 : 1));
    const psiOf = (c: ReturnType<typeof makeColumns>): number => psiDetector.score(psiDetector.summarize(c, ref, params), ref, params)[0]!.score;
    expect(psiOf(same)).toBe(0);
    expect(psiOf(up)).toBeGreaterThan(0.25);
    expect(psiOf(down)).toBeCloseTo(psiOf(up), 12);
  });

  it('validates parameters by name and rejects unknown ones', () => {
    expect(psiDetector.parseParams({ epsilon: 0.001 })).toEqual({ epsilon: 0.001, minCount: 100, binning: 'reference-quantile', bins: 10 });
    expect(() => psiDetector.parseParams({ epsilon: 0 })).toThrow(/"epsilon"/);
    expect(() => psiDetector.parseParams({ minCount: 1.5 })).toThrow(/"minCount"/);
    expect(() => psiDetector.parseParams({ edges: 10 })).toThrow(/unknown parameter "edges"/);
    expect(() => psiDetector.parseParams({ binning: 'sturges-both' })).toThrow(/"binning" must be one of reference-quantile, fixed-k/);
    expect(() => psiDetector.parseParams({ bins: 1 })).toThrow(/"bins" must be an integer from 2 to 1024/);
  });

  it('names a non-default epsilon in the binning evidence', () => {
    const p = psiDetector.parseParams({ epsilon: 0.001 });
    const [s] = psiDetector.score(psiDetector.summarize(normalColumns(6, 1000, 3), reference, p), reference, p);
    expect(s?.evidence['binning']).toBe('reference-quantile bins, epsilon 0.001 floor applied to both proportions');
  });

  it('refuses a summary of another shape and corrupt state', () => {
    const other = buildReferenceProfile({ columns: normalColumns(7, 100, 2), featureNames: ['a', 'b'], id: 'other' });
    expect(() => psiDetector.score(psiDetector.empty(other, params), reference, params)).toThrow(/does not match reference "ref-2024"/);
    const bytes = psiDetector.encode(psiDetector.summarize(normalColumns(8, 100, 3), reference, params));
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setFloat64(bytes.byteLength - 8, 12345, true); // a total that disagrees with its counts
    expect(() => psiDetector.decode(bytes)).toThrow(/add up to/);
    view.setFloat64(24, -1, true);
    expect(() => psiDetector.decode(bytes)).toThrow(/not a non-negative integer/);
  });
});

describe('psi detector, fixed-k binning', () => {
  const p = psiDetector.parseParams({ binning: 'fixed-k', bins: 4, minCount: 1 });
  // reference 0..99: equal-width bins [0, 24.75), [24.75, 49.5), [49.5, 74.25), [74.25, 99] and the two overflow bins
  const columns = makeColumns(100, 1, (_f, i) => i);
  const profile = buildReferenceProfile({ columns, featureNames: ['x'], id: 'hand-fixed' });
  const ref = { ...profile, detectorData: { psi: psiDetector.prepareReference!(columns, profile, p) } };

  it('gives the known value of a hand-made example, with out-of-range values in their own bins', () => {
    // current: 50 at 0 (bin 1), 25 above the reference maximum (overflow), 25 below its minimum (underflow)
    const current = makeColumns(100, 1, (_f, i) => (i < 50 ? 0 : i < 75 ? 150 : -5));
    const [score] = psiDetector.score(psiDetector.summarize(current, ref, p), ref, p);
    const term = (c: number, r: number): number => (c - r) * Math.log(c / r);
    const eps = 1e-4;
    const expected = term(0.25, eps) + term(0.5, 0.25) + 2 * term(eps, 0.25) + term(eps, 0.25) + term(0.25, eps);
    expect(score?.score).toBeCloseTo(expected, 12);
    expect(score?.evidence['binning']).toBe('fixed-k (4 equal-width bins over the reference range, plus underflow and overflow bins), epsilon 0.0001 floor applied to both proportions');
    expect(score?.evidence['referenceCounts']).toBe('0,25,25,25,25,0');
    expect(score?.evidence['currentCounts']).toBe('25,50,0,0,0,25');
  });

  it('scores nothing without its prepared bins, and keeps the default path on the profile bins', () => {
    expect(psiDetector.score(psiDetector.summarize(columns, profile, p), profile, p)).toEqual([]);
    expect(Object.keys(psiDetector.prepareReference!(columns, profile, psiDetector.parseParams(undefined)))).toEqual(['lookup', 'refCounts']);
    expect(psiDetector.empty(profile, p).counts.length).toBe(6);
    expect(psiDetector.empty(profile, psiDetector.parseParams(undefined)).counts.length).toBe(profile.binCount);
  });
});

describe('psi detector, counting through the prepared lookup table', () => {
  // Values on the reference's own edges, one ulp beside them, NaN, infinities and -0, in every feature.
  const awkward = (edges: number[]): number[] => [NaN, Infinity, -Infinity, -0, 0, ...edges, ...edges.map(nextUp), ...edges.map((e) => -nextUp(-e))];

  for (const binning of ['reference-quantile', 'fixed-k'] as const) {
    it(`counts every value in the bin the binary search gives it (${binning})`, () => {
      const p = psiDetector.parseParams({ binning, bins: 12, minCount: 1 });
      const columns = normalColumns(41, 3000, 3, 0, 0.02);
      const profile = buildReferenceProfile({ columns, featureNames: NAMES, id: 'lookup', binCount: 12 });
      const prepared = { ...profile, detectorData: { psi: psiDetector.prepareReference!(columns, profile, p) } };
      const edges = binning === 'fixed-k' ? prepared.detectorData.psi['edges']! : profile.edges;
      const stride = binning === 'fixed-k' ? 13 : 11;
      const edgeCount = (f: number): number => (binning === 'fixed-k' ? prepared.detectorData.psi['edgeCounts']![f]! : profile.edgeCounts[f]!);
      const extra = Array.from({ length: 3 }, (_, f) => awkward(Array.from(edges.subarray(f * stride, f * stride + edgeCount(f)))));
      const window = normalColumns(42, 2000, 3, 0.3, 0.05);
      const rows = window.count + Math.max(...extra.map((e) => e.length));
      const current = makeColumns(rows, 3, (f, i) => (i < window.count ? window.features[f * window.count + i]! : (extra[f]![i - window.count] ?? 1)));
      const summary = psiDetector.summarize(current, prepared, p);
      const width = binning === 'fixed-k' ? 14 : 12;
      for (let f = 0; f < 3; f++) {
        const want = new Float64Array(width);
        const n = binCounts(current.features, f * rows, rows, edges, want, f * stride, edgeCount(f), 0);
        expect([...summary.counts.subarray(f * width, (f + 1) * width)], `${NAMES[f]}`).toEqual([...want]);
        expect(summary.totals[f]).toBe(n);
      }
      if (binning === 'reference-quantile') expect(psiDetector.summarize(current, profile, p)).toEqual(summary);
    });
  }

  it('scores the same from the prepared counts as from the profile proportions', () => {
    const p = psiDetector.parseParams({ minCount: 1 });
    const columns = normalColumns(51, 4000, 3, 0, 0.02);
    const profile = buildReferenceProfile({ columns, featureNames: NAMES, id: 'counts', binCount: 16 });
    const data = psiDetector.prepareReference!(columns, profile, p);
    const prepared = { ...profile, detectorData: { psi: data } };
    for (let i = 0; i < profile.proportions.length; i++) {
      const f = Math.floor(i / 16);
      expect(data['refCounts']![i], `count ${i}`).toBe(Math.round(profile.proportions[i]! * profile.featureCounts[f]!));
      expect(data['refCounts']![i]! / profile.featureCounts[f]!).toBe(profile.proportions[i]);
    }
    for (const shift of [0, 0.1, 0.5, 2]) {
      const window = normalColumns(52, 1500, 3, shift, 0.02);
      const fromCounts = psiDetector.score(psiDetector.summarize(window, prepared, p), prepared, p);
      const fromProportions = psiDetector.score(psiDetector.summarize(window, profile, p), profile, p);
      expect(fromCounts.map((s) => s.evidence)).toEqual(fromProportions.map((s) => s.evidence));
      fromCounts.forEach((s, i) => expect(Math.abs(s.score - fromProportions[i]!.score), `shift ${shift} ${s.feature}`).toBeLessThanOrEqual(1e-12 * Math.max(1, s.score)));
    }
  });

  it('rejects prepared counts of another shape, naming the reference', () => {
    const p = psiDetector.parseParams({ minCount: 1 });
    const bad = { ...reference, detectorData: { psi: { refCounts: new Float64Array(5) } } };
    expect(() => psiDetector.score(psiDetector.summarize(normalColumns(3, 10, 3), reference, p), bad, p)).toThrow(/reference "ref-2024" carries prepared counts of another shape/);
  });

  it('rejects a prepared lookup table of another shape, naming the reference', () => {
    const bad = { ...reference, detectorData: { psi: { lookup: new Float64Array(5) } } };
    expect(() => psiDetector.summarize(normalColumns(3, 10, 3), bad, params)).toThrow(/reference "ref-2024" carries a prepared lookup table of another shape/);
  });
});
