import { describe, it, expect } from 'vitest';
import { avroType } from '../../../../src/contracts/schemas.js';
import type { WindowContext } from '../../../../src/pipeline/policy/alerts.js';
import {
  ROLLBACK_POLICY_ID,
  decodeRollbackState,
  encodeRollbackState,
  initialRollbackState,
  rollbackCommandId,
  stepRollback,
} from '../../../../src/pipeline/policy/rollback.js';
import type { RollbackState, RollbackStep } from '../../../../src/pipeline/policy/rollback.js';
import { VigilError } from '../../../../src/errors.js';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const MINUTE = 60_000;
const clock = (): number => T0 + 10 * MINUTE;
const SETTINGS = { consecutiveCriticalWindows: 3, enabled: true };

function window(i: number): WindowContext {
  return {
    modelId: 'credit-risk',
    modelVersion: '3.2.0',
    windowStart: T0 + i * MINUTE,
    windowEnd: T0 + (i + 1) * MINUTE,
    source: { topic: 'vigil.inference', partition: 0, firstOffset: String(i * 1000), lastOffset: String(i * 1000 + 999) },
    configHash: 'c'.repeat(64),
    referenceId: 'r'.repeat(64),
  };
}

/** Runs the policy over windows: `true` has a CRITICAL alert, `false` is clean. */
function run(pattern: readonly boolean[], options: { lastApproved?: string | null; enabled?: boolean; from?: RollbackState } = {}): { steps: RollbackStep[]; state: RollbackState } {
  let state = options.from ?? initialRollbackState('credit-risk', '3.2.0');
  const steps: RollbackStep[] = [];
  pattern.forEach((critical, i) => {
    const step = stepRollback(
      state,
      {
        window: window(i),
        criticalAlertIds: critical ? [`alert-${i}-a`, `alert-${i}-b`] : [],
        settings: { ...SETTINGS, enabled: options.enabled ?? true },
        lastApproved: options.lastApproved === undefined ? '3.1.0' : options.lastApproved,
      },
      clock,
    );
    steps.push(step);
    state = step.state;
  });
  return { steps, state };
}

const commandsOf = (steps: readonly RollbackStep[]) => steps.flatMap((s, i) => (s.command === null ? [] : [{ at: i, command: s.command }]));

describe('rollback policy', () => {
  it('issues exactly one command at K consecutive critical windows', () => {
    const { steps, state } = run([true, true, true, true, true, true]);
    const commands = commandsOf(steps);
    expect(commands).toHaveLength(1);
    expect(commands[0]?.at).toBe(2);
    const command = commands[0]!.command;
    expect(command).toEqual({
      commandId: rollbackCommandId('credit-risk', '3.2.0', T0 + 2 * MINUTE),
      modelId: 'credit-risk',
      fromVersion: '3.2.0',
      toVersion: '3.1.0',
      action: 'ROLLBACK',
      reason: expect.stringContaining('3 consecutive windows with a CRITICAL score') as unknown as string,
      alertIds: ['alert-0-a', 'alert-0-b', 'alert-1-a', 'alert-1-b', 'alert-2-a', 'alert-2-b'],
      issuedAt: clock(),
      issuedBy: ROLLBACK_POLICY_ID,
      approvalId: null,
    });
    expect(command.commandId).toMatch(/^[0-9a-f]{64}$/);
    expect(avroType('RollbackCommand').isValid(command)).toBe(true);
    expect(steps.every((s) => s.alerts.length === 0)).toBe(true);
    expect(state.consecutiveCritical).toBe(6);
    expect(state.tripped).toBe(true);
  });

  it('gives the same command id on a replay of the same windows', () => {
    expect(commandsOf(run([true, true, true]).steps)[0]?.command.commandId).toBe(commandsOf(run([true, true, true]).steps)[0]?.command.commandId);
  });

  it('resets on a clean window, before and after tripping', () => {
    expect(commandsOf(run([true, true, false, true, true]).steps)).toHaveLength(0);
    const again = commandsOf(run([true, true, true, false, true, true, true]).steps);
    expect(again.map((c) => c.at)).toEqual([2, 6]);
    expect(again[0]?.command.commandId).not.toBe(again[1]?.command.commandId);
    expect(again[1]?.command.alertIds).toEqual(['alert-4-a', 'alert-4-b', 'alert-5-a', 'alert-5-b', 'alert-6-a', 'alert-6-b']);
  });

  it('raises one GOVERNANCE alert instead of a command when no approved version is known', () => {
    const { steps } = run([true, true, true, true], { lastApproved: null });
    expect(commandsOf(steps)).toHaveLength(0);
    const alerts = steps.flatMap((s) => s.alerts);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({
      kind: 'GOVERNANCE',
      severity: 'CRITICAL',
      status: 'FIRING',
      detector: ROLLBACK_POLICY_ID,
      feature: null,
      score: 3,
      threshold: 3,
      windowStart: T0 + 2 * MINUTE,
      startsAt: T0,
    });
    expect(alert?.evidence['reason']).toBe('rollback not issued: no approved version of credit-risk is known to roll back to');
    expect(avroType('Alert').isValid(alert)).toBe(true);
  });

  it('raises the GOVERNANCE alert when the failing version is the approved one', () => {
    const { steps } = run([true, true, true], { lastApproved: '3.2.0' });
    expect(commandsOf(steps)).toHaveLength(0);
    expect(steps[2]?.alerts[0]?.evidence['reason']).toBe('rollback not issued: 3.2.0 is itself the last approved version of credit-risk');
  });

  it('issues nothing when disabled, and trips on the next critical window once enabled', () => {
    const disabled = run([true, true, true, true], { enabled: false });
    expect(commandsOf(disabled.steps)).toHaveLength(0);
    expect(disabled.steps.flatMap((s) => s.alerts)).toHaveLength(0);
    const enabled = run([true], { from: disabled.state });
    expect(commandsOf(enabled.steps)).toHaveLength(1);
  });

  it('keeps only the last K windows of alert ids', () => {
    const { state } = run([true, true, true, true, true], { lastApproved: null });
    expect(state.runAlertIds).toEqual([
      ['alert-2-a', 'alert-2-b'],
      ['alert-3-a', 'alert-3-b'],
      ['alert-4-a', 'alert-4-b'],
    ]);
  });

  it('refuses a window of another model version', () => {
    const state = initialRollbackState('credit-risk', '9.9.9');
    expect(() => stepRollback(state, { window: window(0), criticalAlertIds: ['a'], settings: SETTINGS, lastApproved: '1' }, clock)).toThrow(VigilError);
  });
});

describe('rollback state serialisation', () => {
  it('round-trips and continues identically (no second command after a restore)', () => {
    const { state } = run([true, true, true]);
    const bytes = encodeRollbackState(state);
    const restored = decodeRollbackState(bytes);
    expect(restored).toEqual(state);
    expect(Buffer.from(encodeRollbackState(restored)).equals(Buffer.from(bytes))).toBe(true);
    expect(commandsOf(run([true], { from: restored }).steps)).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{'],
    ['another format', '{"format":"x","version":1}'],
    ['a negative count', '{"format":"vigil.rollback-state","version":1,"modelId":"m","modelVersion":"v","consecutiveCritical":-1,"runStart":null,"runAlertIds":[],"tripped":false}'],
    ['an inconsistent run start', '{"format":"vigil.rollback-state","version":1,"modelId":"m","modelVersion":"v","consecutiveCritical":2,"runStart":null,"runAlertIds":[],"tripped":false}'],
    ['ill-typed alert ids', '{"format":"vigil.rollback-state","version":1,"modelId":"m","modelVersion":"v","consecutiveCritical":0,"runStart":null,"runAlertIds":[[1]],"tripped":false}'],
  ])('rejects %s', (_what, text) => {
    expect(() => decodeRollbackState(Buffer.from(text, 'utf8'))).toThrow(/rollback state is corrupt/);
  });
});
