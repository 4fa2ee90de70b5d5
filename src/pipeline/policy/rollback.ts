/**
 * The rollback policy of one model version: it counts consecutive closed windows with at least one
 * CRITICAL score and, at K of them, issues one ROLLBACK to the model's last approved version. It
 * issues nothing more for that version until a window without a CRITICAL score resets the count.
 * When there is nowhere to roll back to (no approved version known, or the failing version is the
 * approved one) it raises a GOVERNANCE alert saying so instead, once per run.
 *
 * `stepRollback` is a pure function of the previous state, the window and an injected clock; the
 * state is plain data, serialised with `encodeRollbackState` for the `vigil.state` changelog.
 */
import type { Alert, RollbackCommand } from '../../contracts/records.js';
import type { RollbackSettings } from '../../config/types.js';
import { canonicalHash, canonicalJson } from '../../config/canonical.js';
import { VigilError } from '../../errors.js';
import { buildAlert } from './alerts.js';
import type { WindowContext } from './alerts.js';

export const ROLLBACK_POLICY_ID = 'policy:rollback';
export const ROLLBACK_STATE_FORMAT = 1;

export interface RollbackState {
  readonly modelId: string;
  readonly modelVersion: string;
  /** Consecutive closed windows with a CRITICAL score, up to the last one seen. */
  readonly consecutiveCritical: number;
  /** Start of the first window of the current run; null when the count is 0. */
  readonly runStart: number | null;
  /** CRITICAL alert ids of the run's most recent windows (at most K windows), oldest first. */
  readonly runAlertIds: readonly (readonly string[])[];
  /** The run already produced its command (or its explanation); nothing more until it resets. */
  readonly tripped: boolean;
}

export function initialRollbackState(modelId: string, modelVersion: string): RollbackState {
  return { modelId, modelVersion, consecutiveCritical: 0, runStart: null, runAlertIds: [], tripped: false };
}

export interface RollbackInput {
  readonly window: WindowContext;
  /** Ids of the window's CRITICAL alerts; empty for a clean window. */
  readonly criticalAlertIds: readonly string[];
  readonly settings: RollbackSettings;
  /** The model's last approved version, or null when none is known. */
  readonly lastApproved: string | null;
}

export interface RollbackStep {
  readonly state: RollbackState;
  readonly command: RollbackCommand | null;
  /** A GOVERNANCE alert when the policy tripped but could not issue a command. */
  readonly alerts: readonly Alert[];
}

/** Deterministic id of the command tripped by the window starting at `windowStart`. */
export function rollbackCommandId(modelId: string, modelVersion: string, windowStart: number): string {
  return canonicalHash(['vigil.rollback.command.v1', modelId, modelVersion, windowStart]);
}

export function stepRollback(state: RollbackState, input: RollbackInput, clock: () => number): RollbackStep {
  const { window, settings } = input;
  if (window.modelId !== state.modelId || window.modelVersion !== state.modelVersion) {
    throw new VigilError('VIGIL_INTERNAL', `window of ${window.modelId}@${window.modelVersion} given to the rollback state of ${state.modelId}@${state.modelVersion}`);
  }
  if (input.criticalAlertIds.length === 0) return { state: initialRollbackState(state.modelId, state.modelVersion), command: null, alerts: [] };

  const k = settings.consecutiveCriticalWindows;
  const next: RollbackState = {
    ...state,
    consecutiveCritical: state.consecutiveCritical + 1,
    runStart: state.runStart ?? window.windowStart,
    runAlertIds: [...state.runAlertIds, [...input.criticalAlertIds]].slice(-k),
  };
  if (!settings.enabled || state.tripped || next.consecutiveCritical < k) return { state: next, command: null, alerts: [] };

  const tripped: RollbackState = { ...next, tripped: true };
  const alertIds = [...new Set(tripped.runAlertIds.flat())];
  const run = `${tripped.consecutiveCritical} consecutive windows with a CRITICAL score (K=${k}, last window ${window.windowStart}..${window.windowEnd})`;
  const { lastApproved } = input;
  if (lastApproved === null || lastApproved === state.modelVersion) {
    const why =
      lastApproved === null
        ? `no approved version of ${state.modelId} is known to roll back to`
        : `${state.modelVersion} is itself the last approved version of ${state.modelId}`;
    const alert = buildAlert(
      window,
      {
        detector: ROLLBACK_POLICY_ID,
        feature: null,
        score: tripped.consecutiveCritical,
        evidence: {
          reason: `rollback not issued: ${why}`,
          consecutiveCriticalWindows: String(tripped.consecutiveCritical),
          lastApproved: lastApproved ?? '',
          alertIds: alertIds.join(','),
        },
      },
      'CRITICAL',
      k,
      { kind: 'GOVERNANCE', startsAt: tripped.runStart ?? window.windowStart },
    );
    return { state: tripped, command: null, alerts: [alert] };
  }
  const command: RollbackCommand = {
    commandId: rollbackCommandId(state.modelId, state.modelVersion, window.windowStart),
    modelId: state.modelId,
    fromVersion: state.modelVersion,
    toVersion: lastApproved,
    action: 'ROLLBACK',
    reason: `${run}; rolling back to the last approved version ${lastApproved}`,
    alertIds,
    issuedAt: clock(),
    issuedBy: ROLLBACK_POLICY_ID,
    approvalId: null,
  };
  return { state: tripped, command, alerts: [] };
}

export function encodeRollbackState(state: RollbackState): Uint8Array {
  return Buffer.from(canonicalJson({ format: 'vigil.rollback-state', version: ROLLBACK_STATE_FORMAT, ...state }), 'utf8');
}

/** Reads a rollback state; throws VIGIL_INPUT_INVALID naming the problem if the bytes are not one. */
export function decodeRollbackState(bytes: Uint8Array): RollbackState {
  const corrupt = (why: string, cause?: unknown): VigilError => new VigilError('VIGIL_INPUT_INVALID', `rollback state is corrupt: ${why}`, { cause });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw corrupt('not JSON', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt('not an object');
  const o = value as Record<string, unknown>;
  if (o['format'] !== 'vigil.rollback-state' || o['version'] !== ROLLBACK_STATE_FORMAT) throw corrupt(`unknown format ${String(o['format'])} v${String(o['version'])}`);
  const { modelId, modelVersion, consecutiveCritical, runStart, runAlertIds, tripped } = o;
  if (typeof modelId !== 'string' || typeof modelVersion !== 'string') throw corrupt('modelId and modelVersion must be strings');
  if (typeof consecutiveCritical !== 'number' || !Number.isSafeInteger(consecutiveCritical) || consecutiveCritical < 0) throw corrupt('consecutiveCritical must be an integer >= 0');
  if (runStart !== null && !Number.isSafeInteger(runStart)) throw corrupt('runStart must be an integer or null');
  if ((runStart === null) !== (consecutiveCritical === 0)) throw corrupt('runStart and consecutiveCritical disagree');
  if (!Array.isArray(runAlertIds) || !runAlertIds.every((ids) => Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    throw corrupt('runAlertIds must be a list of lists of strings');
  }
  if (typeof tripped !== 'boolean') throw corrupt('tripped must be a boolean');
  return { modelId, modelVersion, consecutiveCritical, runStart: runStart as number | null, runAlertIds: runAlertIds as string[][], tripped };
}
