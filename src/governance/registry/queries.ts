/** Reading the registry: the fold of a whole log, rollback targets for the response policy, compliance context. */
import type { GovernanceEvent } from '../../contracts/records.js';
import { VigilError } from '../../errors.js';
import type { EvaluationContext } from '../compliance/types.js';
import { apply, APPROVED_STATUSES } from './apply.js';
import { emptyRegistry, type Refusal, type RegistryPolicy, type RegistryState, type VersionRecord } from './types.js';

/** The registry rebuilt from a log; refused events change nothing and are returned with their reasons. */
export function fold(events: Iterable<GovernanceEvent>, policy?: RegistryPolicy): { state: RegistryState; refusals: Refusal[] } {
  let state = emptyRegistry(policy);
  const refusals: Refusal[] = [];
  for (const event of events) {
    const result = apply(state, event);
    if (result.ok) state = result.state;
    else refusals.push(result.refusal);
  }
  return { state, refusals };
}

export function versionOf(state: RegistryState, modelId: string, version: string): VersionRecord | undefined {
  return state.models[modelId]?.versions[version];
}

/**
 * The last approved version of `modelId` submitted before `version` (approved, deployed or superseded;
 * never rolled back, retired, rejected or pending): where the response policy's ROLLBACK goes.
 * Null when there is none. An unknown `version` means: the last approved version of all.
 */
export function lastApprovedBefore(state: RegistryState, modelId: string, version: string): string | null {
  const model = state.models[modelId];
  if (model === undefined) return null;
  const index = model.order.indexOf(version);
  const before = index < 0 ? model.order : model.order.slice(0, index);
  for (let i = before.length - 1; i >= 0; i--) {
    const v = model.versions[before[i] as string];
    if (v !== undefined && APPROVED_STATUSES.includes(v.status)) return v.version;
  }
  return null;
}

/** Approved versions submitted before `version`, oldest first. */
export function approvedEarlier(state: RegistryState, modelId: string, version: string): string[] {
  const model = state.models[modelId];
  if (model === undefined) return [];
  const index = model.order.indexOf(version);
  return (index < 0 ? model.order : model.order.slice(0, index)).filter((v) => APPROVED_STATUSES.includes(model.versions[v]?.status ?? 'rejected'));
}

/** What the compliance rules need from the registry about one version. */
export function complianceContext(state: RegistryState, modelId: string, version: string): EvaluationContext {
  const v = versionOf(state, modelId, version);
  return {
    approvals: (v?.approvals ?? []).map((a) => ({ actor: a.actor, at: a.at })),
    ...(v !== undefined ? { submitter: v.submitter } : {}),
    approvedEarlier: approvedEarlier(state, modelId, version),
  };
}

/** A refusal as the error an API or command returns: VIGIL_GOVERNANCE_REFUSED, the refusal code in its details. */
export function refusalError(refusal: Refusal): VigilError {
  return new VigilError('VIGIL_GOVERNANCE_REFUSED', `${refusal.message} (${refusal.code}, event ${refusal.eventId})`, { details: { refusal: refusal.code, eventId: refusal.eventId } });
}
