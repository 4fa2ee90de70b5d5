/**
 * The shape of `vigil.yaml` after validation and defaults. Every object is deep-frozen by the loader,
 * hence `readonly` throughout.
 */

export interface PsiSettings {
  readonly enabled: boolean;
  /** Number of quantile bins of the reference distribution. */
  readonly bins: number;
  /** PSI at or above which a feature is a WARNING. */
  readonly warning: number;
  /** PSI at or above which a feature is CRITICAL. */
  readonly critical: number;
}

export interface DetectorsSettings {
  readonly psi: PsiSettings;
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
  readonly windows: WindowSettings;
  readonly reference: ReferenceSettings;
  readonly pool: PoolSettings;
}

export interface RollbackSettings {
  /** K: consecutive windows with a CRITICAL score that trip a rollback. */
  readonly consecutiveCriticalWindows: number;
  readonly enabled: boolean;
}

export interface PolicySettings {
  readonly rollback: RollbackSettings;
  /** Last approved version per model id. */
  readonly lastApproved: Readonly<Record<string, string>>;
}

/** Per-model overrides: in `models.<id>` of the file, or live on the `vigil.config` topic. */
export interface ModelOverride {
  readonly detectors?: { readonly psi?: Partial<PsiSettings> };
  readonly windows?: Partial<WindowSettings>;
  readonly reference?: Partial<ReferenceSettings>;
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
  readonly models: Readonly<Record<string, ModelOverride>>;
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
  /** SHA-256 (hex) of the canonical JSON of the fields above: the `configHash` of this model's alerts. */
  readonly configHash: string;
}
