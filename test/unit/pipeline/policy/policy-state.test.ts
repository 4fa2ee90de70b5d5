import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../../src/errors.js';
import { decodePolicyState, encodePolicyState, initialPolicyState } from '../../../../src/pipeline/policy/policy-state.js';
import { alerting, runScenario } from './scenario.js';

const { state } = runScenario(
  [{ a: 0.3, b: 0.15 }, { a: 0.3, b: 0 }, { a: 0.3 }],
  { settings: alerting({ hysteresis: { fireAfter: 1, of: 3, resolveAfter: 2 } }), response: { rules: [{ action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: 2, kinds: [], approval: 'auto' }], fallbackModel: null } },
);

function corrupt(mutate: (o: Record<string, unknown>) => void): VigilError {
  const o = JSON.parse(Buffer.from(encodePolicyState(state)).toString('utf8')) as Record<string, unknown>;
  mutate(o);
  try {
    decodePolicyState(Buffer.from(JSON.stringify(o)), 'credit-risk', '3.2.0');
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('decoded a corrupt state');
}

describe('policy state changelog bytes', () => {
  it('round-trips a state with tracks, groups and causes', () => {
    expect(state.alerting.tracks.length).toBeGreaterThan(0);
    expect(state.response.causes.length).toBe(1);
    expect(decodePolicyState(encodePolicyState(state), 'credit-risk', '3.2.0')).toEqual(state);
  });

  it('reads the format written before alert semantics (the rollback counter) as a fresh state', () => {
    const legacy = Buffer.from(JSON.stringify({ format: 'vigil.rollback-state', version: 1, modelId: 'credit-risk', modelVersion: '3.2.0', consecutiveCritical: 2, runStart: 5, runAlertIds: [], tripped: false }));
    expect(decodePolicyState(legacy, 'credit-risk', '3.2.0')).toEqual(initialPolicyState('credit-risk', '3.2.0'));
  });

  it.each([
    ['not JSON', null, /not JSON/],
    ['another format', (o: Record<string, unknown>) => void (o['format'] = 'x'), /unknown format x/],
    ['another model', (o: Record<string, unknown>) => void ((o['alerting'] as Record<string, unknown>)['modelId'] = 'other'), /belongs to other@3.2.0/],
    ['a track without history', (o: Record<string, unknown>) => void delete ((o['alerting'] as { tracks: Record<string, unknown>[] }).tracks[0]!['history']), /tracks\[0\]\.history must be an integer/],
    ['a bad severity', (o: Record<string, unknown>) => void ((o['alerting'] as { tracks: Record<string, unknown>[] }).tracks[0]!['severity'] = 'LOUD'), /severity must be a severity/],
    ['a non-string evidence value', (o: Record<string, unknown>) => void ((o['alerting'] as { tracks: { evidence: Record<string, unknown> }[] }).tracks[0]!.evidence['x'] = 1), /evidence\.x must be a string/],
    ['a score that is not a number', (o: Record<string, unknown>) => void ((o['alerting'] as { tracks: Record<string, unknown>[] }).tracks[0]!['score'] = '0.3'), /score must be a finite number/],
    ['an oversized list', (o: Record<string, unknown>) => void ((o['response'] as Record<string, unknown>)['rules'] = new Array(21).fill({})), /rules must be a list of at most 20/],
    ['a catastrophic silence', (o: Record<string, unknown>) => void ((o['alerting'] as Record<string, unknown>)['silences'] = [{ id: 's', matchers: [{ label: 'feature', op: '=~', value: '(a+)+' }], startsAt: 0, endsAt: 10, comment: '', createdBy: 'x' }]), /exponential/],
  ])('refuses %s with a message naming the problem', (_what, mutate, message) => {
    const error =
      mutate === null
        ? (() => {
            try {
              decodePolicyState(Buffer.from('{not json'), 'credit-risk', '3.2.0');
            } catch (e) {
              return e as VigilError;
            }
            throw new Error('decoded');
          })()
        : corrupt(mutate);
    expect(error.code).toBe('VIGIL_INPUT_INVALID');
    expect(error.message).toMatch(/policy state of credit-risk@3.2.0 is corrupt/);
    expect(error.message).toMatch(message);
  });
});
