/**
 * What the admin API reads and writes, as small interfaces, with in-process implementations:
 *
 * - `ModelProvider`: models and their versions (from the configuration now; the governance registry
 *   later).
 * - `ConfigRecords`: the state of the compacted `vigil.config` topic as the API knows it (detector
 *   overrides and silences), and the `publish` port that writes a record there (Kafka: see
 *   src/pipeline/sink/admin-config.ts).
 * - `GovernanceActions`, `AuditService`: filled in by the governance package; until then their routes
 *   answer 501.
 *
 * Silences travel on `vigil.config` next to detector overrides, as `DetectorConfig` records keyed
 * `silence:<silenceId>` whose `config` is the canonical JSON of a `SilenceRecord` (README: "Silences").
 * Keys starting with `silence:` are reserved: no model id may start with it.
 */
import type { AuditEntry } from '../pipeline/policy/audit.js';
import { randomUUID } from 'node:crypto';
import type { DetectorConfig, IoLogRecord, RollbackCommand } from '../contracts/records.js';
import type { IoLogFilter } from '../iolog/reader.js';
import type { Envelope } from '../security/crypto/envelope.js';
import { canonicalJson } from '../config/canonical.js';
import { effectiveConfig, parseModelOverride } from '../config/models.js';
import type { ModelOverride, ModelSettings, VigilConfig } from '../config/types.js';
import { VigilError } from '../errors.js';
import type { Principal } from '../security/roles.js';

export const SILENCE_KEY_PREFIX = 'silence:';

export interface ModelVersionInfo {
  readonly version: string;
  readonly state: 'approved' | 'known';
}
export interface ModelInfo {
  readonly modelId: string;
  readonly lastApproved: string | null;
  readonly versions: readonly ModelVersionInfo[];
}
export interface ModelProvider {
  list(): ModelInfo[];
  get(modelId: string): ModelInfo | undefined;
}

/** Models named in the configuration (`policy.lastApproved`, `models`), plus versions known otherwise. */
export class ConfiguredModels implements ModelProvider {
  readonly #models = new Map<string, ModelInfo>();
  constructor(config: VigilConfig, known: Readonly<Record<string, readonly string[]>> = {}) {
    const ids = new Set([...Object.keys(config.policy.lastApproved), ...Object.keys(config.models), ...Object.keys(known)]);
    for (const modelId of [...ids].sort()) {
      const lastApproved = Object.hasOwn(config.policy.lastApproved, modelId) ? (config.policy.lastApproved[modelId] ?? null) : null;
      const versions = new Set([...(lastApproved === null ? [] : [lastApproved]), ...(Object.hasOwn(known, modelId) ? (known[modelId] ?? []) : [])]);
      this.#models.set(modelId, {
        modelId,
        lastApproved,
        versions: [...versions].sort().map((version) => ({ version, state: version === lastApproved ? 'approved' : 'known' })),
      });
    }
  }
  list(): ModelInfo[] {
    return [...this.#models.values()];
  }
  get(modelId: string): ModelInfo | undefined {
    return this.#models.get(modelId);
  }
}

export interface SilenceMatchers {
  readonly kind?: string;
  readonly severity?: string;
  readonly detector?: string;
  readonly feature?: string;
}

/** The silence record (the `config` JSON of a `silence:<id>` record on vigil.config). */
export interface SilenceRecord {
  readonly kind: 'silence';
  readonly silenceId: string;
  readonly modelId: string;
  /** Every given matcher must equal the alert's field; none given: every alert of the model. */
  readonly matchers: SilenceMatchers;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly comment: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiredAt: number | null;
  readonly expiredBy: string | null;
}

/** Whether a silence mutes alerts at `now`. */
export function silenceActive(s: SilenceRecord, now: number): boolean {
  const end = s.expiredAt === null ? s.endsAt : Math.min(s.endsAt, s.expiredAt);
  return s.startsAt <= now && now < end;
}

export interface StoredOverride {
  readonly record: DetectorConfig;
  readonly override: ModelOverride;
}

/** Writes one record to vigil.config (key, value); resolves once the broker acknowledged it. */
/**
 * Writes a vigil.config record and, when given, the audit record of the decision in the same
 * transaction (null: a record without an audit entry of its own).
 */
export type ConfigPublish = (key: string, value: DetectorConfig, audit: AuditEntry | null) => Promise<void>;

/** Builds the audit entry of a change from what it writes. */
export type AuditOf<T> = (written: T) => AuditEntry;

/**
 * The API's view of vigil.config: fed by `fold` (records read from the topic at start-up) and by its
 * own writes (read-your-writes). Validates every change before publishing it.
 */
export class ConfigRecords {
  readonly #config: VigilConfig;
  readonly #publish: ConfigPublish;
  readonly #newId: () => string;
  readonly #overrides = new Map<string, StoredOverride>();
  readonly #silences = new Map<string, { revision: number; silence: SilenceRecord }>();

  constructor(config: VigilConfig, publish: ConfigPublish, newId: () => string = () => randomUUID().replace(/-/g, '')) {
    this.#config = config;
    this.#publish = publish;
    this.#newId = newId;
  }

  /** Applies a record read from the topic (a tombstone is `null`); unreadable records are skipped and reported. */
  fold(key: string, value: DetectorConfig | null): string | null {
    if (key.startsWith(SILENCE_KEY_PREFIX)) {
      const id = key.slice(SILENCE_KEY_PREFIX.length);
      if (value === null) {
        this.#silences.delete(id);
        return null;
      }
      try {
        const silence = JSON.parse(value.config) as SilenceRecord;
        if (silence.kind !== 'silence' || silence.silenceId !== id) return `record ${key} is not a silence record`;
        this.#silences.set(id, { revision: value.revision, silence });
        return null;
      } catch (error) {
        if (error instanceof SyntaxError) return `record ${key} is not JSON`;
        throw error;
      }
    }
    if (value === null) {
      this.#overrides.delete(key);
      return null;
    }
    try {
      this.#overrides.set(key, { record: value, override: parseModelOverride(value.config, `vigil.config[${key}] revision ${value.revision}`) });
      return null;
    } catch (error) {
      if (error instanceof VigilError) return error.message;
      throw error;
    }
  }

  get(modelId: string): { record: DetectorConfig | null; override: ModelOverride | null; effective: ModelSettings } {
    const stored = this.#overrides.get(modelId);
    return { record: stored?.record ?? null, override: stored?.override ?? null, effective: effectiveConfig(this.#config, modelId, stored?.override) };
  }

  /** Validates `document` as a live override of `modelId` and publishes the next revision. */
  async update(modelId: string, document: unknown, actor: Principal, now: number, audit?: AuditOf<DetectorConfig>): Promise<{ record: DetectorConfig; effective: ModelSettings }> {
    if (modelId.startsWith(SILENCE_KEY_PREFIX)) throw new VigilError('VIGIL_INPUT_INVALID', `model ids starting with "${SILENCE_KEY_PREFIX}" are reserved for silences`);
    const origin = `the configuration of model ${JSON.stringify(modelId)}`;
    const override = parseModelOverride(JSON.stringify(document), origin);
    const effective = effectiveConfig(this.#config, modelId, override, origin);
    const revision = (this.#overrides.get(modelId)?.record.revision ?? 0) + 1;
    const record: DetectorConfig = { modelId, revision, updatedAt: now, updatedBy: actor.id, config: canonicalJson(override) };
    await this.#publish(modelId, record, audit?.(record) ?? null);
    this.#overrides.set(modelId, { record, override });
    return { record, effective };
  }

  silences(modelId: string): SilenceRecord[] {
    return [...this.#silences.values()].map((s) => s.silence).filter((s) => s.modelId === modelId).sort((a, b) => a.createdAt - b.createdAt);
  }

  async createSilence(
    modelId: string,
    spec: { matchers?: SilenceMatchers; startsAt?: number; endsAt: number; comment: string },
    actor: Principal,
    now: number,
    audit?: AuditOf<SilenceRecord>,
  ): Promise<SilenceRecord> {
    const startsAt = spec.startsAt ?? now;
    if (spec.endsAt <= startsAt) throw new VigilError('VIGIL_INPUT_INVALID', `endsAt (${spec.endsAt}) must be after startsAt (${startsAt})`, { details: { field: 'endsAt' } });
    const silence: SilenceRecord = {
      kind: 'silence',
      silenceId: this.#newId(),
      modelId,
      matchers: { ...(spec.matchers ?? {}) },
      startsAt,
      endsAt: spec.endsAt,
      comment: spec.comment,
      createdBy: actor.id,
      createdAt: now,
      expiredAt: null,
      expiredBy: null,
    };
    await this.#writeSilence(silence, 1, actor, now, audit);
    return silence;
  }

  async expireSilence(modelId: string, silenceId: string, actor: Principal, now: number, audit?: AuditOf<SilenceRecord>): Promise<SilenceRecord> {
    const current = this.#silences.get(silenceId);
    if (current === undefined || current.silence.modelId !== modelId) {
      throw new VigilError('VIGIL_NOT_FOUND', `model ${JSON.stringify(modelId)} has no silence ${JSON.stringify(silenceId)}`);
    }
    if (current.silence.expiredAt !== null) return current.silence;
    const silence: SilenceRecord = { ...current.silence, expiredAt: now, expiredBy: actor.id };
    await this.#writeSilence(silence, current.revision + 1, actor, now, audit);
    return silence;
  }

  async #writeSilence(silence: SilenceRecord, revision: number, actor: Principal, now: number, audit: AuditOf<SilenceRecord> | undefined): Promise<void> {
    const record: DetectorConfig = { modelId: silence.modelId, revision, updatedAt: now, updatedBy: actor.id, config: canonicalJson(silence) };
    await this.#publish(`${SILENCE_KEY_PREFIX}${silence.silenceId}`, record, audit?.(silence) ?? null);
    this.#silences.set(silence.silenceId, { revision, silence });
  }
}

export type GovernanceAction = 'submit' | 'approve' | 'reject' | 'deploy' | 'rollback' | 'retire';

export interface GovernanceRequest {
  readonly action: GovernanceAction;
  readonly modelId: string;
  /** null for rollback (the model's serving version is rolled back). */
  readonly version: string | null;
  readonly actor: Principal;
  readonly body: {
    readonly reason?: string;
    readonly manifest?: Record<string, unknown>;
    readonly environment?: string;
    /** rollback: the version to go back to (default: the last approved version before the serving one). */
    readonly toVersion?: string;
    /** deploy: the approved earlier version a rollback would go to ... */
    readonly rollbackTarget?: string;
    /** ... or why there is none. */
    readonly noTargetReason?: string;
  };
  readonly now: number;
  /** The request's id, carried into the decision's audit record. */
  readonly requestId?: string;
}

export interface GovernanceOutcome {
  readonly eventId: string;
  readonly type: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly actor: string;
  readonly timestamp: number;
  /** The version's status in the registry after the action. */
  readonly status?: string;
  /** Every event the action wrote, in order (submit writes the submission and its check result). */
  readonly events?: readonly string[];
  /** submit: the compliance check's result. */
  readonly check?: { readonly passed: boolean; readonly errors: number; readonly warnings: number; readonly findings: readonly { readonly ruleId: string; readonly severity: string; readonly clause: string; readonly path: string; readonly message: string }[] };
  /** An approved response: the command written to vigil.rollback in the same transaction. */
  readonly command?: RollbackCommand;
  /**
   * The seq of the decision's audit record on the admin chain, when the implementation wrote it in the
   * same transaction as the decision; without it the API writes the audit record after the decision.
   */
  readonly auditSeq?: number;
}

/** The approval of a command the response policy asked a person to approve (its GOVERNANCE alert names the command id). */
export interface ResponseApprovalRequest {
  readonly modelId: string;
  readonly commandId: string;
  readonly actor: Principal;
  readonly reason: string | null;
  readonly now: number;
  readonly requestId?: string;
}

/** Implemented by the governance gate; it must call `checkApproval` (src/security/duties.ts) for approvals. */
export interface GovernanceActions {
  perform(request: GovernanceRequest): Promise<GovernanceOutcome>;
  /** Issues an approved response command; absent: the route answers 501. */
  approveResponse?(request: ResponseApprovalRequest): Promise<GovernanceOutcome>;
}

export interface AuditChainResult {
  readonly chainId: string;
  readonly ok: boolean;
  readonly count: number;
  readonly seq?: number | null;
  readonly reason?: string;
  readonly checkpoints?: number;
  readonly findings?: readonly { readonly kind: string; readonly index: number | null; readonly seq: number | null; readonly message: string }[];
}

export interface AuditVerifyReport {
  readonly ok: boolean;
  readonly chains: readonly AuditChainResult[];
}

export type ReportFormat = 'json' | 'md' | 'html';

export interface ReportRequest {
  readonly modelId: string;
  readonly format: ReportFormat;
  readonly from: number | null;
  readonly to: number | null;
}

/** A rendered report: JSON (an object) or text (Markdown, HTML) with its content type. */
export type RenderedReport = { readonly format: 'json'; readonly body: { generatedAt: number } & Record<string, unknown> } | { readonly format: 'md' | 'html'; readonly contentType: string; readonly body: string };

/** Implemented by the governance package (audit verify / report). */
export interface AuditService {
  verify(chainId: string | undefined): Promise<AuditVerifyReport>;
  report(request: ReportRequest): Promise<RenderedReport>;
}

/**
 * What the I/O log route reads: the records of one model (the iolog topic, read to its end, or a
 * fixture), the envelope that opens them (it caches unwrapped data keys), the full topic name their
 * encryption is bound to, and each model's retention.
 */
export interface IoLogPort {
  readonly topic: string;
  readonly envelope: Envelope;
  records(filter: IoLogFilter): Promise<readonly IoLogRecord[]>;
  retentionMs(modelId: string): number;
}
