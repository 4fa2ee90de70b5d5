import { describe, expect, it } from 'vitest';
import { KS_ASYMPTOTIC, KS_EXACT, ksStatistic, ksTwoSample } from '../../../../workers/kernels/ks.js';
import { kolmogorovSf } from '../../../../workers/kernels/kolmogorov.js';
import { expectClose, fixture, sorted } from './peers.js';

interface KsFixture {
  cases: { name: string; method: 'auto' | 'asymp'; a: number[]; b: number[]; statistic: number; pvalue: number }[];
  reference10k: number[];
  windows: { shift: number; b: number[]; statistic: number; pvalue: number }[];
  asymptotic: { n1: number; n2: number; d: number; pvalue: number }[];
}
const fx = fixture<KsFixture>('ks.json');

describe('two-sample Kolmogorov–Smirnov against scipy.stats.ks_2samp', () => {
  it('matches statistic and p-value to 1e-9 (auto and asymp methods, ties, tiny samples)', () => {
    const out = new Float64Array(3);
    for (const c of fx.cases) {
      const a = sorted(c.a);
      const b = sorted(c.b);
      ksTwoSample(a, 0, a.length, b, 0, b.length, out, 0, c.method);
      expectClose(out[0]!, c.statistic, `${c.name} (${c.method}) D`, 1e-12);
      expectClose(out[1]!, c.pvalue, `${c.name} (${c.method}) p`);
      expect(out[2]).toBe(c.method === 'asymp' ? KS_ASYMPTOTIC : KS_EXACT);
    }
  });

  it('matches on the engine shape: 10,000 reference values against 1,000-value windows (exact under auto)', () => {
    const ref = sorted(fx.reference10k);
    const out = new Float64Array(3);
    for (const w of fx.windows) {
      const b = sorted(w.b);
      ksTwoSample(ref, 0, ref.length, b, 0, b.length, out);
      expect(out[2]).toBe(KS_EXACT);
      expectClose(out[0]!, w.statistic, `shift ${w.shift} D`, 1e-12);
      expectClose(out[1]!, w.pvalue, `shift ${w.shift} p`);
    }
  });

  it('uses the asymptotic distribution past 10,000 values, as scipy does', () => {
    for (const c of fx.asymptotic) {
      const m = Math.max(c.n1, c.n2);
      const n = Math.min(c.n1, c.n2);
      expectClose(kolmogorovSf(Math.round((m * n) / (m + n)), c.d), c.pvalue, `n1=${c.n1} n2=${c.n2} d=${c.d}`);
    }
    const a = Float64Array.from({ length: 10_001 }, (_, i) => i);
    const b = Float64Array.from({ length: 50 }, (_, i) => i * 3);
    const out = new Float64Array(3);
    ksTwoSample(a, 0, a.length, b, 0, b.length, out);
    expect(out[2]).toBe(KS_ASYMPTOTIC);
  });

  it('handles offsets, ties across samples, and empty samples', () => {
    const buf = Float64Array.from([99, 1, 2, 2, 3, 99, 2, 2, 4]);
    // a = [1, 2, 2, 3], b = [2, 2, 4]: after 3 the ECDFs are 1 and 2/3.
    expect(ksStatistic(buf, 1, 4, buf, 6, 3)).toBe(1 - 2 / 3);
    expect(ksStatistic(buf, 0, 0, buf, 6, 3)).toBeNaN();
    const out = new Float64Array(3);
    ksTwoSample(buf, 0, 0, buf, 0, 2, out);
    expect([...out].every(Number.isNaN)).toBe(true);
    const same = Float64Array.from([1, 2, 3]);
    ksTwoSample(same, 0, 3, same, 0, 3, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(1);
  });
});

interface AlibiFixture {
  versions: Record<string, string | null>;
  reference: number[][];
  current: number[][];
  pValues: number[];
  distances: number[];
  isDrift: number;
  threshold: number;
}
const alibi = fixture<AlibiFixture>('alibi.json');

describe(`KS against Alibi Detect ${alibi.versions['alibi_detect'] ?? '(not installed)'} KSDrift`, () => {
  it("matches its per-feature statistics and, to float32 precision, its p-values (Alibi rounds them to float32 and always uses method 'asymp')", () => {
    const out = new Float64Array(3);
    alibi.reference.forEach((refValues, f) => {
      const a = sorted(refValues);
      const b = sorted(alibi.current[f]!);
      ksTwoSample(a, 0, a.length, b, 0, b.length, out, 0, 'asymp');
      expectClose(out[0]!, alibi.distances[f]!, `feature ${f} D`, 1e-7);
      expectClose(out[1]!, alibi.pValues[f]!, `feature ${f} p`, 1e-6);
      expect(Math.fround(out[1]!)).toBe(alibi.pValues[f]);
    });
    expect(alibi.threshold).toBeCloseTo(0.05 / 3, 7);
  });
});
