/** The `detectors` block: any registered detector by id, its thresholds and its own parameters. */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { effectiveConfig, enabledDetectors, thresholdsOf } from '../../../src/config/models.js';
import { VigilError } from '../../../src/errors.js';
import { thresholdsFor } from '../../../src/pipeline/policy/thresholds.js';

function failure(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

describe('detectors configuration', () => {
  it('psi alone is enabled by default', () => {
    const { config } = parseConfigText('{}', 'vigil.yaml');
    expect(enabledDetectors(effectiveConfig(config, 'm').detectors)).toEqual({ window: ['psi'], event: [] });
  });

  it('names a detector that is not registered, listing the registered ones', () => {
    const error = failure(() => parseConfigText('detectors: { no-such: { enabled: true } }', 'vigil.yaml'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toMatch(/detectors\.no-such is not a registered detector \(registered: psi/);
  });

  it('rejects a bad id, an unknown key and a non-numeric threshold, naming each', () => {
    expect(failure(() => parseConfigText('detectors: { Bad_Id: { enabled: true } }', 'vigil.yaml')).message).toMatch(/Bad_Id/);
    expect(failure(() => parseConfigText('detectors: { psi: { colour: 1 } }', 'vigil.yaml')).message).toMatch(/detectors\.psi\.colour is not a known key/);
    expect(failure(() => parseConfigText('detectors: { psi: { warning: high } }', 'vigil.yaml')).message).toMatch(/detectors\.psi\.warning must be number/);
  });

  it("checks a detector's parameters with its own parser", () => {
    const error = failure(() => parseConfigText('detectors: { psi: { params: { nonsense: 3 } } }', 'vigil.yaml'));
    expect(error.message).toMatch(/detectors\.psi\.params is invalid: .*nonsense/);
  });

  it('thresholds come from the settings, else never cross', () => {
    expect(thresholdsOf('psi', { enabled: true, warning: 0.2, critical: 0.4 })).toEqual({ warning: 0.2, critical: 0.4 });
    expect(thresholdsOf('psi', { enabled: true })).toEqual({ warning: Number.POSITIVE_INFINITY, critical: Number.POSITIVE_INFINITY });
    const { config } = parseConfigText('detectors: { psi: { enabled: false } }', 'vigil.yaml');
    expect(thresholdsFor(effectiveConfig(config, 'm').detectors, 'psi')).toBeNull();
    expect(thresholdsFor(effectiveConfig(config, 'm').detectors, 'toString')).toBeNull();
  });
});
