import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity, twoProportionZ } from '../../../../workers/kernels/categorical.js';
import { expectClose, fixture } from './peers.js';

interface Categorical {
  chiSquare: { ref: number[]; cur: number[]; statistic: number; pvalue: number; dof: number; scipyDefaultPvalue: number }[];
  zTest: { k1: number; n1: number; k2: number; n2: number; z: number; pvalue: number }[];
  evidently: { chisquare: { ref: number[]; cur: number[]; pvalue: number }; z: { k1: number; n1: number; k2: number; n2: number; pvalue: number } };
}
const fx = fixture<Categorical>('categorical.json');

describe('categorical tests against scipy and Evidently', () => {
  it('chi-square matches scipy.stats.chi2_contingency(correction=False), unseen categories included', () => {
    const out = new Float64Array(3);
    for (const c of fx.chiSquare) {
      chiSquareHomogeneity(Float64Array.from(c.ref), 0, Float64Array.from(c.cur), 0, c.ref.length, out);
      expectClose(out[0]!, c.statistic, `chi2 ${c.ref}|${c.cur}`, 1e-12);
      expectClose(out[1]!, c.pvalue, `p ${c.ref}|${c.cur}`);
      expect(out[2]).toBe(c.dof);
    }
  });

  it("pins the documented difference from scipy's default: Yates's correction at one degree of freedom", () => {
    const c = fx.chiSquare.find((x) => x.dof === 1)!;
    const out = new Float64Array(3);
    chiSquareHomogeneity(Float64Array.from(c.ref), 0, Float64Array.from(c.cur), 0, c.ref.length, out);
    expect(out[1]!).toBeLessThan(c.scipyDefaultPvalue);
  });

  it("pins the documented difference from Evidently's chi-square (goodness of fit against reference frequencies)", () => {
    const e = fx.evidently.chisquare;
    const out = new Float64Array(3);
    chiSquareHomogeneity(Float64Array.from(e.ref), 0, Float64Array.from(e.cur), 0, e.ref.length, out);
    // Homogeneity treats the reference as a sample too, so it is less sure than goodness of fit.
    expect(out[1]!).toBeGreaterThan(e.pvalue);
  });

  it('z-test matches the pooled two-proportion test and Evidently', () => {
    const out = new Float64Array(2);
    for (const c of fx.zTest) {
      twoProportionZ(c.k1, c.n1, c.k2, c.n2, out);
      expectClose(out[0]!, c.z, `z ${c.k1}/${c.n1} vs ${c.k2}/${c.n2}`, 1e-12);
      expectClose(out[1]!, c.pvalue, `p ${c.k1}/${c.n1} vs ${c.k2}/${c.n2}`);
    }
    const e = fx.evidently.z;
    twoProportionZ(e.k1, e.n1, e.k2, e.n2, out);
    expectClose(out[1]!, e.pvalue, 'Evidently z-test', 1e-9);
  });

  it('has nothing to compare with one category or an empty sample', () => {
    const out = new Float64Array(3);
    chiSquareHomogeneity(Float64Array.of(10, 0), 0, Float64Array.of(5, 0), 0, 2, out);
    expect([...out]).toEqual([0, 1, 0]);
    chiSquareHomogeneity(Float64Array.of(0, 0), 0, Float64Array.of(5, 1), 0, 2, out);
    expect([...out]).toEqual([0, 1, 0]);
    twoProportionZ(1, 0, 1, 2, out);
    expect(out[0]).toBeNaN();
  });
});
