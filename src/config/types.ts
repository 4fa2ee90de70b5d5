/**
 * The shape of `vigil.yaml` after validation and defaults. Every object is deep-frozen by the loader,
 * hence `readonly` throughout.
 */

/**
 * One detector's settings. A score at or above `warning` / `critical` (in the detector's own units,
 * higher always worse) raises an alert of that severity; absent thresholds take the detector's defaults.
 */
export interface DetectorSettings {
  readonly enabled: boolean;
  readonly warning?: number;
  readonly critical?: number;
  /** The detector's own parameters, validated by its parseParams. */
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface PsiSettings extends DetectorSettings {
  /** Number of quantile bins of the reference distribution. */
  readonly bins: number;
  /** PSI at or above which a feature is a WARNING. */
  readonly warning: number;
  /** PSI at or above which a feature is CRITICAL. */
  readonly critical: number;
}

/** By detector id (window or event detectors of workers/detectors/registry.ts); psi is always present. */
export interface DetectorsSettings {
  readonly psi: PsiSettings;
  readonly [id: string]: DetectorSettings;
}

export interface WindowSettings {
  /** Events per tumbling window. */
  readonly count: number;
  /** Maximum window duration in event time, milliseconds. */
  readonly timeMs: number;
}

export interface ReferenceSettings {
  /** The first N events after a version starts serving form its reference. */
  readonly events: number;
  /** Reference data file (JSON lines with `features`), as written in the file; null when none. */
  readonly file: string | null;
}

export interface PoolSettings {
  /** Worker threads; 0 lets the pool choose from the machine's available parallelism. */
  readonly threads: number;
  /** Queued tasks before the pool reports saturation; 0 lets the pool choose. */
  readonly maxQueue: number;
}

export interface EngineSettings {
  readonly groupId: string;
  /** Consumer group session: how long a silent (crashed) member keeps its partitions before they move. */
  readonly sessionTimeoutMs: number;
  /** Most bytes one fetch takes from a partition: bounds a batch, and so the memory of one batch. */
  readonly fetchMaxBytesPerPartition: number;
  /**
   * Fetched records decoded by the engine's own one-pass decoder rather than kafkajs's: the same
   * messages, built with less work (a consumer that only counts reads about 1.5× as many events per
   * second; see src/pipeline/source/fast-records.ts and the e2e-ceiling bench).
   */
  readonly fastRecordDecoding: boolean;
  /**
   * The engine's Kafka connections read each response whole into a buffer of its size, rather than
   * keeping kafkajs's 64 KiB chunks and concatenating them (src/pipeline/source/framed-reads.ts).
   */
  readonly framedReads: boolean;
  readonly windows: WindowSettings;
  readonly reference: ReferenceSettings;
  readonly pool: PoolSettings;
}

export interface RollbackSettings {
  /** K: consecutive windows with a CRITICAL score that trip a rollback. */
  readonly consecutiveCriticalWindows: number;
  readonly enabled: boolean;
}

/** Fire after `fireAfter` of the last `of` windows breach; resolve after `resolveAfter` clean windows in a row. */
export interface HysteresisSettings {
  readonly fireAfter: number;
  readonly of: number;
  readonly resolveAfter: number;
}

/** Alertmanager's timers, in event-time milliseconds (0: at the next window that closes). */
export interface GroupingSettings {
  /** How long a new group waits for more alerts before its first notification. */
  readonly waitMs: number;
  /** How long a notified group waits before notifying about changes (new, escalated, resolved alerts). */
  readonly intervalMs: number;
  /** How long before an unchanged group's firing alerts are notified again. */
  readonly repeatMs: number;
}

/** At most `maxAlerts` FIRING notifications per model version in any `perMs` of event time; 0: no limit. */
export interface RateLimitSettings {
  readonly maxAlerts: number;
  readonly perMs: number;
}

export type MatchOperator = '=' | '!=' | '=~' | '!~';

/** One label matcher of a silence; regular expressions match the whole value. */
export interface MatcherSettings {
  readonly label: string;
  readonly op: MatchOperator;
  readonly value: string;
}

/** A silence as written in the file: times are ms since the epoch or ISO 8601 date-times. */
export interface SilenceConfig {
  readonly id: string;
  readonly matchers: readonly MatcherSettings[];
  readonly startsAt?: number | string;
  readonly endsAt: number | string;
  readonly comment?: string;
}

/** A silence in force: event-time milliseconds. */
export interface SilenceSettings {
  readonly id: string;
  readonly matchers: readonly MatcherSettings[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly comment: string;
  readonly createdBy: string;
}

export interface AlertingConfig {
  readonly hysteresis: HysteresisSettings;
  readonly grouping: GroupingSettings;
  readonly rateLimit: RateLimitSettings;
  /** A firing CRITICAL alert of a model version mutes its WARNING alerts. */
  readonly inhibition: { readonly enabled: boolean };
  readonly silences: readonly SilenceConfig[];
}

/** Alerting settings in force for a model (silence times resolved to milliseconds). */
export interface AlertingSettings extends Omit<AlertingConfig, 'silences'> {
  readonly silences: readonly SilenceSettings[];
}

export type ResponseAction = 'ROLLBACK' | 'FALLBACK' | 'SHUTDOWN';

/** One condition → command rule of the response policy. */
export interface ResponseRule {
  readonly action: ResponseAction;
  /** Lowest severity of a firing alert that counts. */
  readonly severity: 'WARNING' | 'CRITICAL';
  /** Windows in a row with such an alert firing that trip the rule. */
  readonly consecutiveWindows: number;
  /** Alert kinds that count; empty: every kind. */
  readonly kinds: readonly string[];
  /** `auto`: the command is issued (approvalId null); `required`: a GOVERNANCE alert asks a person first. */
  readonly approval: 'auto' | 'required';
}

export interface ResponseConfig {
  /** Rules in order; absent: one ROLLBACK rule from `policy.rollback`. */
  readonly rules?: readonly ResponseRule[];
  /** What FALLBACK routes traffic to (a model or rule name); null: FALLBACK cannot be issued. */
  readonly fallbackModel?: string | null;
}

export interface ResponseSettings {
  readonly rules: readonly ResponseRule[];
  readonly fallbackModel: string | null;
}

export interface PolicySettings {
  readonly rollback: RollbackSettings;
  /** Last approved version per model id. */
  readonly lastApproved: Readonly<Record<string, string>>;
}

/** Per-model overrides: in `models.<id>` of the file, or live on the `vigil.config` topic. */
export interface ModelOverride {
  readonly detectors?: { readonly psi?: Partial<PsiSettings>; readonly [id: string]: Partial<DetectorSettings> | undefined };
  readonly windows?: Partial<WindowSettings>;
  readonly reference?: Partial<ReferenceSettings>;
  readonly alerting?: {
    readonly hysteresis?: Partial<HysteresisSettings>;
    readonly grouping?: Partial<GroupingSettings>;
    readonly rateLimit?: Partial<RateLimitSettings>;
    readonly inhibition?: { readonly enabled?: boolean };
    readonly silences?: readonly SilenceConfig[];
  };
  /** Only in the file (`models.<id>.response`), never in a live override. */
  readonly response?: ResponseConfig;
}

/** I/O logging of one model (`iolog` gives the defaults, `iolog.models.<id>` overrides them). */
export interface IoLogModelSettings {
  readonly enabled: boolean;
  /** Fraction of events logged, chosen deterministically from the eventId. */
  readonly sampleRate: number;
  /** Log every event that is evidence of an alert, whatever the sample rate. */
  readonly alwaysOnAlert: boolean;
  /** Records older than this are not returned by readers (and the topic keeps at least the longest). */
  readonly retentionDays: number;
}

export interface RedactionPatternSettings {
  readonly name: string;
  readonly regex: string;
  readonly wholeWord?: boolean;
}

export interface IoLogSettings extends IoLogModelSettings {
  /** Longest text kept per field after redaction. */
  readonly maxTextChars: number;
  readonly redaction: { readonly fields: readonly string[]; readonly patterns: readonly RedactionPatternSettings[] };
  readonly models: Readonly<Record<string, Partial<IoLogModelSettings>>>;
}

export interface EncryptionSettings {
  /** Keyring file of the key-encryption keys; null: `VIGIL_KEK_FILE`, then the variable named by keyEnv. */
  readonly keyFile: string | null;
  /** Environment variable holding a keyring or one base64 key. */
  readonly keyEnv: string;
  /** Records one data key may seal before a new one is made. */
  readonly maxUsesPerDataKey: number;
  /** Encrypt `vigil.state` bodies (see src/security/crypto/section.ts). */
  readonly state: boolean;
  /** Encrypt reference profiles. */
  readonly references: boolean;
}

/** The five roles of the admin API. */
export type Role = 'viewer' | 'operator' | 'approver' | 'auditor' | 'admin';

/** A role grant from the configuration: to one principal or to a group (OIDC groups claim). */
export interface AccessBinding {
  readonly principal?: string;
  readonly group?: string;
  readonly roles: readonly Role[];
  /** Model id globs the roles apply to; absent: every model. */
  readonly models?: readonly string[];
}

export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksFile?: string;
  readonly jwksUrl?: string;
  /** Asymmetric algorithms accepted (default RS256, ES256, EdDSA). */
  readonly algorithms?: readonly string[];
  /** Claim holding the caller's groups (default `groups`). */
  readonly groupsClaim?: string;
  readonly clockToleranceSec?: number;
}

export interface RateSettings {
  readonly requests: number;
  readonly perSeconds: number;
}

export interface InferenceAccessRule {
  readonly principals: readonly string[];
  readonly models: readonly string[];
  /** Endpoint globs; absent: every endpoint. */
  readonly endpoints?: readonly string[];
}

export interface AccessSettings {
  readonly tokens: { readonly file: string };
  readonly oidc: OidcSettings | null;
  readonly bindings: readonly AccessBinding[];
  readonly limits: {
    readonly bodyBytes: number;
    readonly perPrincipal: RateSettings;
    readonly perAddress: RateSettings;
    readonly authFailures: { readonly max: number; readonly windowSec: number };
  };
  readonly cors: { readonly origins: readonly string[] };
  /** Which principals may call which model and endpoint (the inference stream is the access log). */
  readonly inference: { readonly enabled: boolean; readonly rules: readonly InferenceAccessRule[] };
}

export interface VigilConfig {
  readonly engine: EngineSettings;
  readonly detectors: DetectorsSettings;
  readonly policy: PolicySettings;
  /** Alert semantics for every model (per-model: `models.<id>.alerting`). */
  readonly alerting: AlertingConfig;
  /** Response policy for every model (per-model: `models.<id>.response`). */
  readonly response: ResponseConfig;
  readonly models: Readonly<Record<string, ModelOverride>>;
  readonly iolog: IoLogSettings;
  readonly encryption: EncryptionSettings;
  readonly access: AccessSettings;
}

/** What `loadConfig` returns. */
export interface LoadedConfig {
  readonly config: VigilConfig;
  /** SHA-256 (hex) of the canonical JSON of `config`. */
  readonly configHash: string;
  /** Absolute path of the file read, or null when only defaults apply. */
  readonly source: string | null;
}

/** The settings in force for one model: defaults, then `models.<id>`, then the live override. */
export interface ModelSettings {
  readonly modelId: string;
  readonly detectors: DetectorsSettings;
  readonly windows: WindowSettings;
  readonly reference: ReferenceSettings;
  readonly rollback: RollbackSettings;
  readonly alerting: AlertingSettings;
  readonly response: ResponseSettings;
  /** SHA-256 (hex) of the canonical JSON of the fields above: the `configHash` of this model's alerts. */
  readonly configHash: string;
}
