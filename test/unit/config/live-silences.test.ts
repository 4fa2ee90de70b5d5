import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { ModelOverrides } from '../../../src/config/models.js';

const { config } = parseConfigText('{}', 'vigil.yaml');
const record = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'silence', silenceId: 's1', modelId: 'credit', matchers: { detector: 'psi', severity: 'WARNING' }, startsAt: 1000, endsAt: 5000, comment: 'deploy', createdBy: 'ops', ...overrides });

describe('silences from vigil.config', () => {
  it('joins the model settings with a modelId matcher, and leaves the configuration hash alone', () => {
    const overrides = new ModelOverrides(config);
    const before = overrides.settings('credit');
    expect(overrides.applySilence('silence:s1', record())).toBeNull();
    const after = overrides.settings('credit');
    expect(after.configHash).toBe(before.configHash);
    expect(after.alerting.silences).toEqual([
      ...before.alerting.silences,
      { id: 's1', matchers: [{ label: 'modelId', op: '=', value: 'credit' }, { label: 'detector', op: '=', value: 'psi' }, { label: 'severity', op: '=', value: 'WARNING' }], startsAt: 1000, endsAt: 5000, comment: 'deploy', createdBy: 'ops' },
    ]);
    expect(overrides.settings('other').alerting.silences).toEqual(before.alerting.silences);
  });

  it('ends at the expiry when expired early, and goes away on a tombstone', () => {
    const overrides = new ModelOverrides(config);
    overrides.applySilence('silence:s1', record({ expiredAt: 2500 }));
    expect(overrides.settings('credit').alerting.silences.at(-1)?.endsAt).toBe(2500);
    overrides.applySilence('silence:s1', null);
    expect(overrides.settings('credit').alerting.silences.some((s) => s.id === 's1')).toBe(false);
  });

  it('refuses malformed records, saying why', () => {
    const overrides = new ModelOverrides(config);
    expect(overrides.applySilence('silence:x', '{nope')).toBe('not JSON');
    expect(overrides.applySilence('silence:x', record({ modelId: '' }))).toMatch(/modelId/);
    expect(overrides.applySilence('silence:x', record({ endsAt: 'soon' }))).toMatch(/endsAt/);
    expect(overrides.applySilence('silence:x', record({ matchers: { principal: 'x' } }))).toMatch(/matcher "principal"/);
    expect(overrides.settings('credit').alerting.silences.some((s) => s.id === 'x')).toBe(false);
  });
});
