/**
 * Compliance as code: a rule pack is data (YAML or JSON) naming a framework and a list of rules; each
 * rule cites the clause it implements, applies to some risk classes, and runs one check of a closed
 * set of kinds. One engine (evaluate.ts) runs the packs in CI (`vigil check`) and in the running system.
 */
import type { DeploymentManifest, RiskClass } from '../manifest/types.js';

export const SEVERITIES = ['error', 'warning', 'note'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHECK_KINDS = ['required', 'licences', 'banned-packages', 'approvals', 'risk-class', 'rollback-target', 'io-logging', 'monitoring', 'retention'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export type Check =
  /** Each path (dotted, into the manifest) holds a non-empty value. */
  | { readonly kind: 'required'; readonly paths: readonly string[] }
  /** Every SBOM component's licences are allowed and none denied; `unknown` says what a component without one gets. */
  | { readonly kind: 'licences'; readonly allow?: readonly string[]; readonly deny?: readonly string[]; readonly unknown: 'fail' | 'pass' }
  /** No SBOM component matches a banned name (and version constraint, when given). */
  | { readonly kind: 'banned-packages'; readonly packages: readonly BannedPackage[] }
  /** Distinct approvers, never the submitter, at least the number the risk class requires. */
  | { readonly kind: 'approvals'; readonly minimum: Readonly<Partial<Record<RiskClass, number>>> }
  /** The risk class is not one the framework prohibits. */
  | { readonly kind: 'risk-class'; readonly forbidden: readonly RiskClass[] }
  /** A rollback target is named (and approved earlier, when the registry is known), or the manifest says why there is none. */
  | { readonly kind: 'rollback-target' }
  /** I/O logging is on, and encrypted when `encrypted` is true. */
  | { readonly kind: 'io-logging'; readonly encrypted: boolean }
  /** Every feature has a drift detector; every LLM a hallucination detector. */
  | { readonly kind: 'monitoring'; readonly driftPerFeature: boolean; readonly hallucinationForLlm: boolean }
  /** A retention period (days, at `path`) lies within bounds. */
  | { readonly kind: 'retention'; readonly path: string; readonly minDays?: number; readonly maxDays?: number };

export interface BannedPackage {
  readonly name: string;
  /** Constraints such as `<4.17.21`, `=1.0.0`, `>=2.0.0 <2.3.1`; any one matching bans the version. Absent: every version. */
  readonly versions?: readonly string[];
  readonly reason: string;
}

export interface Clause {
  /** The framework, from the pack: `EU AI Act`, `NIST AI RMF`, `ISO/IEC 42001`. */
  readonly framework: string;
  /** The clause reference: `Art. 12(1)`, `MEASURE 2.4`, `A.6.2.8`. */
  readonly ref: string;
  readonly title: string;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly clause: { readonly ref: string; readonly title: string };
  readonly severity: Severity;
  /** Risk classes the rule applies to (default: all). */
  readonly riskClasses?: readonly RiskClass[];
  readonly check: Check;
}

export interface RulePack {
  readonly pack: string;
  readonly framework: string;
  readonly title: string;
  readonly version: string;
  readonly rules: readonly Rule[];
  /** Where it was read from (file path or `builtin:<name>`). */
  readonly origin: string;
}

export interface Approval {
  readonly actor: string;
  readonly at: number;
}

/** What the running system knows beyond the manifest; every part optional (CI usually has none). */
export interface EvaluationContext {
  /** Approvals recorded so far; absent: approvals are not evaluated (not-applicable). */
  readonly approvals?: readonly Approval[];
  /** Who submitted the version (approvals by them do not count). */
  readonly submitter?: string;
  /** Versions of the model approved before this one; absent: the rollback target is only checked for presence. */
  readonly approvedEarlier?: readonly string[];
}

export interface Finding {
  readonly pack: string;
  readonly ruleId: string;
  readonly clause: Clause;
  readonly severity: Severity;
  readonly message: string;
  /** Dotted path of the manifest field at fault (`(root)` for the manifest as a whole). */
  readonly path: string;
}

export type RuleStatus = 'pass' | 'fail' | 'not-applicable';

export interface RuleOutcome {
  readonly pack: string;
  readonly rule: Rule;
  readonly clause: Clause;
  readonly status: RuleStatus;
  readonly findings: readonly Finding[];
  /** Why the rule did not apply. */
  readonly note?: string;
}

export interface CheckReport {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly riskClass: RiskClass;
  readonly packs: readonly { readonly pack: string; readonly framework: string; readonly version: string }[];
  readonly outcomes: readonly RuleOutcome[];
  readonly findings: readonly Finding[];
  /** True when no finding has severity `error`. */
  readonly passed: boolean;
  readonly counts: { readonly pass: number; readonly fail: number; readonly notApplicable: number; readonly errors: number; readonly warnings: number };
}

export type Manifest = DeploymentManifest;
