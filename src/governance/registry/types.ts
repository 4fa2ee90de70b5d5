/**
 * The governance registry: the state of every model version, a fold of the GovernanceEvent log.
 *
 *   submitted ─► checked ─► approved ─► deployed ─► rolled-back
 *       │   └─► check-failed    │           │   └─► superseded (another version deployed)
 *       │          (resubmit)   │           └─► retired
 *       └─► rejected (resubmit) └─► retired
 *   submitted, checked and check-failed expire `submissionTtlMs` after submission (then: resubmit).
 *
 * Roles come in each event's payload (`roles`), as the admin API asserted them for the actor when it
 * wrote the event: `approver` approves and rejects, `operator` deploys, rolls back and retires, and
 * `engine` (the response policy) may roll back.
 */
import type { RiskClass } from '../manifest/types.js';

export const VERSION_STATUSES = ['submitted', 'checked', 'check-failed', 'approved', 'rejected', 'deployed', 'superseded', 'rolled-back', 'retired', 'expired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export interface RegistryPolicy {
  /** Distinct approvers needed per risk class (never the submitter). */
  readonly approvals: Readonly<Record<RiskClass, number>>;
  /** How long a submission may wait for its check and approvals. */
  readonly submissionTtlMs: number;
  readonly roles: { readonly approver: string; readonly operator: string; readonly engine: string };
}

export const DEFAULT_POLICY: RegistryPolicy = Object.freeze({
  approvals: Object.freeze({ minimal: 1, limited: 1, high: 2, unacceptable: Number.POSITIVE_INFINITY }),
  submissionTtlMs: 14 * 24 * 3600 * 1000,
  roles: Object.freeze({ approver: 'approver', operator: 'operator', engine: 'engine' }),
});

export interface Approval {
  readonly actor: string;
  readonly at: number;
  readonly eventId: string;
}

export interface VersionRecord {
  readonly modelId: string;
  readonly version: string;
  /** The stored status; pending statuses past `expiresAt` read as `expired` (see statusAt). */
  readonly status: VersionStatus;
  readonly riskClass: RiskClass;
  readonly manifestHash: string;
  readonly environmentHash: string | null;
  readonly submitter: string;
  readonly submittedAt: number;
  readonly expiresAt: number;
  /** 1 for the first submission, +1 per resubmission. */
  readonly attempt: number;
  readonly requiredApprovals: number;
  readonly check: { readonly passed: boolean; readonly at: number; readonly errors: number; readonly warnings: number } | null;
  readonly approvals: readonly Approval[];
  readonly approvedAt: number | null;
  readonly rejection: { readonly actor: string; readonly at: number; readonly reason: string } | null;
  readonly deployment: { readonly actor: string; readonly at: number; readonly rollbackTarget: string | null; readonly noTargetReason: string | null } | null;
  readonly rollback: { readonly actor: string; readonly at: number; readonly toVersion: string; readonly reason: string | null } | null;
  readonly retirement: { readonly actor: string; readonly at: number; readonly reason: string } | null;
}

export interface ModelRecord {
  readonly modelId: string;
  /** Versions in order of first submission. */
  readonly order: readonly string[];
  readonly versions: Readonly<Record<string, VersionRecord>>;
  /** The version in service, if any. */
  readonly deployed: string | null;
  readonly lastEventAt: number;
  readonly eventIds: ReadonlySet<string>;
}

export interface RegistryState {
  readonly policy: RegistryPolicy;
  readonly models: Readonly<Record<string, ModelRecord>>;
}

export const REFUSAL_CODES = [
  'INVALID_EVENT',
  'DUPLICATE_EVENT',
  'OUT_OF_ORDER',
  'UNKNOWN_VERSION',
  'WRONG_STATE',
  'EXPIRED',
  'PROHIBITED_RISK',
  'MISSING_ROLE',
  'SELF_APPROVAL',
  'DUPLICATE_APPROVER',
  'REASON_REQUIRED',
  'BAD_ROLLBACK_TARGET',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly code: RefusalCode;
  readonly eventId: string;
  readonly message: string;
}

export type ApplyResult = { readonly ok: true; readonly state: RegistryState } | { readonly ok: false; readonly refusal: Refusal };

export function emptyRegistry(policy: RegistryPolicy = DEFAULT_POLICY): RegistryState {
  return { policy, models: {} };
}
