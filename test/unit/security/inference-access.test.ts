import { describe, expect, it } from 'vitest';
import { InferenceAccessCounter, checkInferenceAccess, type InferencePolicy } from '../../../src/security/inference-access.js';
import { buildConfig } from '../../../src/config/index.js';

const policy: InferencePolicy = {
  enabled: true,
  rules: [
    { principals: ['svc-loans-*'], models: ['credit-risk'], endpoints: ['/v1/score', '/v1/explain'] },
    { principals: ['svc-fraud'], models: ['fraud-*'] },
    { principals: ['batch-*'], models: ['*'], endpoints: ['*'] },
  ],
};

describe('checkInferenceAccess', () => {
  it.each([
    ['svc-loans-eu', 'credit-risk', '/v1/score', true, 0],
    ['svc-loans-eu', 'credit-risk', '/v1/admin', false, null],
    ['svc-loans-eu', 'credit-risk', null, false, null],
    ['svc-loans-eu', 'fraud-v2', '/v1/score', false, null],
    ['svc-fraud', 'fraud-v2', '/anything', true, 1],
    ['svc-fraud', 'fraud-v2', null, true, 1],
    ['svc-fraudster', 'fraud-v2', null, false, null],
    ['batch-nightly', 'credit-risk', null, true, 2],
    ['', 'credit-risk', '/v1/score', false, null],
  ] as const)('%s calling %s on %s: allowed %s', (principal, model, endpoint, allowed, rule) => {
    const decision = checkInferenceAccess(policy, principal, model, endpoint);
    expect(decision.allowed).toBe(allowed);
    if (decision.allowed) expect(decision.rule).toBe(rule);
    else expect(decision.reason).toContain(JSON.stringify(principal));
  });

  it('allows everything while disabled (the default), and denies everything when enabled without rules', () => {
    const defaults = buildConfig({}, 'test').config.access.inference;
    expect(checkInferenceAccess(defaults, 'anyone', 'm', null)).toEqual({ allowed: true, rule: null });
    expect(checkInferenceAccess({ enabled: true, rules: [] }, 'anyone', 'm', null).allowed).toBe(false);
  });

  it('is validated in the configuration: unknown keys and empty globs are rejected with the key path', () => {
    expect(() => buildConfig({ access: { inference: { enabled: true, rules: [{ principals: ['a'], models: ['m'], endpoint: ['x'] }] } } }, 'vigil.yaml')).toThrow(
      /access\.inference\.rules\.0\.endpoint is not a known key/,
    );
    expect(() => buildConfig({ access: { inference: { rules: [{ principals: [], models: ['m'] }] } } }, 'vigil.yaml')).toThrow(/access\.inference\.rules\.0\.principals/);
  });
});

describe('the access counter', () => {
  it('counts denials per model with a bounded set of principals and model keys, and resets on take', () => {
    const counter = new InferenceAccessCounter({ maxModels: 2, maxPrincipalsPerModel: 2 });
    counter.deny('m1', 'a');
    counter.deny('m1', 'b');
    counter.deny('m1', 'c');
    counter.deny('m1', 'a');
    counter.deny('m2', 'x');
    counter.deny('m3', 'y');
    expect(counter.take('m1')).toEqual({ denied: 4, principals: { a: 2, b: 1 } });
    expect(counter.peek('m1')).toBe(0);
    expect(counter.peek('_other')).toBe(1);
  });
});

describe('the ACCESS alert', () => {
  const window = {
    modelId: 'credit-risk', modelVersion: '1.1.0', windowStart: 1000, windowEnd: 2000,
    source: { topic: 'vigil.inference', partition: 0, firstOffset: '10', lastOffset: '20' }, configHash: 'c', referenceId: 'r',
  };
  it('is one CRITICAL alert of kind ACCESS per window with violations, with the principals in its evidence and a replayable id', async () => {
    const { accessAlert } = await import('../../../src/security/inference-access.js');
    const counter = new InferenceAccessCounter();
    counter.deny('credit-risk', 'intruder');
    counter.deny('credit-risk', 'intruder');
    const alert = accessAlert(window, counter.take('credit-risk'));
    expect(alert).toMatchObject({ kind: 'ACCESS', severity: 'CRITICAL', status: 'FIRING', detector: 'access-policy', score: 2, threshold: 1, evidence: { denied: '2', 'principal:intruder': '2' } });
    expect(accessAlert(window, { denied: 2, principals: { intruder: 2 } })?.alertId).toBe(alert?.alertId);
    expect(accessAlert(window, counter.take('credit-risk'))).toBeNull();
  });
});
