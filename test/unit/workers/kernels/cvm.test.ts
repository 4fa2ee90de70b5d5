import { describe, expect, it } from 'vitest';
import { cvmTwoSample } from '../../../../workers/kernels/cvm.js';
import { expectClose, fixture, sorted } from './peers.js';

const fx = fixture<{ cases: { name: string; x: number[]; y: number[]; statistic: number; pvalue: number }[] }>('cvm.json');

describe('two-sample Cramér–von Mises against scipy.stats.cramervonmises_2samp', () => {
  it('matches statistic and p-value to 1e-9 (exact up to 20 values a side, asymptotic beyond, ties)', () => {
    const out = new Float64Array(3);
    for (const c of fx.cases) {
      const x = sorted(c.x);
      const y = sorted(c.y);
      cvmTwoSample(x, 0, x.length, y, 0, y.length, out);
      expectClose(out[0]!, c.statistic, `${c.name} T`, 1e-12);
      expectClose(out[1]!, c.pvalue, `${c.name} p`);
      expect(out[2]).toBe(Math.max(x.length, y.length) <= 20 ? 1 : 0);
    }
  });

  it('needs two values a side', () => {
    const out = new Float64Array(3);
    cvmTwoSample(Float64Array.of(1), 0, 1, Float64Array.of(1, 2, 3), 0, 3, out);
    expect(out[0]).toBeNaN();
  });
});
