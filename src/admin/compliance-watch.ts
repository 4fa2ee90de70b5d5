/**
 * Compliance of the running system: every governance event about a deployed version (its deployment,
 * later approvals, a rollback or retirement of others it depends on) re-evaluates the rule packs over
 * its manifest with what the registry now knows, and each error or warning that was not there before
 * (at deployment: every one) becomes a GOVERNANCE alert (CRITICAL for an error), citing its clause,
 * with its audit record.
 *
 * With the live configuration (`configuration`), the packs also run over the manifest overlaid with
 * what the running configuration monitors and logs (src/governance/compliance/live.ts), and a
 * `vigil.config` record folded for a model re-evaluates every deployed version of it the same way.
 *
 * The history read at start-up sets what is already known, without alerting; only events and records
 * that arrive afterwards raise alerts, so a restart does not repeat them. A finding that disappears
 * and comes back later alerts again. Alert ids are derived from the version, the rule and the event
 * (or the configuration record's position) that revealed the finding.
 */
import type { Alert, DetectorConfig, GovernanceEvent } from '../contracts/records.js';
import { canonicalHash } from '../config/canonical.js';
import { evaluate } from '../governance/compliance/evaluate.js';
import { evaluateLive, LIVE_PATH_PREFIX, type LiveFacts } from '../governance/compliance/live.js';
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
  /** The live facts of a model as the configuration now stands (the caller folds records first); absent: the manifest alone. */
  readonly configuration?: (modelId: string) => LiveFacts;
  /** Where configuration records are read from (the `source` of the alerts they reveal). */
  readonly configTopic?: string;
  readonly onError?: (error: unknown) => void;
}

/** Where a record was read: its partition and offset. */
export interface Position {
  readonly partition: number;
  readonly offset: string;
}

/** What revealed a finding: an id that goes into the alert id, a description, a time and a position. */
interface Trigger {
  readonly id: string;
  readonly revealedBy: string;
  readonly timestamp: number;
  readonly topic: string;
  readonly at: Position;
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
  async onEvent(event: GovernanceEvent, at: Position): Promise<Alert[]> {
    const key = `${event.modelId}\u0000${event.modelVersion}`;
    if (event.type === 'MANIFEST_SUBMITTED') {
      try {
        const payload = JSON.parse(event.payload) as { manifest?: unknown };
        if (payload.manifest !== undefined) this.#manifests.set(key, checkManifest(payload.manifest, `the submission ${event.eventId}`));
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
    const trigger: Trigger = { id: event.eventId, revealedBy: `${event.type} ${event.eventId}`, timestamp: event.timestamp, topic: this.#options.governanceTopic, at };
    return this.#raise(this.#reevaluate(event.modelId, event.modelVersion, trigger));
  }

  /**
   * Takes one configuration record of `modelId` (null: a tombstone), after the live configuration has
   * folded it; re-evaluates every deployed version of the model and returns the alerts it raised.
   * `timestamp` is the record's time on the topic (used when the record carries none, as a tombstone).
   */
  async onConfig(modelId: string, record: DetectorConfig | null, at: Position & { readonly timestamp: number }): Promise<Alert[]> {
    const model = this.#options.registry().models[modelId];
    if (model === undefined || this.#options.configuration === undefined) return [];
    const trigger: Trigger = {
      id: `config@${at.partition}:${at.offset}`,
      revealedBy: record === null ? `vigil.config tombstone of ${modelId}` : `vigil.config revision ${record.revision} of ${modelId} by ${record.updatedBy}`,
      timestamp: record?.updatedAt ?? at.timestamp,
      topic: this.#options.configTopic ?? '',
      at,
    };
    const pending = model.order.flatMap((version) => this.#reevaluate(modelId, version, trigger));
    return this.#raise(pending);
  }

  /** Evaluates one version and remembers its findings; the alerts for those that are new (none before going live). */
  #reevaluate(modelId: string, version: string, trigger: Trigger): Alert[] {
    const key = `${modelId}\u0000${version}`;
    const manifest = this.#manifests.get(key);
    if (manifest === undefined) return [];
    const state = this.#options.registry();
    // Before deployment the submission's check reports findings; what the running system watches is a
    // deployed version falling out of compliance (or deployed with findings): all of them count as new
    // at deployment.
    if (versionOf(state, modelId, version)?.status !== 'deployed') {
      this.#findings.set(key, new Set());
      return [];
    }
    const context = complianceContext(state, modelId, version);
    const facts = this.#options.configuration?.(modelId);
    const findings = [...evaluate(manifest, context, this.#options.packs).findings, ...(facts === undefined ? [] : evaluateLive(manifest, context, this.#options.packs, facts))];
    const before = this.#findings.get(key) ?? new Set<string>();
    this.#findings.set(key, new Set(findings.map(findingKey)));
    if (!this.#live) return [];
    return findings.filter((f) => !before.has(findingKey(f))).map((f) => this.#alert({ modelId, version, manifest }, trigger, f, facts));
  }

  async #raise(alerts: readonly Alert[]): Promise<Alert[]> {
    for (const alert of alerts) await this.#options.raise(alert);
    return [...alerts];
  }

  #alert(subject: { modelId: string; version: string; manifest: DeploymentManifest }, trigger: Trigger, f: Finding, facts: LiveFacts | undefined): Alert {
    const { modelId, version: modelVersion, manifest } = subject;
    const live = f.path.startsWith(LIVE_PATH_PREFIX);
    const at = Number(trigger.at.offset);
    return {
      alertId: canonicalHash(['vigil.alert.compliance.v1', modelId, modelVersion, f.pack, f.ruleId, f.path, trigger.id]),
      fingerprint: fingerprint(modelId, modelVersion, COMPLIANCE_DETECTOR, f.ruleId),
      status: 'FIRING',
      severity: f.severity === 'error' ? 'CRITICAL' : 'WARNING',
      kind: 'GOVERNANCE',
      modelId,
      modelVersion,
      detector: COMPLIANCE_DETECTOR,
      feature: f.ruleId,
      score: 1,
      threshold: 1,
      windowStart: trigger.timestamp,
      windowEnd: trigger.timestamp + 1,
      startsAt: trigger.timestamp,
      evidence: {
        pack: f.pack,
        rule: f.ruleId,
        framework: f.clause.framework,
        clause: f.clause.ref,
        clauseTitle: f.clause.title,
        message: f.message.slice(0, 1000),
        path: f.path,
        basis: live ? 'live configuration' : 'manifest',
        revealedBy: trigger.revealedBy,
      },
      source: { topic: trigger.topic, partition: trigger.at.partition, firstOffset: at, lastOffset: at },
      configHash: live && facts !== undefined ? facts.configHash : '',
      referenceId: canonicalHash(manifest),
    };
  }
}
