import { describe, expect, it } from 'vitest';
import type { ResponseRule, ResponseSettings } from '../../../../src/config/types.js';
import { avroType } from '../../../../src/contracts/schemas.js';
import { canonicalJson } from '../../../../src/config/canonical.js';
import { alertId, fingerprint } from '../../../../src/pipeline/policy/fingerprint.js';
import { responseCommandId } from '../../../../src/pipeline/policy/response.js';
import { alerting, MINUTE, runScenario, T0, type WindowScores } from './scenario.js';

const rule = (patch: Partial<ResponseRule> = {}): ResponseRule => ({ action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: 3, kinds: [], approval: 'auto', ...patch });
const response = (rules: ResponseRule[], fallbackModel: string | null = null): ResponseSettings => ({ rules, fallbackModel });
const critical = (n: number): WindowScores[] => Array.from({ length: n }, () => ({ a: 0.3 }));
const clean: WindowScores = { a: 0 };

describe('response policy', () => {
  it('rolls back to the last approved version after K windows with a CRITICAL alert firing, once', () => {
    const { lines, commands } = runScenario(critical(6), { response: response([rule()]) });
    expect(lines.filter((l) => l.includes('COMMAND'))).toEqual(['w2 COMMAND ROLLBACK']);
    const fp = fingerprint('credit-risk', '3.2.0', 'psi', 'a');
    const cause = canonicalJson(['ROLLBACK', 'credit-risk', '3.2.0', '3.1.0']);
    expect(commands[0]).toEqual({
      commandId: responseCommandId(cause),
      modelId: 'credit-risk',
      fromVersion: '3.2.0',
      toVersion: '3.1.0',
      action: 'ROLLBACK',
      reason: expect.stringContaining('rolling back to the last approved version 3.1.0') as string,
      alertIds: [0, 1, 2].map((i) => alertId(fp, T0 + i * MINUTE)),
      issuedAt: T0 + 3 * MINUTE,
      issuedBy: 'policy:rollback',
      approvalId: null,
    });
    expect(avroType('RollbackCommand').isValid(commands[0])).toBe(true);
  });

  it('never issues a second command for the same cause, even after the condition clears and returns', () => {
    const windows = [...critical(3), clean, ...critical(5)];
    const { commands } = runScenario(windows, { response: response([rule()]) });
    expect(commands).toHaveLength(1);
    // Nor after a restart from the changelog in between.
    const persisted = runScenario(windows, { response: response([rule()]), persistAfter: new Set([2, 3, 4]) });
    expect(persisted.commands).toEqual(commands);
  });

  it('counts windows in a row: a clean window resets the count', () => {
    expect(runScenario([...critical(2), clean, ...critical(2), clean], { response: response([rule()]) }).commands).toEqual([]);
  });

  it('raises one GOVERNANCE alert instead when there is no approved version, or the failing one is it', () => {
    for (const lastApproved of [null, '3.2.0']) {
      const { lines, alerts, commands } = runScenario(critical(6), { response: response([rule()]), lastApproved });
      expect(commands).toEqual([]);
      expect(lines.filter((l) => l.includes('policy:'))).toEqual(['w2 FIRING CRITICAL policy:rollback']);
      const governance = alerts.find((a) => a.kind === 'GOVERNANCE')!;
      expect(governance.evidence['reason']).toMatch(lastApproved === null ? /no approved version/ : /itself the last approved version/);
    }
  });

  it('asks for an approval (a GOVERNANCE alert naming the command) when the rule requires one', () => {
    const { alerts, commands } = runScenario(critical(8), { response: response([rule({ approval: 'required' })]) });
    expect(commands).toEqual([]);
    const asks = alerts.filter((a) => a.kind === 'GOVERNANCE');
    expect(asks).toHaveLength(1);
    expect(asks[0]!.evidence).toMatchObject({ action: 'ROLLBACK', toVersion: '3.1.0', commandId: responseCommandId(canonicalJson(['ROLLBACK', 'credit-risk', '3.2.0', '3.1.0'])) });
    expect(asks[0]!.evidence['reason']).toMatch(/needs an approval/);
  });

  it('falls back to the configured fallback model, and says so when none is configured', () => {
    const withFallback = runScenario(critical(2), { response: response([rule({ action: 'FALLBACK', consecutiveWindows: 1 })], 'credit-rules@1') });
    expect(withFallback.commands.map((c) => [c.action, c.toVersion, c.issuedBy])).toEqual([['FALLBACK', 'credit-rules@1', 'policy:fallback']]);
    const without = runScenario(critical(2), { response: response([rule({ action: 'FALLBACK', consecutiveWindows: 1 })]) });
    expect(without.commands).toEqual([]);
    expect(without.lines).toContain('w0 FIRING CRITICAL policy:fallback');
  });

  it('shuts down with an empty target, and applies several rules in order', () => {
    const rules = [rule({ action: 'FALLBACK', consecutiveWindows: 1 }), rule({ action: 'ROLLBACK', consecutiveWindows: 3 }), rule({ action: 'SHUTDOWN', consecutiveWindows: 5 })];
    const { lines, commands } = runScenario(critical(6), { response: response(rules, 'rules-v1') });
    expect(lines.filter((l) => l.includes('COMMAND'))).toEqual(['w0 COMMAND FALLBACK', 'w2 COMMAND ROLLBACK', 'w4 COMMAND SHUTDOWN']);
    expect(commands[2]).toMatchObject({ action: 'SHUTDOWN', toVersion: '', issuedBy: 'policy:shutdown' });
    expect(new Set(commands.map((c) => c.commandId)).size).toBe(3);
  });

  it('counts by severity and kind: a WARNING rule trips on warnings, an ANOMALY rule not on drift', () => {
    const warnings = Array.from({ length: 3 }, () => ({ a: 0.15 }));
    expect(runScenario(warnings, { response: response([rule()]) }).commands).toEqual([]);
    expect(runScenario(warnings, { response: response([rule({ severity: 'WARNING' })]) }).commands).toHaveLength(1);
    expect(runScenario(critical(5), { response: response([rule({ kinds: ['ANOMALY'] })]) }).commands).toEqual([]);
    expect(runScenario(critical(5), { response: response([rule({ kinds: ['DRIFT'] })]) }).commands).toHaveLength(1);
  });

  it('acts on alerts after hysteresis, and not on silenced ones', () => {
    const settings = alerting({ hysteresis: { fireAfter: 2, of: 2, resolveAfter: 1 } });
    // Firing from w1 on: the third firing window is w3.
    expect(runScenario(critical(5), { settings, response: response([rule()]) }).lines.filter((l) => l.includes('COMMAND'))).toEqual(['w3 COMMAND ROLLBACK']);
    const silenced = alerting({ silences: [{ id: 'all', matchers: [{ label: 'modelId', op: '=', value: 'credit-risk' }], startsAt: 0, endsAt: T0 + 60 * MINUTE, comment: '', createdBy: 'config' }] });
    const quiet = runScenario(critical(5), { settings: silenced, response: response([rule()]) });
    expect(quiet.commands).toEqual([]);
    expect(quiet.alerts).toEqual([]);
  });
});
