import { describe, expect, it } from 'vitest';
import { buildConfig, effectiveConfig, ModelOverrides, parseModelOverride } from '../../../../src/config/index.js';
import { VigilError } from '../../../../src/errors.js';

function failure(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('alerting and response configuration', () => {
  it('defaults to one alert per crossing score and window, and a ROLLBACK rule from policy.rollback', () => {
    const { config } = buildConfig({ policy: { rollback: { consecutiveCriticalWindows: 4 } } }, 'test');
    const settings = effectiveConfig(config, 'credit-risk');
    expect(settings.alerting).toEqual({
      hysteresis: { fireAfter: 1, of: 1, resolveAfter: 1 },
      grouping: { waitMs: 0, intervalMs: 0, repeatMs: 0 },
      rateLimit: { maxAlerts: 0, perMs: 3_600_000 },
      inhibition: { enabled: false },
      silences: [],
    });
    expect(settings.response).toEqual({ rules: [{ action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: 4, kinds: [], approval: 'auto' }], fallbackModel: null });
    const off = buildConfig({ policy: { rollback: { enabled: false } } }, 'test').config;
    expect(effectiveConfig(off, 'credit-risk').response.rules).toEqual([]);
  });

  it('layers global, per-model and live alerting settings; silences of every layer apply', () => {
    const { config } = buildConfig(
      {
        alerting: {
          hysteresis: { fireAfter: 2, of: 3 },
          silences: [{ id: 'g', matchers: [{ label: 'feature', op: '=', value: 'x' }], endsAt: '2026-12-01T00:00:00Z' }],
        },
        response: { fallbackModel: 'rules-v1' },
        models: {
          'credit-risk': {
            alerting: { grouping: { repeatMs: 600_000 }, silences: [{ id: 'm', matchers: [{ label: 'severity', op: '=', value: 'WARNING' }], startsAt: 5, endsAt: 10 }] },
            response: { rules: [{ action: 'SHUTDOWN', consecutiveWindows: 6, approval: 'required' }] },
          },
        },
      },
      'vigil.yaml',
    );
    const live = parseModelOverride('{"alerting":{"inhibition":{"enabled":true},"hysteresis":{"resolveAfter":3}}}', 'vigil.config[credit-risk]');
    const settings = effectiveConfig(config, 'credit-risk', live);
    expect(settings.alerting.hysteresis).toEqual({ fireAfter: 2, of: 3, resolveAfter: 3 });
    expect(settings.alerting.grouping.repeatMs).toBe(600_000);
    expect(settings.alerting.inhibition.enabled).toBe(true);
    expect(settings.alerting.silences.map((s) => [s.id, s.startsAt, s.endsAt])).toEqual([
      ['g', 0, Date.UTC(2026, 11, 1)],
      ['m', 5, 10],
    ]);
    expect(settings.response).toEqual({ rules: [{ action: 'SHUTDOWN', severity: 'CRITICAL', consecutiveWindows: 6, kinds: [], approval: 'required' }], fallbackModel: 'rules-v1' });
    // Another model keeps the global settings and no per-model silence.
    expect(effectiveConfig(config, 'other').alerting.silences.map((s) => s.id)).toEqual(['g']);
    // The settings are part of the hash alerts carry.
    expect(effectiveConfig(config, 'credit-risk').configHash).not.toBe(settings.configHash);
  });

  it.each([
    ['an unknown key', { alerting: { hysteresis: { k: 2 } } }, 'alerting.hysteresis.k is not a known key (allowed here: fireAfter, of, resolveAfter)'],
    ['a window count over 32', { alerting: { hysteresis: { of: 33 } } }, 'alerting.hysteresis.of must be integer >= 1 and <= 32 (got 33)'],
    ['fireAfter above of', { alerting: { hysteresis: { fireAfter: 4, of: 3 } } }, 'alerting.hysteresis.fireAfter must be <= alerting.hysteresis.of (3) (got 4)'],
    ['a bad operator', { alerting: { silences: [{ id: 's', matchers: [{ label: 'feature', op: '==', value: 'x' }], endsAt: 10 }] } }, 'alerting.silences.0.matchers.0.op must be one of "=", "!=", "=~", "!~" (got "==")'],
    ['a silence without an end', { alerting: { silences: [{ id: 's', matchers: [{ label: 'feature', op: '=', value: 'x' }] }] } }, 'alerting.silences.0.endsAt is required here'],
    ['an end that is no date', { alerting: { silences: [{ id: 's', matchers: [{ label: 'feature', op: '=', value: 'x' }], endsAt: 'next tuesday' }] } }, 'alerting.silences.0.endsAt must be milliseconds since the epoch or an ISO 8601 date-time'],
    ['an end before the start', { alerting: { silences: [{ id: 's', matchers: [{ label: 'feature', op: '=', value: 'x' }], startsAt: 50, endsAt: 40 }] } }, 'alerting.silences.0.endsAt must be after startsAt'],
    ['a catastrophic pattern', { models: { m: { alerting: { silences: [{ id: 's', matchers: [{ label: 'feature', op: '=~', value: '(a+)+' }], endsAt: 40 }] } } } }, 'models.m.alerting.silences.0.matchers.0.value must be a usable regular expression'],
    ['an unknown action', { response: { rules: [{ action: 'PANIC', consecutiveWindows: 1 }] } }, 'response.rules.0.action must be one of "ROLLBACK", "FALLBACK", "SHUTDOWN" (got "PANIC")'],
    ['a rule without consecutiveWindows', { response: { rules: [{ action: 'SHUTDOWN' }] } }, 'response.rules.0.consecutiveWindows is required here'],
  ])('rejects %s, naming the key', (_what, document, message) => {
    const error = failure(() => buildConfig(document, 'vigil.yaml'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toContain('vigil.yaml');
    expect(error.message).toContain(message);
  });

  it('refuses a response block in a live override: a topic record must not turn on rollbacks or shutdowns', () => {
    const error = failure(() => parseModelOverride('{"response":{"rules":[{"action":"SHUTDOWN","consecutiveWindows":1}]}}', 'vigil.config[m]'));
    expect(error.message).toContain('response is not a known key (allowed here: detectors, windows, reference, alerting)');
  });

  it('rejects a live override with a bad silence and keeps the settings in force', () => {
    const overrides = new ModelOverrides(buildConfig({}, 'test').config);
    const result = overrides.apply('m', '{"alerting":{"silences":[{"id":"s","matchers":[{"label":"feature","op":"=~","value":"(x*)*y"}],"endsAt":99}]}}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/alerting\.silences\.0\.matchers\.0\.value must be a usable regular expression/);
    expect(result.settings.alerting.silences).toEqual([]);
  });
});
