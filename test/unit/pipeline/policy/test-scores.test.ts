import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../src/config/load.js';
import { effectiveConfig } from '../../../../src/config/models.js';
import { classify, testScores } from '../../../../src/pipeline/policy/thresholds.js';

function detectors(yaml: string) {
  return effectiveConfig(parseConfigText(yaml, 'vigil.yaml').config, 'm').detectors;
}

describe('how the policy judges statistical tests', () => {
  it('turns an adjusted p-value into -log10 p: WARNING at alpha, CRITICAL at a tenth of it, the statistic kept', () => {
    const settings = detectors('detectors: { ks: { enabled: true } }');
    const { scores, thresholds } = testScores(settings, [
      { detector: 'ks', feature: 'f0', score: 0.31, evidence: { adjustedPValue: '0.001', alpha: '0.05' } },
      { detector: 'ks', feature: 'f1', score: 0.02, evidence: { adjustedPValue: '0.8', alpha: '0.05' } },
    ]);
    const t = thresholds.get('ks')!;
    expect(t.warning).toBeCloseTo(1.30103, 5);
    expect(t.critical).toBeCloseTo(2.30103, 5);
    expect(scores[0]!.score).toBeCloseTo(3, 10);
    expect(scores[0]!.evidence['statistic']).toBe('0.31');
    expect(classify(scores[0]!.score, t).level).toBe('CRITICAL');
    expect(classify(scores[1]!.score, t).level).toBe('none');
  });

  it('leaves scores alone when thresholds are configured for the detector', () => {
    const settings = detectors('detectors: { ks: { enabled: true, warning: 0.2, critical: 0.3 } }');
    const input = [{ detector: 'ks', feature: 'f0', score: 0.31, evidence: { adjustedPValue: '0.001', alpha: '0.05' } }];
    const { scores, thresholds } = testScores(settings, input);
    expect(scores).toEqual(input);
    expect(thresholds.size).toBe(0);
  });

  it('judges a verdict-only detector by its verdict, as a WARNING', () => {
    const settings = detectors('detectors: { pca-drift: { enabled: true } }');
    const { scores, thresholds } = testScores(settings, [
      { detector: 'pca-drift', feature: null, score: 4.2, evidence: { drift: 'true' } },
      { detector: 'pca-drift', feature: null, score: 1.1, evidence: { drift: 'false' } },
    ]);
    expect(scores.map((s) => s.score)).toEqual([1, 0]);
    expect(scores[0]!.evidence['statistic']).toBe('4.2');
    expect(classify(1, thresholds.get('pca-drift')!).level).toBe('WARNING');
  });
});
