import { describe, it, expect } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { ModelOverrides, effectiveConfig, lastApprovedVersion, parseModelOverride } from '../../../src/config/models.js';
import { VigilError } from '../../../src/errors.js';

const { config } = parseConfigText(
  `
engine: { windows: { count: 500, timeMs: 30000 }, reference: { events: 800, file: ref.jsonl } }
detectors: { psi: { bins: 12, warning: 0.1, critical: 0.3 } }
policy: { lastApproved: { credit-risk: 3.1.0 } }
models:
  credit-risk:
    detectors: { psi: { bins: 8 } }
    windows: { count: 200 }
`,
  'vigil.yaml',
);

function failure(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('effectiveConfig', () => {
  it('gives the file defaults to a model without overrides', () => {
    const settings = effectiveConfig(config, 'fraud');
    expect(settings.modelId).toBe('fraud');
    expect(settings.detectors.psi).toEqual({ enabled: true, bins: 12, warning: 0.1, critical: 0.3 });
    expect(settings.windows).toEqual({ count: 500, timeMs: 30_000 });
    expect(settings.reference).toEqual({ events: 800, file: 'ref.jsonl' });
    expect(settings.rollback).toEqual({ consecutiveCriticalWindows: 3, enabled: true });
    expect(settings.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(settings.detectors.psi)).toBe(true);
  });

  it('lays defaults, then models[id], then the live override', () => {
    const fromFile = effectiveConfig(config, 'credit-risk');
    expect(fromFile.detectors.psi.bins).toBe(8);
    expect(fromFile.windows).toEqual({ count: 200, timeMs: 30_000 });
    const live = effectiveConfig(config, 'credit-risk', parseModelOverride('{"windows":{"timeMs":1000},"detectors":{"psi":{"critical":0.5}}}', 'test'));
    expect(live.windows).toEqual({ count: 200, timeMs: 1000 });
    expect(live.detectors.psi).toEqual({ enabled: true, bins: 8, warning: 0.1, critical: 0.5 });
    expect(live.configHash).not.toBe(fromFile.configHash);
    // The same settings reached another way hash the same.
    const same = effectiveConfig(config, 'credit-risk', parseModelOverride('{"detectors":{"psi":{"critical":0.5}},"windows":{"timeMs":1000}}', 'test'));
    expect(same.configHash).toBe(live.configHash);
  });

  it('does not let a model id reach the object prototype', () => {
    expect(effectiveConfig(config, 'constructor').windows.count).toBe(500);
    expect(lastApprovedVersion(config, 'toString')).toBeNull();
  });

  it('rejects an override whose merge breaks a rule', () => {
    const error = failure(() => effectiveConfig(config, 'fraud', { detectors: { psi: { warning: 0.4 } } }));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toContain('detectors.psi.warning must be a number <= detectors.psi.critical (0.3) (got 0.4)');
  });

  it('knows the last approved version from the configuration', () => {
    expect(lastApprovedVersion(config, 'credit-risk')).toBe('3.1.0');
    expect(lastApprovedVersion(config, 'fraud')).toBeNull();
  });
});

describe('parseModelOverride', () => {
  it.each([
    ['not JSON', '{"windows":', '(root) must be a JSON document'],
    ['not an object', '[1]', '(root) must be a mapping'],
    ['an unknown key', '{"windows":{"count":5,"size":3}}', 'windows.size is not a known key (allowed here: count, timeMs)'],
    ['a policy section', '{"policy":{}}', 'policy is not a known key (allowed here: detectors, windows, reference, alerting)'],
    ['a wrong type', '{"detectors":{"psi":{"bins":"many"}}}', 'detectors.psi.bins must be integer >= 2 and <= 1000 (got "many")'],
    ['a reference file path', '{"reference":{"file":"/etc/passwd"}}', 'reference.file is not a known key (allowed here: events)'],
  ])('rejects %s with the key path', (_what, json, message) => {
    const error = failure(() => parseModelOverride(json, 'vigil.config[credit-risk]'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toContain('vigil.config[credit-risk]');
    expect(error.message).toContain(message);
  });
});

describe('ModelOverrides: live overrides from vigil.config', () => {
  it('applies a good override, then keeps it in force when a bad one arrives', () => {
    const overrides = new ModelOverrides(config);
    const before = overrides.settings('credit-risk');
    const good = overrides.apply('credit-risk', '{"windows":{"count":50}}');
    expect(good.ok).toBe(true);
    expect(good.settings.windows.count).toBe(50);
    expect(overrides.settings('credit-risk').configHash).toBe(good.settings.configHash);
    expect(good.settings.configHash).not.toBe(before.configHash);

    const bad = overrides.apply('credit-risk', '{"windows":{"count":0}}', 'vigil.config credit-risk@42');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(bad.error.message).toContain('vigil.config credit-risk@42');
    expect(bad.error.message).toContain('windows.count must be integer >= 1');
    expect(bad.error.message).toContain('the previous settings stay in force');
    expect(bad.settings).toBe(good.settings);
    expect(overrides.settings('credit-risk').windows.count).toBe(50);
    expect(overrides.override('credit-risk')).toEqual({ windows: { count: 50 } });

    const rule = overrides.apply('credit-risk', '{"detectors":{"psi":{"critical":0.01}}}');
    expect(rule.ok).toBe(false);
    expect(overrides.settings('credit-risk').windows.count).toBe(50);
  });

  it('removes the override on a tombstone', () => {
    const overrides = new ModelOverrides(config);
    overrides.apply('credit-risk', '{"windows":{"count":50}}');
    const cleared = overrides.apply('credit-risk', null);
    expect(cleared.ok).toBe(true);
    expect(cleared.settings.windows.count).toBe(200);
    expect(overrides.override('credit-risk')).toBeUndefined();
  });

  it('keeps models independent', () => {
    const overrides = new ModelOverrides(config);
    overrides.apply('a', '{"windows":{"count":7}}');
    expect(overrides.settings('a').windows.count).toBe(7);
    expect(overrides.settings('b').windows.count).toBe(500);
  });
});
