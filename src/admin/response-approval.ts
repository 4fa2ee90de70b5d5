/**
 * The approval of a response command. A response rule with `approval: required` does not issue its
 * ROLLBACK, FALLBACK or SHUTDOWN: it raises a CRITICAL GOVERNANCE alert whose evidence names the
 * action, the target (`toVersion`) and the id the command would have (`commandId`). Approving it
 * issues that command, with that id (so a replayed or repeated approval is idempotent downstream),
 * `approvalId` set and `issuedBy` the approver, and records the approval on vigil.governance.
 *
 * The approval is an `APPROVED` event whose payload carries `command` (a compatible extension: no new
 * event type) and whose event id is fixed by the command id (`commandApprovalId`): a second approval
 * of the same command is refused from the registry, which is folded from the log after a restart.
 * Pure: the gate looks the request up, plans the approval here and writes it in one transaction.
 */
import { canonicalJson } from '../config/canonical.js';
import type { Alert, GovernanceEvent, RollbackCommand } from '../contracts/records.js';
import { VigilError } from '../errors.js';
import { COMMAND_ACTIONS, commandApprovalId, type ApprovedCommand } from '../governance/registry/payloads.js';
import { lastApprovedBefore } from '../governance/registry/queries.js';
import type { RegistryState } from '../governance/registry/types.js';
import { MAX_PAGE, type AlertView } from './alert-view.js';
import type { ResponseApprovalRequest } from './ports.js';

/** The GOVERNANCE alert of `modelId` asking approval for command `commandId`, from the alert view; undefined when there is none. */
export function pendingRequest(alerts: AlertView, modelId: string, commandId: string): Alert | undefined {
  for (let offset: number | null = 0; offset !== null; ) {
    const page = alerts.query({ modelId, kind: 'GOVERNANCE', limit: MAX_PAGE, offset });
    const found = page.items.find((a) => a.evidence['commandId'] === commandId);
    if (found !== undefined) return found;
    offset = page.nextOffset;
  }
  return undefined;
}

/**
 * A 409 when command `commandId` of `modelId` was approved already: the registry, folded from the log,
 * holds its approval event. Checked before the request is looked up, so it holds after a restart too.
 */
export function approvedAlready(state: RegistryState, modelId: string, commandId: string): VigilError | null {
  const approvalId = commandApprovalId(commandId);
  if (state.models[modelId]?.eventIds.has(approvalId) !== true) return null;
  return refused(`command ${commandId} of ${modelId} was already approved (event ${approvalId})`, 'ALREADY_APPROVED');
}

function refused(message: string, refusal: string): VigilError {
  return new VigilError('VIGIL_GOVERNANCE_REFUSED', message, { details: { refusal } });
}

/**
 * The approval event and the command it issues (the caller has checked it was not approved already:
 * `approvedAlready`), or a 409 saying why the request cannot be approved: (ROLLBACK) a target that is no longer the last approved version before the
 * failing one, or a failing version that is no longer the deployed one.
 */
export function planResponseApproval(state: RegistryState, alert: Alert, request: ResponseApprovalRequest, roles: readonly string[]): { event: GovernanceEvent; command: RollbackCommand } {
  const { commandId, modelId, actor } = request;
  const fromVersion = alert.modelVersion;
  const subject = `${modelId}@${fromVersion}`;
  const action = alert.evidence['action'];
  const toVersion = alert.evidence['toVersion'] ?? '';
  if (!(COMMAND_ACTIONS as readonly unknown[]).includes(action)) {
    throw new VigilError('VIGIL_INPUT_INVALID', `alert ${alert.alertId} asks approval for command ${commandId} but its evidence.action is ${JSON.stringify(action ?? null)}, not one of ${COMMAND_ACTIONS.join(', ')}`);
  }
  const approvalId = commandApprovalId(commandId);
  const model = state.models[modelId];
  if (action === 'ROLLBACK') {
    const deployed = model?.deployed ?? null;
    if (deployed !== null && deployed !== fromVersion) throw refused(`cannot roll back ${subject}: the deployed version is now ${deployed}`, 'WRONG_STATE');
    const target = lastApprovedBefore(state, modelId, fromVersion);
    if (target === null) throw refused(`cannot roll back ${subject} to ${toVersion}: the registry knows no approved version before ${fromVersion}`, 'BAD_ROLLBACK_TARGET');
    if (target !== toVersion) throw refused(`cannot roll back ${subject} to ${toVersion}: the last approved version before ${fromVersion} is now ${target}`, 'BAD_ROLLBACK_TARGET');
  }
  const at = Math.max(request.now, model?.lastEventAt ?? 0);
  const approved: ApprovedCommand = { commandId, action: action as ApprovedCommand['action'], toVersion };
  const event: GovernanceEvent = {
    eventId: approvalId,
    type: 'APPROVED',
    modelId,
    modelVersion: fromVersion,
    actor: actor.id,
    timestamp: at,
    reason: request.reason,
    payload: canonicalJson({ roles, command: approved }),
  };
  const evidenceIds = (alert.evidence['alertIds'] ?? '').split(',').filter((id) => id.length > 0);
  const command: RollbackCommand = {
    commandId,
    modelId,
    fromVersion,
    toVersion,
    action: approved.action,
    reason: `${alert.evidence['reason'] ?? `${approved.action.toLowerCase()} of ${subject}`}; approved by ${actor.id}${request.reason === null ? '' : `: ${request.reason}`}`,
    alertIds: [...new Set([...evidenceIds, alert.alertId])],
    issuedAt: at,
    issuedBy: actor.id,
    approvalId,
  };
  return { event, command };
}
