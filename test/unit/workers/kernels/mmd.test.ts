/** RBF + MMD kernels against the numpy rendering of Alibi Detect's MMDDrift formula (bench/peers/mmd_fixtures.py). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mmd2ForSplit, mmdPermutationTest, prepareKernelSums } from '../../../../workers/kernels/mmd.js';
import { medianHeuristicSigma, pairwiseSquaredDistances, rbfFromSquaredDistances } from '../../../../workers/kernels/rbf.js';
import { mulberry32 } from '../helpers.js';

interface Case {
  name: string;
  reference: number[];
  test: number[];
  n: number;
  m: number;
  dim: number;
  sigma: number;
  mmd2: number;
  permutationTests: number[][];
  permuted: number[];
  pValue: number;
  threshold: number;
}

const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/peers/streams/mmd/alibi-formula.json'), 'utf8')) as { cases: Case[] };
const rel = (got: number, want: number, tol = 1e-10): void => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));

function kernelOf(c: Case): { kernel: Float64Array; size: number; sigma: number } {
  const ref = Float64Array.from(c.reference);
  const refDist = new Float64Array(c.n * c.n);
  pairwiseSquaredDistances(ref, c.n, c.dim, refDist);
  const sigma = medianHeuristicSigma(refDist, c.n);
  const size = c.n + c.m;
  const pooled = Float64Array.from([...c.reference, ...c.test]);
  const kernel = new Float64Array(size * size);
  pairwiseSquaredDistances(pooled, size, c.dim, kernel);
  rbfFromSquaredDistances(kernel, size * size, sigma);
  return { kernel, size, sigma };
}

describe('MMD kernels match the Alibi Detect formula', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: σ, MMD², every permuted MMD², p-value and threshold', (_name, c) => {
    const { kernel, size, sigma } = kernelOf(c);
    rel(sigma, c.sigma, 1e-12);
    const rowSums = new Float64Array(size);
    const total = prepareKernelSums(kernel, size, rowSums);
    const observed = Int32Array.from({ length: c.m }, (_, a) => c.n + a);
    rel(mmd2ForSplit(kernel, size, rowSums, total, observed, c.m), c.mmd2);
    const permuted = c.permutationTests.map((t) => mmd2ForSplit(kernel, size, rowSums, total, Int32Array.from(t), c.m));
    permuted.forEach((v, i) => rel(v, c.permuted[i]!));
    const mmd2 = mmd2ForSplit(kernel, size, rowSums, total, observed, c.m);
    expect(permuted.filter((v) => mmd2 <= v).length / permuted.length).toBe(c.pValue);
    const sorted = [...permuted].sort((a, b) => b - a);
    rel(sorted[Math.floor(0.05 * permuted.length)]!, c.threshold);
  });

  it('the seeded permutation test is deterministic and separates shifted from unshifted data', () => {
    const [same, shifted] = [fixture.cases[0]!, fixture.cases[1]!];
    const run = (c: Case, seed: number): number => {
      const { kernel, size } = kernelOf(c);
      return mmdPermutationTest(kernel, size, c.m, 200, mulberry32(seed)).pValue;
    };
    expect(run(same, 5)).toBe(run(same, 5));
    expect(run(same, 5)).toBeGreaterThan(0.05);
    expect(run(shifted, 5)).toBeLessThanOrEqual(0.05);
  });

  it('median heuristic follows Alibi\'s index (diagonal zeros included) and rejects bad input', () => {
    // 3 points on a line: squared distances 0,1,4 | 1,0,1 | 4,1,0 → sorted 0,0,0,1,1,1,1,4,4; index 3 + 3 - 1 = 5 → 1.
    const dist = new Float64Array(9);
    pairwiseSquaredDistances(Float64Array.of(0, 1, 2), 3, 1, dist);
    expect(medianHeuristicSigma(dist, 3)).toBeCloseTo(Math.sqrt(0.5), 15);
    expect(() => rbfFromSquaredDistances(dist, 9, 0)).toThrow(/sigma must be a positive finite number/);
    expect(() => pairwiseSquaredDistances(Float64Array.of(1), 2, 1, dist)).toThrow(/1 values for 2 points/);
    expect(() => mmdPermutationTest(new Float64Array(9), 3, 2, 10, Math.random)).toThrow(/at least 2 reference and 2 test rows/);
  });
});
