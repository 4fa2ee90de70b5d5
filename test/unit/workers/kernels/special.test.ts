import { describe, expect, it } from 'vitest';
import { kolmogorovSf, smirnovSf } from '../../../../workers/kernels/kolmogorov.js';
import { besselK, chi2Isf, chi2Sf, gammaP, gammaQ, logGamma, normalCdf, normalSf } from '../../../../workers/kernels/special.js';
import { expectClose, fixture } from './peers.js';

interface Special {
  chi2Sf: { x: number; df: number; sf: number }[];
  chi2Isf: { p: number; df: number; isf: number }[];
  normalSf: { z: number; sf: number }[];
  gammaln: { x: number; value: number }[];
  besselK: { nu: number; x: number; value: number }[];
  kstwoSf: { n: number; x: number; sf: number }[];
  smirnovSf: { n: number; x: number; sf: number }[];
}
const fx = fixture<Special>('special.json');

describe('special functions against scipy', () => {
  it('log-gamma matches scipy.special.gammaln', () => {
    for (const c of fx.gammaln) expectClose(logGamma(c.x), c.value, `gammaln(${c.x})`, 1e-13);
  });

  it('chi-square survival matches scipy.stats.chi2.sf to 1e-9 relative', () => {
    for (const c of fx.chi2Sf) expectClose(chi2Sf(c.x, c.df), c.sf, `chi2.sf(${c.x}, ${c.df})`);
  });

  it('chi-square quantile matches scipy.stats.chi2.isf', () => {
    for (const c of fx.chi2Isf) expectClose(chi2Isf(c.p, c.df), c.isf, `chi2.isf(${c.p}, ${c.df})`, 1e-10);
  });

  it('normal tail matches scipy.stats.norm.sf, far tails included', () => {
    for (const c of fx.normalSf) expectClose(normalSf(c.z), c.sf, `norm.sf(${c.z})`);
    expect(normalCdf(0)).toBe(0.5);
  });

  it('K_1/4 matches scipy.special.kv', () => {
    for (const c of fx.besselK) expectClose(besselK(c.nu, c.x), c.value, `kv(${c.nu}, ${c.x})`, 1e-12);
  });

  it('one-sided Smirnov tail matches scipy.special.smirnov', () => {
    for (const c of fx.smirnovSf) expectClose(smirnovSf(c.n, c.x), c.sf, `smirnov(${c.n}, ${c.x})`);
  });

  it('the Kolmogorov distribution matches scipy.stats.kstwo.sf in every branch', () => {
    for (const c of fx.kstwoSf) expectClose(kolmogorovSf(c.n, c.x), c.sf, `kstwo.sf(${c.x}, ${c.n})`);
  });

  it('P and Q are complementary and reject bad arguments', () => {
    for (const [a, x] of [[0.5, 0.1], [3, 2], [10, 30], [100, 90]] as const) expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 14);
    expect(gammaP(-1, 1)).toBeNaN();
    expect(chi2Sf(-1, 3)).toBe(1);
    expect(chi2Isf(0, 3)).toBeNaN();
    expect(kolmogorovSf(0, 0.5)).toBeNaN();
    expect(kolmogorovSf(10, 1.5)).toBe(0);
    expect(kolmogorovSf(10, -1)).toBe(1);
  });
});
