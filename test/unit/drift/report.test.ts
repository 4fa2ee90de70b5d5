import { describe, expect, it } from 'vitest';
import type { Feature } from '../../../src/drift/columns.js';
import { buildReport, type ReportOptions } from '../../../src/drift/report.js';
import { renderHtml } from '../../../src/drift/html.js';
import { renderText } from '../../../src/drift/text.js';
import { gaussian, mulberry32 } from '../workers/helpers.js';
import { expectClose, fixture } from '../workers/kernels/peers.js';

const OPTIONS: ReportOptions = { alpha: 0.05, correction: 'bh', binning: 'reference-quantile', bins: 10, wassersteinThreshold: 0.1 };

function numeric(name: string, a: ArrayLike<number>, b: ArrayLike<number>): Feature {
  return { name, type: 'numeric', declared: false, reference: Float64Array.from(a).sort(), current: Float64Array.from(b).sort(), referenceMissing: 0, currentMissing: 0 };
}

function categorical(name: string, a: string[], b: string[]): Feature {
  return { name, type: 'categorical', declared: true, referenceCategories: a, currentCategories: b, referenceMissing: 0, currentMissing: 0 };
}

function normals(seed: number, n: number, mean = 0, sd = 1): number[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: n }, () => mean + sd * g());
}

const stat = (report: ReturnType<typeof buildReport>, feature: string, name: string) => report.features.find((f) => f.name === feature)!.statistics.find((s) => s.name === name)!;

describe('drift report', () => {
  const features = [
    numeric('stable', normals(1, 2000), normals(2, 600)),
    numeric('shifted', normals(3, 2000), normals(4, 600, 0.5)),
    categorical('colour', [...Array(500).fill('red'), ...Array(300).fill('blue')], [...Array(100).fill('red'), ...Array(100).fill('blue'), ...Array(40).fill('green')]),
  ];
  const report = buildReport({ file: 'ref.csv', rows: 2000 }, { file: 'cur.csv', rows: 600 }, features, OPTIONS);

  it('gives every statistic with a threshold and a verdict, and the primary test decides the feature', () => {
    expect(report.features.map((f) => [f.name, f.drift, f.verdictBy])).toEqual([
      ['stable', false, 'ks'],
      ['shifted', true, 'ks'],
      ['colour', true, 'chi-square'],
    ]);
    expect(report.features[0]!.statistics.map((s) => s.name)).toEqual(['ks', 'cramer-von-mises', 'wasserstein', 'psi', 'jensen-shannon', 'hellinger']);
    expect(report.features[2]!.statistics.map((s) => s.name)).toEqual(['chi-square', 'psi', 'jensen-shannon', 'hellinger']);
    for (const f of report.features) {
      for (const s of f.statistics) {
        expect(Number.isFinite(s.value), `${f.name} ${s.name}`).toBe(true);
        expect(s.threshold.length, `${f.name} ${s.name}`).toBeGreaterThan(0);
      }
    }
    expect(report.summary).toEqual({ features: 3, drifted: 2, driftedFeatures: ['shifted', 'colour'], driftedSections: [] });
    expect(stat(report, 'colour', 'chi-square').details['unseenInReference']).toBe(1);
    expect(report.conventions['binning']).toMatch(/^reference-quantile: /);
  });

  it('corrects each statistic across features: BH-adjusted p-values are never below the raw ones', () => {
    for (const f of report.features) for (const s of f.statistics) if (s.pValue !== undefined) expect(s.adjustedPValue!).toBeGreaterThanOrEqual(s.pValue);
    const bonf = buildReport({ file: 'r', rows: 1 }, { file: 'c', rows: 1 }, features, { ...OPTIONS, correction: 'bonferroni' });
    expectClose(stat(bonf, 'stable', 'ks').adjustedPValue!, Math.min(1, stat(bonf, 'stable', 'ks').pValue! * 2), 'Bonferroni over two numeric features');
  });

  it("under sturges-both reproduces Evidently's PSI, Jensen–Shannon and normalised Wasserstein", () => {
    const fx = fixture<{ evidently: { cases: { a: number[]; b: number[]; psi: number; jensenshannon: number; wassersteinNorm: number }[] } }>('distances.json');
    for (const [i, c] of fx.evidently.cases.entries()) {
      const r = buildReport({ file: 'r', rows: c.a.length }, { file: 'c', rows: c.b.length }, [numeric('x', c.a, c.b)], { ...OPTIONS, binning: 'sturges-both' });
      expectClose(stat(r, 'x', 'psi').value, c.psi, `case ${i} PSI`, 1e-10);
      expectClose(stat(r, 'x', 'jensen-shannon').value, c.jensenshannon, `case ${i} JS`, 1e-10);
      expectClose(stat(r, 'x', 'wasserstein').value, c.wassersteinNorm, `case ${i} Wasserstein`, 1e-10);
    }
  });

  it('names the binning: the same data gives different PSI under different conventions', () => {
    const f = [numeric('x', normals(5, 3000), normals(6, 400, 0.2, 1.3))];
    const values = (['reference-quantile', 'fixed-k', 'sturges-both'] as const).map((binning) => {
      const r = buildReport({ file: 'r', rows: 1 }, { file: 'c', rows: 1 }, f, { ...OPTIONS, binning });
      expect(String(stat(r, 'x', 'psi').details['binning'])).toMatch(new RegExp(`^${binning} \\(\\d+ bins\\)$`));
      return stat(r, 'x', 'psi').value;
    });
    expect(new Set(values).size).toBe(3);
  });

  it('reports a feature it cannot test instead of failing', () => {
    const r = buildReport({ file: 'r', rows: 1 }, { file: 'c', rows: 1 }, [numeric('x', [1], [1, 2, 3]), categorical('c', [], ['a'])], OPTIONS);
    expect(r.features.map((f) => f.note)).toEqual(['fewer than two values on a side: not tested', 'no values on a side: not tested']);
    expect(r.summary.drifted).toBe(0);
  });

  it('renders text and a self-contained, escaped HTML page', () => {
    const text = renderText(report);
    expect(text).toMatch(/^shifted {2}numeric \(inferred\).*→ {2}DRIFT \(by ks\)$/m);
    expect(text).toMatch(/2 of 3 features drifted: shifted, colour$/);
    const hostile = buildReport({ file: '<script>alert(1)</script>.csv', rows: 1 }, { file: 'c', rows: 1 }, [categorical('<img src=x onerror=alert(1)>', ['"a"', 'b'], ['b', '<b>'])], OPTIONS);
    const html = renderHtml(hostile);
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//);
    expect(renderHtml(report).match(/<svg /g)).toHaveLength(3);
  });
});
