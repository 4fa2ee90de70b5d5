/**
 * Compliance of the running system: every governance event about a deployed version (its deployment,
 * later approvals, a rollback or retirement of others it depends on) re-evaluates the rule packs over
 * its manifest with what the registry now knows, and each error or warning that was not there before
 * (at deployment: every one) becomes a GOVERNANCE alert (CRITICAL for an error), citing its clause,
 * with its audit record.
 *
 * The history read at start-up sets what is already known, without alerting; only events that arrive
 * afterwards raise alerts, so a restart does not repeat them. Alert ids are derived from the version,
 * the rule and the event that revealed the finding.
 */
import type { Alert, GovernanceEvent } from '../contracts/records.js';
import { canonicalHash } from '../config/canonical.js';
import { evaluate } from '../governance/compliance/evaluate.js';
import type { Finding, RulePack } from '../governance/compliance/types.js';
import { checkManifest } from '../governance/manifest/validate.js';
import type { DeploymentManifest } from '../governance/manifest/types.js';
import { complianceContext, versionOf } from '../governance/registry/index.js';
import type { RegistryState } from '../governance/registry/index.js';
import { fingerprint } from '../pipeline/policy/fingerprint.js';

export const COMPLIANCE_DETECTOR = 'compliance';

export interface ComplianceWatchOptions {
  readonly packs: readonly RulePack[];
  /** The registry as it stands after the event (the caller folds it first). */
  readonly registry: () => RegistryState;
  /** Publishes an alert and its audit record. */
  readonly raise: (alert: Alert) => Promise<void>;
  readonly governanceTopic: string;
  readonly onError?: (error: unknown) => void;
}

function findingKey(f: Finding): string {
  return `${f.pack}\u0000${f.ruleId}\u0000${f.path}`;
}

export class ComplianceWatch {
  readonly #options: ComplianceWatchOptions;
  /** Manifests by model id and version, from the submissions read. */
  readonly #manifests = new Map<string, DeploymentManifest>();
  /** The findings last seen per version. */
  readonly #findings = new Map<string, Set<string>>();
  #live = false;

  constructor(options: ComplianceWatchOptions) {
    this.#options = options;
  }

  /** From now on new findings raise alerts (call once the history has been read). */
  goLive(): void {
    this.#live = true;
  }

  /** Takes one governance event, after the registry has folded it; returns the alerts it raised. */
  async onEvent(event: GovernanceEvent, at: { readonly partition: number; readonly offset: string }): Promise<Alert[]> {
    const key = `${event.modelId}\u0000${event.modelVersion}`;
    if (event.type === 'MANIFEST_SUBMITTED') {
      try {
        const payload = JSON.parse(event.payload) as { manifest?: unknown };
        if (payload.manifest !== undefined) this.#manifests.set(key, checkManifest(payload.manifest, `the submission ${event.eventId}`));
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
    const manifest = this.#manifests.get(key);
    if (manifest === undefined) return [];
    const state = this.#options.registry();
    // Before deployment the submission's check reports findings; what the running system watches is a
    // deployed version falling out of compliance (or deployed with findings): all of them count as new
    // at deployment.
    if (versionOf(state, event.modelId, event.modelVersion)?.status !== 'deployed') {
      this.#findings.set(key, new Set());
      return [];
    }
    const report = evaluate(manifest, complianceContext(state, event.modelId, event.modelVersion), this.#options.packs);
    const before = this.#findings.get(key) ?? new Set<string>();
    const now = new Set(report.findings.map(findingKey));
    this.#findings.set(key, now);
    if (!this.#live) return [];
    const fresh = report.findings.filter((f) => !before.has(findingKey(f)));
    const alerts = fresh.map((f) => this.#alert(event, at, f));
    for (const alert of alerts) await this.#options.raise(alert);
    return alerts;
  }

  #alert(event: GovernanceEvent, where: { readonly partition: number; readonly offset: string }, f: Finding): Alert {
    const fp = fingerprint(event.modelId, event.modelVersion, COMPLIANCE_DETECTOR, f.ruleId);
    const at = Number(where.offset);
    return {
      alertId: canonicalHash(['vigil.alert.compliance.v1', event.modelId, event.modelVersion, f.pack, f.ruleId, f.path, event.eventId]),
      fingerprint: fp,
      status: 'FIRING',
      severity: f.severity === 'error' ? 'CRITICAL' : 'WARNING',
      kind: 'GOVERNANCE',
      modelId: event.modelId,
      modelVersion: event.modelVersion,
      detector: COMPLIANCE_DETECTOR,
      feature: f.ruleId,
      score: 1,
      threshold: 1,
      windowStart: event.timestamp,
      windowEnd: event.timestamp + 1,
      startsAt: event.timestamp,
      evidence: {
        pack: f.pack,
        rule: f.ruleId,
        framework: f.clause.framework,
        clause: f.clause.ref,
        clauseTitle: f.clause.title,
        message: f.message.slice(0, 1000),
        path: f.path,
        revealedBy: `${event.type} ${event.eventId}`,
      },
      source: { topic: this.#options.governanceTopic, partition: where.partition, firstOffset: at, lastOffset: at },
      configHash: '',
      referenceId: canonicalHash(manifestOf(this.#manifests, event)),
    };
  }
}

function manifestOf(manifests: ReadonlyMap<string, DeploymentManifest>, event: GovernanceEvent): unknown {
  return manifests.get(`${event.modelId}\u0000${event.modelVersion}`) ?? null;
}
