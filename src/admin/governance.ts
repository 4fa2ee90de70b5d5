/**
 * The governance gate behind the admin API's governance routes: each action becomes GovernanceEvents
 * for `vigil.governance` (key: model id), checked first against the registry (the fold of that topic,
 * kept current by a consumer of it and by the gate's own writes), and refused with the registry's
 * reason (409, VIGIL_GOVERNANCE_REFUSED) when the step is not allowed. Separation of duties is checked
 * here with `checkApproval` before an approval is even built, and again by the registry's fold, so a
 * refused approval never reaches the log.
 *
 * A decision's events and its audit record on the admin chain are written in one Kafka transaction
 * (`GovernanceCommit`): both or neither, and the chain's head moves only when the transaction commits.
 *
 * Actions are serialised within one server, so two requests cannot both pass the check on the same
 * state; a second server writing to the same topic is reconciled by the fold (whatever the registry
 * refuses there changes nothing, and is reported with its reason).
 */
import { randomUUID } from 'node:crypto';
import { canonicalHash, canonicalJson } from '../config/canonical.js';
import type { AuditRecord, GovernanceEvent, GovernanceEventType, RollbackCommand } from '../contracts/records.js';
import { VigilError } from '../errors.js';
import { evaluate } from '../governance/compliance/evaluate.js';
import type { RulePack } from '../governance/compliance/types.js';
import { checkManifest } from '../governance/manifest/validate.js';
import type { DeploymentManifest } from '../governance/manifest/types.js';
import { APPROVED_STATUSES, apply, statusAt } from '../governance/registry/apply.js';
import { approvedEarlier, lastApprovedBefore, refusalError, versionOf } from '../governance/registry/queries.js';
import { emptyRegistry, type Refusal, type RegistryPolicy, type RegistryState } from '../governance/registry/types.js';
import type { AuditEntry } from '../pipeline/policy/audit.js';
import type { ChainedAuditWriter } from '../security/audit-writer.js';
import { checkApproval } from '../security/duties.js';
import { anyGlobMatch } from '../security/glob.js';
import { ROLE_PERMISSIONS, type Principal } from '../security/roles.js';
import type { AlertView } from './alert-view.js';
import type { GovernanceActions, GovernanceOutcome, GovernanceRequest, ModelInfo, ModelProvider, ModelVersionInfo, ResponseApprovalRequest } from './ports.js';
import { approvedAlready, pendingRequest, planResponseApproval } from './response-approval.js';

/** At most this many findings travel in a check result (the counts are always complete). */
export const MAX_FINDINGS = 50;

/** The registry as the server knows it: the fold of every event read from the topic or written by the gate. */
export class RegistryView {
  #state: RegistryState;
  #refusals = 0;
  readonly #onRefusal: (refusal: Refusal) => void;

  constructor(policy?: RegistryPolicy, onRefusal: (refusal: Refusal) => void = () => undefined) {
    this.#state = emptyRegistry(policy);
    this.#onRefusal = onRefusal;
  }

  get state(): RegistryState {
    return this.#state;
  }

  /** Events of the topic the registry refused (other than the gate's own events read back). */
  get refusals(): number {
    return this.#refusals;
  }

  /**
   * Folds one event. An event already applied (the gate's own write, read back from the topic) is not
   * a refusal; any other refusal changes nothing, is counted and handed to `onRefusal`.
   */
  fold(event: GovernanceEvent): Refusal | null {
    const result = apply(this.#state, event);
    if (result.ok) {
      this.#state = result.state;
      return null;
    }
    if (result.refusal.code === 'DUPLICATE_EVENT') return null;
    this.#refusals++;
    this.#onRefusal(result.refusal);
    return result.refusal;
  }
}

/**
 * Writes one decision: its events (in order), the commands it issues and its audit records, in one
 * transaction; resolves once it is committed, rejects when it was aborted.
 */
export type GovernanceCommit = (write: { readonly events: readonly GovernanceEvent[]; readonly audit: readonly AuditRecord[]; readonly commands?: readonly RollbackCommand[] }) => Promise<void>;

export interface GovernanceGateOptions {
  readonly registry: RegistryView;
  /** The admin audit chain: the decision's record is chained here and written by `commit`. */
  readonly audit: ChainedAuditWriter;
  readonly commit: GovernanceCommit;
  /** The alert view, where response approvals find the requests they approve. */
  readonly alerts?: AlertView;
  /** The compliance rule packs a submission is checked against. */
  readonly packs: readonly RulePack[];
  readonly newId?: () => string;
}

/**
 * The roles an identity acts with on one model, as the registry reads them from each event's payload:
 * the roles of its grants that cover the model, plus the registry's names for what those grants permit
 * (an admin approves and deploys, so it also acts as approver and operator).
 */
export function actingRoles(principal: Principal, modelId: string, policy: RegistryPolicy): string[] {
  const roles = new Set<string>();
  for (const grant of principal.grants) {
    if (!anyGlobMatch(grant.models, modelId)) continue;
    roles.add(grant.role);
    const permissions = ROLE_PERMISSIONS[grant.role];
    if (permissions.has('governance:approve')) roles.add(policy.roles.approver);
    if (permissions.has('governance:deploy') || permissions.has('governance:rollback')) roles.add(policy.roles.operator);
  }
  return [...roles].sort();
}

function refused(message: string, refusal: string): VigilError {
  return new VigilError('VIGIL_GOVERNANCE_REFUSED', message, { details: { refusal } });
}

export class GovernanceGate implements GovernanceActions {
  readonly #registry: RegistryView;
  readonly #audit: ChainedAuditWriter;
  readonly #commit: GovernanceCommit;
  readonly #alerts: AlertView | undefined;
  readonly #packs: readonly RulePack[];
  readonly #newId: () => string;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: GovernanceGateOptions) {
    this.#registry = options.registry;
    this.#audit = options.audit;
    this.#commit = options.commit;
    this.#alerts = options.alerts;
    this.#packs = options.packs;
    this.#newId = options.newId ?? (() => randomUUID());
  }

  perform(request: GovernanceRequest): Promise<GovernanceOutcome> {
    return this.#serialised(() => this.#perform(request));
  }

  /**
   * Approves a command the response policy asked approval for: finds the request in the alert view
   * (404 when there is none for this model), plans it (./response-approval.ts: 409 when approved
   * already or, for a ROLLBACK, when the target is no longer the last approved version), and writes
   * the RollbackCommand, the approval event and its audit record in one transaction.
   */
  approveResponse(request: ResponseApprovalRequest): Promise<GovernanceOutcome> {
    return this.#serialised(async () => {
      const alerts = this.#alerts;
      if (alerts === undefined) throw new VigilError('VIGIL_NOT_IMPLEMENTED', 'response approvals need the alert view, which this server does not have');
      const { modelId, commandId } = request;
      const state = this.#registry.state;
      const twice = approvedAlready(state, modelId, commandId);
      if (twice !== null) throw twice;
      const alert = pendingRequest(alerts, modelId, commandId);
      if (alert === undefined) throw new VigilError('VIGIL_NOT_FOUND', `no response of ${modelId} awaits approval with command id ${JSON.stringify(commandId)}`);
      const { event, command } = planResponseApproval(state, alert, request, actingRoles(request.actor, modelId, state.policy));
      const checked = apply(state, event);
      if (!checked.ok) throw refusalError(checked.refusal);
      const outcome: GovernanceOutcome = { eventId: event.eventId, type: event.type, modelId, modelVersion: event.modelVersion, actor: event.actor, timestamp: event.timestamp, events: [event.eventId], command };
      const entry = auditEntry(request, `response.approve.${command.action.toLowerCase()}`, `${modelId}@${event.modelVersion}`, { alertId: alert.alertId, command });
      return { ...outcome, auditSeq: await this.#write([event], entry, [command]) };
    });
  }

  /** Runs `step` after every earlier action of this gate has finished: one decision at a time. */
  #serialised<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(step);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes a decision: its events, the commands it issues and its audit record (`entry`) in one
   * transaction, then folds the events into the registry. Returns the audit record's seq.
   */
  async #write(events: readonly GovernanceEvent[], entry: AuditEntry, commands: readonly RollbackCommand[] = []): Promise<number> {
    const [record] = await this.#audit.appendWith([entry], (audit) => this.#commit({ events, audit, ...(commands.length > 0 ? { commands } : {}) }));
    for (const e of events) {
      // Only a race with another writer can make this refuse: the event is in the log, and the fold ignores it there too.
      const refusal = this.#registry.fold(e);
      if (refusal !== null) throw refusalError(refusal);
    }
    return (record as AuditRecord).seq;
  }

  async #perform(request: GovernanceRequest): Promise<GovernanceOutcome> {
    const { action, modelId, actor, body } = request;
    const state = this.#registry.state;
    const model = state.models[modelId];
    // The registry refuses events older than the model's last one; a clock behind another writer's must not.
    const at = Math.max(request.now, model?.lastEventAt ?? 0);
    const roles = actingRoles(actor, modelId, state.policy);
    const event = (type: GovernanceEventType, version: string, payload: object, reason: string | null = null): GovernanceEvent => ({
      eventId: this.#newId(),
      type,
      modelId,
      modelVersion: version,
      actor: actor.id,
      timestamp: at,
      reason,
      payload: canonicalJson(payload),
    });
    const reason = body.reason === undefined || body.reason.trim().length === 0 ? null : body.reason;
    let events: GovernanceEvent[];
    let check: GovernanceOutcome['check'];
    if (action === 'rollback') {
      const deployed = model?.deployed ?? null;
      if (deployed === null) throw refused(`${modelId} has no deployed version to roll back (WRONG_STATE)`, 'WRONG_STATE');
      const target = body.toVersion ?? lastApprovedBefore(state, modelId, deployed);
      if (target === null) throw refused(`${modelId}@${deployed} has no approved earlier version to roll back to (BAD_ROLLBACK_TARGET)`, 'BAD_ROLLBACK_TARGET');
      events = [event('ROLLED_BACK', deployed, { roles, toVersion: target }, reason)];
    } else {
      const version = request.version;
      if (version === null) throw new VigilError('VIGIL_INPUT_INVALID', `${action} needs a version`);
      const subject = `${modelId}@${version}`;
      switch (action) {
        case 'submit': {
          if (body.manifest === undefined) throw new VigilError('VIGIL_INPUT_INVALID', `submitting ${subject} needs its manifest in the body (field manifest)`, { details: { field: 'manifest' } });
          const manifest = checkManifest(body.manifest, `in the body of the submission of ${subject}`);
          for (const [field, want] of [['modelId', modelId], ['modelVersion', version]] as const) {
            if (manifest[field] !== want) {
              throw new VigilError('VIGIL_INPUT_INVALID', `the manifest's ${field} is ${JSON.stringify(manifest[field])}, but the request submits ${subject}`, { details: { field: `manifest.${field}` } });
            }
          }
          const submitted = event('MANIFEST_SUBMITTED', version, { manifestHash: canonicalHash(manifest), riskClass: manifest.riskClass, environmentHash: manifest.environmentHash, manifest }, reason);
          const first = apply(state, submitted);
          if (!first.ok) throw refusalError(first.refusal);
          check = checkOf(manifest, first.state, actor.id, this.#packs);
          events = [submitted, event('CHECK_COMPLETED', version, check)];
          break;
        }
        case 'approve': {
          const current = versionOf(state, modelId, version);
          if (current !== undefined) {
            const duty = checkApproval({ modelId, version, submitter: current.submitter, approvers: current.approvals.map((a) => a.actor) }, actor.id);
            if (!duty.ok) throw refused(`${duty.reason} (separation of duties: ${duty.rule})`, duty.rule);
          }
          events = [event('APPROVED', version, { roles }, reason)];
          break;
        }
        case 'reject':
          events = [event('REJECTED', version, { roles }, reason)];
          break;
        case 'deploy': {
          if (body.rollbackTarget !== undefined && body.noTargetReason !== undefined) {
            throw new VigilError('VIGIL_INPUT_INVALID', `deploying ${subject}: give rollbackTarget or noTargetReason, not both`, { details: { field: 'rollbackTarget' } });
          }
          events = [event('DEPLOYED', version, { roles, rollbackTarget: body.rollbackTarget ?? null, noTargetReason: body.noTargetReason ?? null }, reason)];
          break;
        }
        case 'retire':
          events = [event('RETIRED', version, { roles }, reason)];
          break;
      }
    }
    // Every event must pass the registry, in order, before any is written.
    let next = state;
    for (const e of events) {
      const result = apply(next, e);
      if (!result.ok) throw refusalError(result.refusal);
      next = result.state;
    }
    const last = events[events.length - 1] as GovernanceEvent;
    const record = versionOf(next, modelId, last.modelVersion);
    const outcome: GovernanceOutcome = {
      eventId: last.eventId,
      type: last.type,
      modelId,
      modelVersion: last.modelVersion,
      actor: actor.id,
      timestamp: at,
      ...(record !== undefined ? { status: statusAt(record, at) } : {}),
      events: events.map((e) => e.eventId),
      ...(check !== undefined ? { check } : {}),
    };
    const auditSeq = await this.#write(events, auditEntry(request, `governance.${action}`, `${modelId}@${last.modelVersion}`, outcome));
    return { ...outcome, auditSeq };
  }
}

/** The audit entry of a decision, as the API's handlers write it for other mutations (actor, request id, time of the request). */
export function auditEntry(request: Pick<GovernanceRequest, 'actor' | 'now' | 'requestId'>, action: string, subject: string, payload: object): AuditEntry {
  return { timestamp: request.now, actor: request.actor.id, action, subject, payload: { requestId: request.requestId ?? null, ...payload } };
}

/** The compliance check of a submission: every pack over the manifest, with what the registry knows (not approvals: those come later). */
function checkOf(manifest: DeploymentManifest, state: RegistryState, submitter: string, packs: readonly RulePack[]): NonNullable<GovernanceOutcome['check']> {
  const report = evaluate(manifest, { submitter, approvedEarlier: approvedEarlier(state, manifest.modelId, manifest.modelVersion) }, packs);
  return {
    passed: report.passed,
    errors: report.counts.errors,
    warnings: report.counts.warnings,
    findings: report.findings.slice(0, MAX_FINDINGS).map((f) => ({ ruleId: f.ruleId, severity: f.severity, clause: `${f.clause.framework} ${f.clause.ref}`, path: f.path, message: f.message })),
  };
}

/**
 * Models as the API lists them: the registry's versions (approved: approved, deployed or superseded)
 * for models it knows, beside the configured ones; the last approved version is the registry's when
 * it has one, else the configuration's (`policy.lastApproved`).
 */
export class RegistryModels implements ModelProvider {
  readonly #configured: ModelProvider;
  readonly #registry: RegistryView;

  constructor(configured: ModelProvider, registry: RegistryView) {
    this.#configured = configured;
    this.#registry = registry;
  }

  list(): ModelInfo[] {
    const ids = new Set([...this.#configured.list().map((m) => m.modelId), ...Object.keys(this.#registry.state.models)]);
    return [...ids].sort().flatMap((id) => {
      const info = this.get(id);
      return info === undefined ? [] : [info];
    });
  }

  get(modelId: string): ModelInfo | undefined {
    const configured = this.#configured.get(modelId);
    const state = this.#registry.state;
    const model = Object.hasOwn(state.models, modelId) ? state.models[modelId] : undefined;
    if (model === undefined) return configured;
    const lastApproved = lastApprovedBefore(state, modelId, '') ?? configured?.lastApproved ?? null;
    const versions = new Map<string, ModelVersionInfo>();
    for (const v of configured?.versions ?? []) versions.set(v.version, v);
    for (const version of model.order) {
      const status = model.versions[version]?.status;
      versions.set(version, { version, state: status !== undefined && APPROVED_STATUSES.includes(status) ? 'approved' : 'known' });
    }
    return { modelId, lastApproved, versions: [...versions.values()].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0)) };
  }
}
