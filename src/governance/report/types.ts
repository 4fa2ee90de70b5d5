/** The evidence report: everything an auditor asks about one model, assembled from the log. */
import type { Alert, GovernanceEvent, RollbackCommand } from '../../contracts/records.js';
import type { AuditVerification } from '../audit/verify.js';
import type { CheckReport, Finding } from '../compliance/types.js';
import type { DeploymentManifest } from '../manifest/types.js';
import type { Refusal, VersionStatus } from '../registry/types.js';

/** One drift score of one feature at one time (from DRIFT alerts or a recorded score series). */
export interface DriftPoint {
  readonly at: number;
  readonly feature: string;
  readonly score: number;
  readonly threshold: number | null;
  readonly version: string | null;
}

/** What the report is built from: plain data, however it was loaded. */
export interface EvidenceInput {
  readonly modelId: string;
  /** Period (ms since the epoch, inclusive); null: unbounded. */
  readonly from: number | null;
  readonly to: number | null;
  readonly generatedAt: number;
  readonly manifests: readonly DeploymentManifest[];
  /** Compliance results per manifest version. */
  readonly checks: readonly CheckReport[];
  readonly governance: readonly GovernanceEvent[];
  readonly alerts: readonly Alert[];
  readonly rollbacks: readonly RollbackCommand[];
  readonly drift: readonly DriftPoint[];
  /** Verification of the audit chains; null when no audit trail was given. */
  readonly audit: readonly AuditVerification[] | null;
  /** Records the loader could not read (topic, partition, offset and why). */
  readonly unreadable?: readonly string[];
}

export interface VersionSummary {
  readonly version: string;
  readonly status: VersionStatus | 'unknown';
  readonly riskClass: string | null;
  readonly submitter: string | null;
  readonly submittedAt: number | null;
  readonly approvals: readonly { readonly actor: string; readonly at: number }[];
  readonly rejection: { readonly actor: string; readonly at: number; readonly reason: string } | null;
  readonly deployment: { readonly actor: string; readonly at: number; readonly rollbackTarget: string | null; readonly noTargetReason: string | null } | null;
}

export interface ManifestSummary {
  readonly version: string;
  readonly capturedAt: string;
  readonly owner: string | null;
  readonly intendedUse: string | null;
  readonly riskClass: string;
  readonly artifactSha256: string;
  readonly environmentHash: string;
  readonly runtimes: Readonly<Record<string, string>>;
  readonly platform: string;
  readonly containerImageDigest: string | null;
  readonly gitCommit: string | null;
  readonly sbom: { readonly components: number; readonly byEcosystem: Readonly<Record<string, number>>; readonly byLicence: Readonly<Record<string, number>> };
  readonly documents: readonly string[];
}

export interface EvidenceReport {
  readonly modelId: string;
  readonly period: { readonly from: number | null; readonly to: number | null };
  readonly generatedAt: number;
  readonly manifests: readonly ManifestSummary[];
  readonly checks: readonly { readonly version: string; readonly passed: boolean; readonly counts: CheckReport['counts']; readonly packs: CheckReport['packs']; readonly findings: readonly Finding[] }[];
  readonly versions: readonly VersionSummary[];
  /** Governance events in order, for the timeline. */
  readonly timeline: readonly { readonly at: number; readonly type: string; readonly version: string; readonly actor: string; readonly reason: string | null }[];
  readonly refusedEvents: readonly Refusal[];
  readonly deployments: readonly { readonly version: string; readonly at: number; readonly actor: string; readonly rollbackTarget: string | null; readonly noTargetReason: string | null }[];
  readonly alerts: readonly { readonly at: number; readonly severity: string; readonly kind: string; readonly version: string; readonly detector: string; readonly feature: string | null; readonly score: number; readonly threshold: number; readonly alertId: string }[];
  readonly alertCounts: Readonly<Record<string, number>>;
  readonly rollbacks: readonly { readonly at: number; readonly from: string; readonly to: string; readonly action: string; readonly by: string; readonly reason: string; readonly alertIds: readonly string[] }[];
  readonly drift: Readonly<Record<string, readonly DriftPoint[]>>;
  readonly audit: { readonly verified: boolean; readonly chains: readonly AuditVerification[] } | null;
  readonly unreadable: readonly string[];
}
