import { describe, expect, it } from 'vitest';
import { histogramCounts, sturgesEdges } from '../../../../workers/kernels/binning.js';
import { evidentlyFloor, hellinger, jensenShannon, psiOfProportions, wasserstein1 } from '../../../../workers/kernels/distances.js';
import { variance } from '../../../../workers/kernels/moments.js';
import { expectClose, fixture, sorted } from './peers.js';

interface Distances {
  versions: Record<string, string | null>;
  wasserstein: { name: string; a: number[]; b: number[]; value: number; referenceStd: number }[];
  jensenShannon: { p: number[]; q: number[]; natural: number; base2: number }[];
  sturges: { a: number[]; b: number[]; edges: number[]; refCounts: number[]; curCounts: number[] }[];
  evidently: { cases: { a: number[]; b: number[]; psi: number; jensenshannon: number; wassersteinNorm: number; hellinger: number }[] };
  nannyml: { jensenShannon: { reference: number[]; current: number[]; value: number } };
}
const fx = fixture<Distances>('distances.json');

/** Evidently's binned proportions: Sturges edges over both samples, numpy counting, optional zero floor. */
function evidentlyBinned(a: Float64Array, b: Float64Array, floor: boolean): { ref: Float64Array; cur: Float64Array; bins: number } {
  const lo = Math.min(a[0]!, b[0]!);
  const hi = Math.max(a[a.length - 1]!, b[b.length - 1]!);
  const edges = new Float64Array(256);
  const bins = sturgesEdges(a.length + b.length, lo, hi, edges);
  const ref = new Float64Array(bins);
  const cur = new Float64Array(bins);
  histogramCounts(a, 0, a.length, edges, 0, bins, ref);
  histogramCounts(b, 0, b.length, edges, 0, bins, cur);
  for (let k = 0; k < bins; k++) {
    ref[k]! /= a.length;
    cur[k]! /= b.length;
  }
  if (floor) {
    evidentlyFloor(ref, 0, bins);
    evidentlyFloor(cur, 0, bins);
  }
  return { ref, cur, bins };
}

describe('distances against scipy', () => {
  it('Wasserstein-1 matches scipy.stats.wasserstein_distance', () => {
    for (const c of fx.wasserstein) {
      const a = sorted(c.a);
      const b = sorted(c.b);
      expectClose(wasserstein1(a, 0, a.length, b, 0, b.length), c.value, c.name, 1e-12);
      expectClose(wasserstein1(b, 0, b.length, a, 0, a.length), c.value, `${c.name} (swapped)`, 1e-12);
    }
    expect(wasserstein1(new Float64Array(0), 0, 0, Float64Array.of(1), 0, 1)).toBeNaN();
  });

  it('Jensen–Shannon matches scipy.spatial.distance.jensenshannon, natural log and base 2', () => {
    for (const c of fx.jensenShannon) {
      const p = Float64Array.from(c.p);
      const q = Float64Array.from(c.q);
      expectClose(jensenShannon(p, 0, q, 0, p.length), c.natural, `JS ${c.p}|${c.q}`, 1e-12);
      expectClose(jensenShannon(p, 0, q, 0, p.length, '2'), c.base2, `JS2 ${c.p}|${c.q}`, 1e-12);
    }
  });

  it('Sturges edges and counts match numpy.histogram_bin_edges / numpy.histogram', () => {
    for (const c of fx.sturges) {
      const a = sorted(c.a);
      const b = sorted(c.b);
      const edges = new Float64Array(256);
      const bins = sturgesEdges(a.length + b.length, Math.min(a[0]!, b[0]!), Math.max(a[a.length - 1]!, b[b.length - 1]!), edges);
      expect(bins).toBe(c.edges.length - 1);
      for (let i = 0; i <= bins; i++) expectClose(edges[i]!, c.edges[i]!, `edge ${i}`, 1e-14);
      const counts = new Float64Array(bins);
      histogramCounts(a, 0, a.length, edges, 0, bins, counts);
      expect([...counts]).toEqual(c.refCounts);
      histogramCounts(b, 0, b.length, edges, 0, bins, counts);
      expect([...counts]).toEqual(c.curCounts);
    }
  });
});

describe(`distances against Evidently ${fx.versions['evidently'] ?? '(not installed)'}`, () => {
  it('PSI, Jensen–Shannon and normalised Wasserstein match Evidently under its sturges-both binning', () => {
    for (const [i, c] of fx.evidently.cases.entries()) {
      const a = sorted(c.a);
      const b = sorted(c.b);
      const floored = evidentlyBinned(a, b, true);
      expectClose(psiOfProportions(floored.ref, 0, floored.cur, 0, floored.bins), c.psi, `case ${i} PSI`, 1e-10);
      const raw = evidentlyBinned(a, b, false);
      expectClose(jensenShannon(raw.ref, 0, raw.cur, 0, raw.bins), c.jensenshannon, `case ${i} JS`, 1e-10);
      // Evidently: wasserstein_distance / max(np.std(reference), 0.001), np.std with ddof 0.
      const std = Math.sqrt(variance(a, 0, a.length, 0));
      expectClose(wasserstein1(a, 0, a.length, b, 0, b.length) / Math.max(std, 0.001), c.wassersteinNorm, `case ${i} Wasserstein`, 1e-10);
    }
  });

  it("Hellinger matches Evidently's on continuous data (its bins are Sturges over the distinct values, the same as over both samples when nothing repeats)", () => {
    for (const [i, c] of fx.evidently.cases.entries()) {
      const a = sorted(c.a);
      const b = sorted(c.b);
      const raw = evidentlyBinned(a, b, false);
      expectClose(hellinger(raw.ref, 0, raw.cur, 0, raw.bins), c.hellinger, `case ${i} Hellinger`, 1e-9);
    }
  });
});

describe(`distances against NannyML ${fx.versions['nannyml'] ?? '(not installed)'}`, () => {
  it("Jensen–Shannon base 2 matches NannyML's on NannyML's own bins (Doane bins of the reference plus one out-of-range bin)", () => {
    const c = fx.nannyml.jensenShannon;
    const p = Float64Array.from(c.reference);
    const q = Float64Array.from(c.current);
    expectClose(jensenShannon(p, 0, q, 0, p.length, '2'), c.value, 'NannyML JS', 1e-12);
  });
});

describe('hellinger', () => {
  it('equals ‖√p − √q‖ / √2 and is 0 for equal and 1 for disjoint distributions', () => {
    const p = Float64Array.of(0.1, 0.4, 0.5);
    const q = Float64Array.of(0.3, 0.3, 0.4);
    let s = 0;
    for (let k = 0; k < 3; k++) s += (Math.sqrt(p[k]!) - Math.sqrt(q[k]!)) ** 2;
    expect(hellinger(p, 0, q, 0, 3)).toBeCloseTo(Math.sqrt(s) / Math.SQRT2, 12);
    expect(hellinger(p, 0, p, 0, 3)).toBe(0);
    expect(hellinger(Float64Array.of(1, 0), 0, Float64Array.of(0, 5), 0, 2)).toBe(1);
    expect(hellinger(Float64Array.of(0, 0), 0, Float64Array.of(0, 5), 0, 2)).toBeNaN();
  });
});
