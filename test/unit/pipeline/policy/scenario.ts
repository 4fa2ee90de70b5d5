/**
 * Seeded scenarios for the alert policy: a sequence of windows, each a list of PSI scores per
 * feature, run through `stepAlertPolicy` (and the response policy), rendered as one line per record:
 * `w<window> <STATUS> <SEVERITY> <feature>` and `w<window> COMMAND <action>`.
 */
import { CONFIG_DEFAULTS } from '../../../../src/config/defaults.js';
import type { AlertingSettings, ResponseSettings } from '../../../../src/config/types.js';
import type { Alert, RollbackCommand } from '../../../../src/contracts/records.js';
import { initialAlertPolicyState, stepAlertPolicy, type AlertPolicyState } from '../../../../src/pipeline/policy/alert-policy.js';
import type { WindowContext } from '../../../../src/pipeline/policy/alerts.js';
import { decodePolicyState, encodePolicyState } from '../../../../src/pipeline/policy/policy-state.js';
import { INITIAL_RESPONSE_STATE, stepResponse, type ResponseState } from '../../../../src/pipeline/policy/response.js';

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
export const MINUTE = 60_000;

export function windowAt(i: number, modelId = 'credit-risk', modelVersion = '3.2.0'): WindowContext {
  return {
    modelId,
    modelVersion,
    windowStart: T0 + i * MINUTE,
    windowEnd: T0 + (i + 1) * MINUTE,
    source: { topic: 'vigil.inference', partition: 0, firstOffset: String(i * 100), lastOffset: String(i * 100 + 99) },
    configHash: 'c'.repeat(64),
    referenceId: 'r'.repeat(64),
  };
}

export const DEFAULT_ALERTING: AlertingSettings = { ...CONFIG_DEFAULTS.alerting, silences: [] };

export function alerting(patch: Partial<{ [K in keyof AlertingSettings]: Partial<AlertingSettings[K]> }> = {}): AlertingSettings {
  return {
    hysteresis: { ...DEFAULT_ALERTING.hysteresis, ...patch.hysteresis },
    grouping: { ...DEFAULT_ALERTING.grouping, ...patch.grouping },
    rateLimit: { ...DEFAULT_ALERTING.rateLimit, ...patch.rateLimit },
    inhibition: { ...DEFAULT_ALERTING.inhibition, ...patch.inhibition },
    silences: (patch.silences as AlertingSettings['silences'] | undefined) ?? [],
  };
}

/** Scores of one window: feature → PSI (thresholds 0.1 WARNING, 0.25 CRITICAL). */
export type WindowScores = Readonly<Record<string, number>>;

export interface ScenarioOptions {
  readonly settings?: AlertingSettings;
  readonly response?: ResponseSettings;
  readonly lastApproved?: string | null;
  /** Round-trip the state through its changelog bytes after these window indexes. */
  readonly persistAfter?: ReadonlySet<number>;
  readonly from?: { alerting: AlertPolicyState; response: ResponseState };
}

export interface ScenarioResult {
  readonly lines: string[];
  readonly alerts: Alert[];
  readonly commands: RollbackCommand[];
  readonly state: { alerting: AlertPolicyState; response: ResponseState };
}

export function runScenario(windows: readonly WindowScores[], options: ScenarioOptions = {}): ScenarioResult {
  const settings = options.settings ?? DEFAULT_ALERTING;
  let state = options.from ?? { alerting: initialAlertPolicyState('credit-risk', '3.2.0'), response: INITIAL_RESPONSE_STATE };
  const lines: string[] = [];
  const alerts: Alert[] = [];
  const commands: RollbackCommand[] = [];
  windows.forEach((scores, i) => {
    const window = windowAt(i);
    const step = stepAlertPolicy(state.alerting, {
      window,
      scores: Object.entries(scores).map(([feature, score]) => ({ detector: 'psi', feature, score, evidence: { window: String(i) } })),
      thresholdsOf: () => ({ warning: 0.1, critical: 0.25 }),
      kindOf: () => 'DRIFT',
      settings,
    });
    const response = options.response
      ? stepResponse(state.response, { window, firing: step.firing, settings: options.response, lastApproved: options.lastApproved === undefined ? '3.1.0' : options.lastApproved })
      : { state: state.response, commands: [], alerts: [] };
    for (const a of [...step.notifications, ...response.alerts]) {
      alerts.push(a);
      lines.push(`w${i} ${a.status} ${a.severity} ${a.kind === 'GOVERNANCE' ? a.detector : a.feature}`);
    }
    for (const c of response.commands) {
      commands.push(c);
      lines.push(`w${i} COMMAND ${c.action}`);
    }
    state = { alerting: step.state, response: response.state };
    if (options.persistAfter?.has(i)) state = decodePolicyState(encodePolicyState(state), 'credit-risk', '3.2.0');
  });
  return { lines, alerts, commands, state };
}
