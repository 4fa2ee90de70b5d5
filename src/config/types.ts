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

export interface VigilConfig {
  readonly engine: EngineSettings;
  readonly detectors: DetectorsSettings;
  readonly policy: PolicySettings;
  readonly models: Readonly<Record<string, ModelOverride>>;
  readonly iolog: IoLogSettings;
  readonly encryption: EncryptionSettings;
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
