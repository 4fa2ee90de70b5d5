/**
 * The score of a two-sample test detector (ks, cvm): per numeric feature with enough values, the test
 * of the window's sorted values against the reference's, then the correction across features
 * (./params.ts decide). Score: the test statistic; the verdict is in the evidence.
 */
import type { Correction } from '../../kernels/multitest.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorScore } from '../types.js';
import { correctedScores, num, type FeatureTest } from './params.js';
import { type SampleSummary, checkSamples, preparedSamples, runStarts } from './samples.js';

export interface SampleTestParams {
  readonly alpha: number;
  readonly correction: Correction;
  readonly minCount: number;
}

export interface SampleTest<P extends SampleTestParams> {
  readonly id: string;
  /** Fewest reference values the test takes. */
  readonly minReference: number;
  /** Writes the statistic, the p-value and the method flag to out[0..2]. */
  run(ref: Float64Array, refStart: number, n1: number, cur: Float64Array, curStart: number, n2: number, out: Float64Array, params: P): void;
  /** What the statistic is, for the evidence. */
  readonly statistic: string;
  readonly binning: string;
  /** The method's name from the flag in out[2]. */
  method(flag: number): string;
}

export function scoreSampleTest<P extends SampleTestParams>(test: SampleTest<P>, summary: SampleSummary, reference: ReferenceProfile, params: P): DetectorScore[] {
  checkSamples(test.id, summary, reference);
  const ref = preparedSamples(test.id, reference);
  if (ref === null) return [];
  const refStarts = runStarts(ref.counts);
  const curStarts = runStarts(summary.counts);
  const out = new Float64Array(3);
  const tests: FeatureTest[] = [];
  reference.featureNames.forEach((feature, f) => {
    const n1 = ref.counts[f]!;
    const n2 = summary.counts[f]!;
    if (n1 < test.minReference || n2 < params.minCount) return;
    test.run(ref.values, refStarts[f]!, n1, summary.values, curStarts[f]!, n2, out, params);
    if (!Number.isFinite(out[0]!) || !(out[1]! >= 0)) return;
    tests.push({
      feature,
      statistic: out[0]!,
      pValue: out[1]!,
      evidence: {
        statistic: test.statistic,
        value: num(out[0]!),
        method: test.method(out[2]!),
        binning: test.binning,
        referenceCount: String(n1),
        currentCount: String(n2),
        referenceId: reference.id,
      },
    });
  });
  return correctedScores(test.id, tests, params);
}
