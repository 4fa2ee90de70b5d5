/**
 * The response policy of one model version: rules map alert conditions to commands on
 * `vigil.rollback`. A rule counts the windows in a row in which at least one alert of its kinds fires
 * (after hysteresis, not silenced) at its severity or above; at `consecutiveWindows` it acts:
 *
 * - ROLLBACK to the model's last approved version, never to anything else: with no approved version
 *   known, or when the failing version is itself the approved one, a GOVERNANCE alert says so instead;
 * - FALLBACK to the fallback model named in the configuration (a GOVERNANCE alert when none is named);
 * - SHUTDOWN (toVersion is empty: there is nothing to serve instead).
 *
 * A rule with `approval: auto` issues the command (approvalId null); with `approval: required` it
 * raises a GOVERNANCE alert asking a person to approve it instead. Every action has a cause (action,
 * model, version, target); the command id is a hash of the cause, and the state remembers the causes
 * acted on, so no cause ever yields a second command or a second request, however often the condition
 * recurs and however the input is replayed. Pure: time is the window's end (event time).
 */
import type { Alert, RollbackCommand, Severity } from '../../contracts/records.js';
import type { ResponseRule, ResponseSettings } from '../../config/types.js';
import { canonicalHash, canonicalJson } from '../../config/canonical.js';
import { buildAlert, type WindowContext } from './alerts.js';
import type { FiringAlert } from './alert-policy.js';

/** The policy id of automatic rollbacks (RollbackCommand.issuedBy). */
export const ROLLBACK_POLICY_ID = 'policy:rollback';

export function policyIdOf(action: ResponseRule['action']): string {
  return `policy:${action.toLowerCase()}`;
}

export interface RuleState {
  /** canonical JSON of the rule: a changed rule starts counting afresh. */
  readonly rule: string;
  readonly count: number;
  /** Start of the first window of the current run; null when the count is 0. */
  readonly runStart: number | null;
  /** Ids of the qualifying alerts of the run's most recent windows, oldest first. */
  readonly runAlertIds: readonly (readonly string[])[];
}

export interface ResponseState {
  readonly rules: readonly RuleState[];
  /** Causes acted on (sorted), never acted on again. */
  readonly causes: readonly string[];
}

export const INITIAL_RESPONSE_STATE: ResponseState = { rules: [], causes: [] };

export interface ResponseInput {
  readonly window: WindowContext;
  readonly firing: readonly FiringAlert[];
  readonly settings: ResponseSettings;
  /** The model's last approved version, or null when none is known. */
  readonly lastApproved: string | null;
}

export interface ResponseStep {
  readonly state: ResponseState;
  readonly commands: readonly RollbackCommand[];
  /** GOVERNANCE alerts: an approval asked for, or an action that has no target. */
  readonly alerts: readonly Alert[];
}

const RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** Deterministic id of the command for a cause. */
export function responseCommandId(cause: string): string {
  return canonicalHash(['vigil.response.command.v1', cause]);
}

export function stepResponse(state: ResponseState, input: ResponseInput): ResponseStep {
  const { window, settings } = input;
  const { modelId, modelVersion } = window;
  const causes = new Set(state.causes);
  const previous = new Map(state.rules.map((r) => [r.rule, r]));
  const rules: RuleState[] = [];
  const commands: RollbackCommand[] = [];
  const alerts: Alert[] = [];

  for (const rule of settings.rules) {
    const key = canonicalJson(rule);
    const qualifying = input.firing.filter(
      (a) => !a.silenced && RANK[a.severity] >= RANK[rule.severity] && (rule.kinds.length === 0 || rule.kinds.includes(a.kind)),
    );
    if (qualifying.length === 0) {
      rules.push({ rule: key, count: 0, runStart: null, runAlertIds: [] });
      continue;
    }
    const before = previous.get(key);
    const k = rule.consecutiveWindows;
    const ruleState: RuleState = {
      rule: key,
      count: (before?.count ?? 0) + 1,
      runStart: before?.runStart ?? window.windowStart,
      runAlertIds: [...(before?.runAlertIds ?? []), qualifying.map((a) => a.alertId)].slice(-k),
    };
    rules.push(ruleState);
    if (ruleState.count < k) continue;

    const alertIds = [...new Set(ruleState.runAlertIds.flat())];
    const run = `${ruleState.count} consecutive windows with a ${rule.severity} alert firing${rule.kinds.length > 0 ? ` (${rule.kinds.join(', ')})` : ''} (K=${k}, last window ${window.windowStart}..${window.windowEnd})`;
    const target = targetOf(rule, input, modelVersion);
    const policyId = policyIdOf(rule.action);
    const governance = (cause: string, reason: string, evidence: Record<string, string>): void => {
      if (causes.has(cause)) return;
      causes.add(cause);
      alerts.push(
        buildAlert(
          window,
          { detector: policyId, feature: null, score: ruleState.count, evidence: { reason, consecutiveWindows: String(ruleState.count), alertIds: alertIds.join(','), ...evidence } },
          'CRITICAL',
          k,
          { kind: 'GOVERNANCE', startsAt: ruleState.runStart ?? window.windowStart },
        ),
      );
    };
    if (target.ok === false) {
      governance(canonicalJson([rule.action, modelId, modelVersion, 'no-target', target.known]), `${rule.action.toLowerCase()} not issued: ${target.why}`, { lastApproved: input.lastApproved ?? '' });
      continue;
    }
    const cause = canonicalJson([rule.action, modelId, modelVersion, target.to]);
    if (causes.has(cause)) continue;
    if (rule.approval === 'required') {
      governance(`${cause}#approval`, `${rule.action.toLowerCase()} of ${modelId}@${modelVersion}${target.to ? ` to ${target.to}` : ''} needs an approval: ${run}`, {
        action: rule.action,
        toVersion: target.to,
        commandId: responseCommandId(cause),
      });
      continue;
    }
    causes.add(cause);
    commands.push({
      commandId: responseCommandId(cause),
      modelId,
      fromVersion: modelVersion,
      toVersion: target.to,
      action: rule.action,
      reason: `${run}; ${target.describe}`,
      alertIds,
      issuedAt: window.windowEnd,
      issuedBy: policyId,
      approvalId: null,
    });
  }
  return { state: { rules, causes: [...causes].sort() }, commands, alerts };
}

type Target = { ok: true; to: string; describe: string } | { ok: false; why: string; known: string | null };

function targetOf(rule: ResponseRule, input: ResponseInput, modelVersion: string): Target {
  const modelId = input.window.modelId;
  switch (rule.action) {
    case 'ROLLBACK': {
      const approved = input.lastApproved;
      if (approved === null) return { ok: false, why: `no approved version of ${modelId} is known to roll back to`, known: null };
      if (approved === modelVersion) return { ok: false, why: `${modelVersion} is itself the last approved version of ${modelId}`, known: approved };
      return { ok: true, to: approved, describe: `rolling back to the last approved version ${approved}` };
    }
    case 'FALLBACK': {
      const fallback = input.settings.fallbackModel;
      if (fallback === null) return { ok: false, why: `no fallback model is configured for ${modelId} (response.fallbackModel)`, known: null };
      return { ok: true, to: fallback, describe: `routing traffic to the fallback ${fallback}` };
    }
    case 'SHUTDOWN':
      return { ok: true, to: '', describe: `stopping ${modelId}@${modelVersion} safely` };
  }
}
