import { describe, it, expect } from 'vitest';
import { avroType } from '../../../../src/contracts/schemas.js';
import { alertId, buildAlert, evidenceSource, fingerprint, windowAlerts } from '../../../../src/pipeline/policy/alerts.js';
import { classify, severityOf, thresholdsFor } from '../../../../src/pipeline/policy/thresholds.js';
import type { DetectorScore } from '../../../../src/pipeline/policy/thresholds.js';
import { CONFIG_DEFAULTS } from '../../../../src/config/defaults.js';
import { T0, WINDOW } from './fixtures.js';

const psi = (feature: string | null, score: number): DetectorScore => ({ detector: 'psi', feature, score, evidence: { bins: '10', sampleSize: '1000' } });
const thresholds = { warning: 0.1, critical: 0.25 };

describe('thresholds', () => {
  it.each([
    [0, 'none'],
    [0.0999, 'none'],
    [0.1, 'WARNING'],
    [0.2499, 'WARNING'],
    [0.25, 'CRITICAL'],
    [7, 'CRITICAL'],
    [Number.NaN, 'none'],
    [Number.POSITIVE_INFINITY, 'none'],
  ])('a score of %s is %s', (score, level) => {
    expect(severityOf(score, thresholds)).toBe(level);
  });

  it('reports the threshold crossed', () => {
    expect(classify(0.3, thresholds)).toEqual({ level: 'CRITICAL', threshold: 0.25 });
    expect(classify(0.15, thresholds)).toEqual({ level: 'WARNING', threshold: 0.1 });
    expect(classify(0.01, thresholds)).toEqual({ level: 'none', threshold: 0.1 });
  });

  it('takes thresholds from the settings of enabled detectors only', () => {
    expect(thresholdsFor(CONFIG_DEFAULTS.detectors, 'psi')).toEqual({ warning: 0.1, critical: 0.25 });
    expect(thresholdsFor({ psi: { ...CONFIG_DEFAULTS.detectors.psi, enabled: false } }, 'psi')).toBeNull();
    expect(thresholdsFor(CONFIG_DEFAULTS.detectors, 'ks')).toBeNull();
  });
});

describe('identities', () => {
  it('are stable hex hashes of their inputs', () => {
    const fp = fingerprint('credit-risk', '3.2.0', 'psi', 'income');
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint('credit-risk', '3.2.0', 'psi', 'income')).toBe(fp);
    expect(alertId(fp, T0)).toBe(alertId(fp, T0));
    expect(alertId(fp, T0)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differ when any part differs, and a null feature differs from the string "null"', () => {
    const ids = new Set([
      fingerprint('credit-risk', '3.2.0', 'psi', 'income'),
      fingerprint('credit-risk', '3.2.1', 'psi', 'income'),
      fingerprint('credit-risk', '3.2.0', 'ks', 'income'),
      fingerprint('credit-risk', '3.2.0', 'psi', 'age'),
      fingerprint('credit-risk', '3.2.0', 'psi', null),
      fingerprint('credit-risk', '3.2.0', 'psi', 'null'),
      fingerprint('credit-risk/3.2.0', '', 'psi', 'income'),
    ]);
    expect(ids.size).toBe(7);
    const fp = fingerprint('credit-risk', '3.2.0', 'psi', 'income');
    expect(alertId(fp, T0)).not.toBe(alertId(fp, T0 + 1));
  });
});

describe('alerts', () => {
  it('builds a contract Alert that the Avro schema accepts', () => {
    const alert = buildAlert(WINDOW, psi('income', 0.31), 'CRITICAL', 0.25);
    expect(alert).toEqual({
      alertId: alertId(fingerprint('credit-risk', '3.2.0', 'psi', 'income'), T0),
      fingerprint: fingerprint('credit-risk', '3.2.0', 'psi', 'income'),
      status: 'FIRING',
      severity: 'CRITICAL',
      kind: 'DRIFT',
      modelId: 'credit-risk',
      modelVersion: '3.2.0',
      detector: 'psi',
      feature: 'income',
      score: 0.31,
      threshold: 0.25,
      windowStart: T0,
      windowEnd: T0 + 60_000,
      startsAt: T0,
      evidence: { bins: '10', sampleSize: '1000' },
      source: { topic: 'vigil.inference', partition: 3, firstOffset: 1200, lastOffset: 2199 },
      configHash: 'a'.repeat(64),
      referenceId: 'b'.repeat(64),
    });
    expect(avroType('Alert').isValid(alert)).toBe(true);
  });

  it('gives identical alerts, ids included, for identical input in any order', () => {
    const scores = [psi('income', 0.3), psi('age', 0.12), psi('tenure', 0.01), psi(null, 0.26)];
    const first = windowAlerts(WINDOW, scores, () => thresholds);
    const second = windowAlerts({ ...WINDOW }, [...scores].reverse(), () => thresholds);
    expect(second).toEqual(first);
    expect(first.alerts.map((a) => [a.feature, a.severity])).toEqual([
      [null, 'CRITICAL'],
      ['age', 'WARNING'],
      ['income', 'CRITICAL'],
    ]);
    expect(first.critical).toBe(true);
    expect(first.criticalAlertIds).toEqual([first.alerts[0]?.alertId, first.alerts[2]?.alertId]);
  });

  it('raises nothing for scores under the thresholds or for detectors without thresholds', () => {
    const result = windowAlerts(WINDOW, [psi('income', 0.05), { ...psi('x', 9), detector: 'unknown' }], (d) => (d === 'psi' ? thresholds : null));
    expect(result).toEqual({ alerts: [], critical: false, criticalAlertIds: [] });
  });

  it('converts int64 offset strings to the longs of the contract, refusing unsafe ones', () => {
    expect(evidenceSource({ topic: 't', partition: 0, firstOffset: '0', lastOffset: '9007199254740991' }).lastOffset).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => evidenceSource({ topic: 't', partition: 0, firstOffset: '0', lastOffset: '9007199254740993' })).toThrow(/not a safe integer/);
  });
});
