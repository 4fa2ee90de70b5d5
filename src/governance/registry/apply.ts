/**
 * `apply(state, event)`: one GovernanceEvent folded into the registry, or a refusal saying why the
 * step is not allowed. Pure: the state given is never changed; a refused event changes nothing.
 */
import type { GovernanceEvent } from '../../contracts/records.js';
import { commandApprovalId, parsePayload, type PayloadByType } from './payloads.js';
import type { ApplyResult, ModelRecord, RefusalCode, RegistryState, VersionRecord, VersionStatus } from './types.js';

const PENDING: readonly VersionStatus[] = ['submitted', 'checked', 'check-failed'];
/** Statuses of a version that was approved and not withdrawn: what may serve as a rollback target. */
export const APPROVED_STATUSES: readonly VersionStatus[] = ['approved', 'deployed', 'superseded'];

/** The status as of `at`: a pending submission past its expiry reads as expired. */
export function statusAt(v: VersionRecord, at: number): VersionStatus {
  return PENDING.includes(v.status) && at > v.expiresAt ? 'expired' : v.status;
}

export function apply(state: RegistryState, event: GovernanceEvent): ApplyResult {
  const eventId = typeof event?.eventId === 'string' ? event.eventId : '';
  const refuse = (code: RefusalCode, message: string): ApplyResult => ({ ok: false, refusal: { code, eventId, message } });
  const shape = shapeProblem(event);
  if (shape !== null) return refuse('INVALID_EVENT', shape);
  const model = state.models[event.modelId];
  if (model?.eventIds.has(event.eventId)) return refuse('DUPLICATE_EVENT', `event ${event.eventId} was already applied`);
  if (model !== undefined && event.timestamp < model.lastEventAt) {
    return refuse('OUT_OF_ORDER', `event at ${event.timestamp} is older than the model's last event at ${model.lastEventAt}`);
  }
  const parsed = parsePayload(event);
  if (!parsed.ok) return refuse('INVALID_EVENT', `${parsed.field} ${parsed.why}`);
  const subject = `${event.modelId}@${event.modelVersion}`;
  const at = event.timestamp;
  const current = model?.versions[event.modelVersion];
  const status = current === undefined ? null : statusAt(current, at);
  const { roles: R } = state.policy;
  const hasRole = (role: string) => (parsed.value as { roles?: readonly string[] }).roles?.includes(role) === true;

  // `version` null: the event changes no version (the approval of a response command), it is only recorded.
  const commit = (version: VersionRecord | null, patch: Partial<Pick<ModelRecord, 'deployed'>> = {}, others: Record<string, VersionRecord> = {}): ApplyResult => {
    const base: ModelRecord = model ?? { modelId: event.modelId, order: [], versions: {}, deployed: null, lastEventAt: at, eventIds: new Set() };
    const next: ModelRecord = {
      ...base,
      ...patch,
      order: version === null || base.order.includes(version.version) ? base.order : [...base.order, version.version],
      versions: version === null ? { ...base.versions, ...others } : { ...base.versions, ...others, [version.version]: version },
      lastEventAt: at,
      eventIds: new Set([...base.eventIds, event.eventId]),
    };
    return { ok: true, state: { ...state, models: { ...state.models, [event.modelId]: next } } };
  };
  const needs = (allowed: readonly VersionStatus[], what: string): ApplyResult | null => {
    if (current === undefined || status === null) return refuse('UNKNOWN_VERSION', `${subject} was never submitted`);
    if (status === 'expired' && !allowed.includes('expired')) return refuse('EXPIRED', `the submission of ${subject} expired at ${current.expiresAt}; submit it again`);
    if (!allowed.includes(status)) return refuse('WRONG_STATE', `${subject} is ${status}; ${what} needs it ${allowed.join(' or ')}`);
    return null;
  };

  switch (event.type) {
    case 'MANIFEST_SUBMITTED': {
      const p = parsed.value as PayloadByType['MANIFEST_SUBMITTED'];
      if (p.riskClass === 'unacceptable') return refuse('PROHIBITED_RISK', `${subject} is of the unacceptable risk class and may not be submitted`);
      if (status !== null && !['rejected', 'check-failed', 'expired'].includes(status)) return refuse('WRONG_STATE', `${subject} is ${status}; only a new, rejected, failed or expired version may be submitted`);
      return commit({
        modelId: event.modelId,
        version: event.modelVersion,
        status: 'submitted',
        riskClass: p.riskClass,
        manifestHash: p.manifestHash,
        environmentHash: p.environmentHash,
        submitter: event.actor,
        submittedAt: at,
        expiresAt: at + state.policy.submissionTtlMs,
        attempt: (current?.attempt ?? 0) + 1,
        requiredApprovals: state.policy.approvals[p.riskClass],
        check: null,
        approvals: [],
        approvedAt: null,
        rejection: null,
        deployment: null,
        rollback: null,
        retirement: null,
      });
    }
    case 'CHECK_COMPLETED': {
      const p = parsed.value as PayloadByType['CHECK_COMPLETED'];
      const no = needs(['submitted', 'checked', 'check-failed'], 'a check');
      if (no !== null) return no;
      const v = current as VersionRecord;
      // A new check voids earlier approvals: they approved what the earlier check showed.
      return commit({ ...v, status: p.passed ? 'checked' : 'check-failed', check: { passed: p.passed, at, errors: p.errors, warnings: p.warnings }, approvals: [] });
    }
    case 'APPROVED': {
      const { command } = parsed.value as PayloadByType['APPROVED'];
      if (command !== undefined) {
        // A person approved a command the response policy asked approval for; the version's standing is unchanged.
        if (!hasRole(R.approver)) return refuse('MISSING_ROLE', `${event.actor} does not hold the ${R.approver} role`);
        const id = commandApprovalId(command.commandId);
        if (event.eventId !== id) return refuse('INVALID_EVENT', `eventId must be ${id} for the approval of command ${command.commandId}`);
        return commit(null);
      }
      const no = needs(['checked'], 'an approval');
      if (no !== null) return no;
      const v = current as VersionRecord;
      if (!hasRole(R.approver)) return refuse('MISSING_ROLE', `${event.actor} does not hold the ${R.approver} role`);
      if (event.actor === v.submitter) return refuse('SELF_APPROVAL', `${event.actor} submitted ${subject} and may not approve it`);
      if (v.approvals.some((a) => a.actor === event.actor)) return refuse('DUPLICATE_APPROVER', `${event.actor} already approved ${subject}`);
      const approvals = [...v.approvals, { actor: event.actor, at, eventId: event.eventId }];
      const done = approvals.length >= v.requiredApprovals;
      return commit({ ...v, approvals, status: done ? 'approved' : 'checked', approvedAt: done ? at : null });
    }
    case 'REJECTED': {
      const no = needs(['submitted', 'checked', 'check-failed'], 'a rejection');
      if (no !== null) return no;
      if (!hasRole(R.approver)) return refuse('MISSING_ROLE', `${event.actor} does not hold the ${R.approver} role`);
      const reason = (event.reason ?? '').trim();
      if (reason.length === 0) return refuse('REASON_REQUIRED', `rejecting ${subject} needs a reason`);
      return commit({ ...(current as VersionRecord), status: 'rejected', rejection: { actor: event.actor, at, reason } });
    }
    case 'DEPLOYED': {
      const p = parsed.value as PayloadByType['DEPLOYED'];
      const no = needs(['approved', 'superseded'], 'a deployment');
      if (no !== null) return no;
      if (!hasRole(R.operator)) return refuse('MISSING_ROLE', `${event.actor} does not hold the ${R.operator} role`);
      const m = model as ModelRecord;
      if (p.rollbackTarget === null) {
        if (p.noTargetReason === null || p.noTargetReason.trim().length === 0) return refuse('BAD_ROLLBACK_TARGET', `deploying ${subject} needs a rollback target or the reason there is none`);
      } else {
        const problem = targetProblem(m, event.modelVersion, p.rollbackTarget);
        if (problem !== null) return refuse('BAD_ROLLBACK_TARGET', problem);
      }
      const others: Record<string, VersionRecord> = {};
      const previous = m.deployed === null || m.deployed === event.modelVersion ? undefined : m.versions[m.deployed];
      if (previous !== undefined) others[previous.version] = { ...previous, status: 'superseded' };
      const deployment = { actor: event.actor, at, rollbackTarget: p.rollbackTarget, noTargetReason: p.noTargetReason };
      return commit({ ...(current as VersionRecord), status: 'deployed', deployment }, { deployed: event.modelVersion }, others);
    }
    case 'ROLLED_BACK': {
      const p = parsed.value as PayloadByType['ROLLED_BACK'];
      const no = needs(['deployed'], 'a rollback');
      if (no !== null) return no;
      if (!hasRole(R.operator) && !hasRole(R.engine)) return refuse('MISSING_ROLE', `${event.actor} holds neither the ${R.operator} nor the ${R.engine} role`);
      const m = model as ModelRecord;
      const problem = targetProblem(m, event.modelVersion, p.toVersion);
      if (problem !== null) return refuse('BAD_ROLLBACK_TARGET', problem);
      const target = m.versions[p.toVersion] as VersionRecord;
      const rollback = { actor: event.actor, at, toVersion: p.toVersion, reason: event.reason };
      return commit({ ...(current as VersionRecord), status: 'rolled-back', rollback }, { deployed: p.toVersion }, { [p.toVersion]: { ...target, status: 'deployed' } });
    }
    case 'RETIRED': {
      const no = needs(['approved', 'deployed', 'superseded', 'rolled-back'], 'retirement');
      if (no !== null) return no;
      if (!hasRole(R.operator)) return refuse('MISSING_ROLE', `${event.actor} does not hold the ${R.operator} role`);
      const reason = (event.reason ?? '').trim();
      if (reason.length === 0) return refuse('REASON_REQUIRED', `retiring ${subject} needs a reason`);
      const m = model as ModelRecord;
      return commit({ ...(current as VersionRecord), status: 'retired', retirement: { actor: event.actor, at, reason } }, m.deployed === event.modelVersion ? { deployed: null } : {});
    }
  }
}

/** Why `target` cannot be the rollback target of `version`, or null when it can: approved, and submitted before it. */
function targetProblem(model: ModelRecord, version: string, target: string): string | null {
  if (target === version) return `${model.modelId}@${version} cannot be its own rollback target`;
  const t = model.versions[target];
  if (t === undefined) return `rollback target ${model.modelId}@${target} was never submitted`;
  if (!APPROVED_STATUSES.includes(t.status)) return `rollback target ${model.modelId}@${target} is ${t.status}, not approved`;
  if (model.order.indexOf(target) > model.order.indexOf(version)) return `rollback target ${model.modelId}@${target} came after ${version}`;
  return null;
}

function shapeProblem(event: unknown): string | null {
  if (typeof event !== 'object' || event === null) return 'the event is not a record';
  const e = event as Record<string, unknown>;
  for (const key of ['eventId', 'modelId', 'modelVersion', 'actor']) {
    if (typeof e[key] !== 'string' || (e[key] as string).length === 0 || (e[key] as string).length > 256) return `${key} must be a non-empty string of at most 256 characters`;
  }
  if (!Number.isSafeInteger(e.timestamp)) return 'timestamp must be an integer (ms since the epoch)';
  if (e.reason !== null && e.reason !== undefined && (typeof e.reason !== 'string' || e.reason.length > 4096)) return 'reason must be null or a text of at most 4096 characters';
  if (!['MANIFEST_SUBMITTED', 'CHECK_COMPLETED', 'APPROVED', 'REJECTED', 'DEPLOYED', 'ROLLED_BACK', 'RETIRED'].includes(e.type as string)) return `type ${JSON.stringify(e.type)} is not a governance event type`;
  return null;
}
