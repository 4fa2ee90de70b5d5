/**
 * TypeScript shapes of the Avro records in `schemas/*.avsc`, exactly as avsc decodes them when the
 * type is built with `avro.Type.forSchema(schema, { wrapUnions: false })` (see ./schemas.ts):
 *
 * - `timestamp-millis` longs stay plain `number`s (milliseconds since the Unix epoch, UTC); no logical
 *   type implementation is registered.
 * - unions with `"null"` decode to the bare value or `null`; fields are always present after decoding.
 * - maps decode to plain objects (`Record<string, T>`), `bytes` to `Buffer`.
 *
 * Keep this file in step with the `.avsc` files: the unit test in test/unit/contracts checks the enum
 * symbol lists against the schemas and round-trips a sample of every record typed with these shapes.
 */

// ---------------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------------

/** Symbols of `dev.vigil.InferenceStatus`, in schema order. */
export const INFERENCE_STATUS_SYMBOLS = ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'] as const;
/** Outcome of an inference call. */
export type InferenceStatus = (typeof INFERENCE_STATUS_SYMBOLS)[number];

/** Symbols of `dev.vigil.AlertStatus`, in schema order. */
export const ALERT_STATUS_SYMBOLS = ['FIRING', 'RESOLVED'] as const;
/** Lifecycle state of an alert. */
export type AlertStatus = (typeof ALERT_STATUS_SYMBOLS)[number];

/** Symbols of `dev.vigil.Severity`, in schema order (least to most urgent). */
export const SEVERITY_SYMBOLS = ['INFO', 'WARNING', 'CRITICAL'] as const;
/** Alert severity. */
export type Severity = (typeof SEVERITY_SYMBOLS)[number];

/** Symbols of `dev.vigil.AlertKind`, in schema order. */
export const ALERT_KIND_SYMBOLS = [
  'DRIFT',
  'PERFORMANCE',
  'ANOMALY',
  'HALLUCINATION',
  'ACCESS',
  'GOVERNANCE',
  'ENGINE',
] as const;
/** Family of the detector that raised an alert. */
export type AlertKind = (typeof ALERT_KIND_SYMBOLS)[number];

/** Symbols of `dev.vigil.RollbackAction`, in schema order. */
export const ROLLBACK_ACTION_SYMBOLS = ['ROLLBACK', 'FALLBACK', 'SHUTDOWN'] as const;
/** What a rollback command asks the deployment side to do. */
export type RollbackAction = (typeof ROLLBACK_ACTION_SYMBOLS)[number];

/** Symbols of `dev.vigil.IoLogReason`, in schema order. */
export const IO_LOG_REASON_SYMBOLS = ['SAMPLED', 'ALERT'] as const;
/** Why an input/output pair was logged. */
export type IoLogReason = (typeof IO_LOG_REASON_SYMBOLS)[number];

/** Symbols of `dev.vigil.GovernanceEventType`, in schema order. */
export const GOVERNANCE_EVENT_TYPE_SYMBOLS = [
  'MANIFEST_SUBMITTED',
  'CHECK_COMPLETED',
  'APPROVED',
  'REJECTED',
  'DEPLOYED',
  'ROLLED_BACK',
  'RETIRED',
] as const;
/** Kind of governance step. */
export type GovernanceEventType = (typeof GOVERNANCE_EVENT_TYPE_SYMBOLS)[number];

/** Every Avro enum of the contract by its (unqualified) name, with its symbols in schema order. */
export const ENUM_SYMBOLS = {
  InferenceStatus: INFERENCE_STATUS_SYMBOLS,
  AlertStatus: ALERT_STATUS_SYMBOLS,
  Severity: SEVERITY_SYMBOLS,
  AlertKind: ALERT_KIND_SYMBOLS,
  RollbackAction: ROLLBACK_ACTION_SYMBOLS,
  IoLogReason: IO_LOG_REASON_SYMBOLS,
  GovernanceEventType: GOVERNANCE_EVENT_TYPE_SYMBOLS,
} as const;

// ---------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------

/** `dev.vigil.LlmTrace`: trace of one generative call (nested in InferenceEvent.llm). */
export interface LlmTrace {
  /** Prompt text; null when withheld by the producer. */
  prompt: string | null;
  /** Generated answer text. */
  response: string;
  /** Retrieved passages the answer should rest on, in retrieval order (default []). */
  contexts: string[];
  /** Natural-log probability of each generated token, in generation order (default []). */
  tokenLogprobs: number[];
  /** Embedding of the response; null when not computed. */
  responseEmbedding: number[] | null;
  /** Embedding of the retrieved contexts, same space as responseEmbedding; null when not computed. */
  contextEmbedding: number[] | null;
  /** Extra sampled answers to the same prompt, for self-consistency (default []). */
  samples: string[];
  /** Prompt tokens consumed, count (default 0). */
  inputTokens: number;
  /** Tokens generated, count (default 0). */
  outputTokens: number;
}

/** `dev.vigil.InferenceEvent`: one inference, value of `vigil.inference` (key: modelId). */
export interface InferenceEvent {
  /** Unique per inference; duplicates are recognised by it. */
  eventId: string;
  /** When the inference happened, ms since the Unix epoch (UTC). */
  timestamp: number;
  /** Deployed model that answered (also the record key). */
  modelId: string;
  /** Version of the model that answered. */
  modelVersion: string;
  /** Serving endpoint / route; null when unknown. */
  endpoint: string | null;
  /** Caller identity (service account, user id). */
  principal: string;
  /** Numeric inputs by feature name. */
  features: Record<string, number>;
  /** Categorical inputs by feature name (default {}). */
  categorical: Record<string, string>;
  /** Input embedding; null when the model has none. */
  embedding: number[] | null;
  /** Regression output or positive-class probability; null when neither. */
  score: number | null;
  /** Classifier output; null for non-classifiers. */
  predictedClass: string | null;
  /** Per-class probabilities (0..1); null when not exposed. */
  classProbabilities: Record<string, number> | null;
  /** Serving latency in milliseconds. */
  latencyMs: number;
  /** Outcome of the call. */
  status: InferenceStatus;
  /** Generative-model trace; null for other models. */
  llm: LlmTrace | null;
  /** Anything else, as strings (default {}). */
  attributes: Record<string, string>;
}

/** `dev.vigil.GroundTruth`: delayed label, value of `vigil.labels` (key: modelId), joined by eventId. */
export interface GroundTruth {
  /** eventId of the labelled InferenceEvent. */
  eventId: string;
  /** Model that made the inference (also the record key). */
  modelId: string;
  /** When the label became known, ms since the Unix epoch (UTC). */
  timestamp: number;
  /** Numeric target or class label. */
  label: number | string;
}

/** `dev.vigil.EvidenceSource`: Kafka location of an alert's evidence (nested in Alert.source). */
export interface EvidenceSource {
  /** Topic the evidence was read from. */
  topic: string;
  /** Partition number. */
  partition: number;
  /** Offset of the first evidence record (inclusive). */
  firstOffset: number;
  /** Offset of the last evidence record (inclusive). */
  lastOffset: number;
}

/** `dev.vigil.Alert`: value of `vigil.alerts` (key: fingerprint). */
export interface Alert {
  /** Deterministic from fingerprint and window; a replay yields the same id. */
  alertId: string;
  /** Stable identity of the condition (also the record key). */
  fingerprint: string;
  /** FIRING or RESOLVED. */
  status: AlertStatus;
  /** INFO, WARNING or CRITICAL. */
  severity: Severity;
  /** Detector family. */
  kind: AlertKind;
  /** Model the alert is about. */
  modelId: string;
  /** Model version the alert is about. */
  modelVersion: string;
  /** Detector name from the configuration. */
  detector: string;
  /** Feature concerned; null when the model as a whole. */
  feature: string | null;
  /** Detector statistic over the window, in the detector's units. */
  score: number;
  /** Threshold compared against, same units as score. */
  threshold: number;
  /** Window start (inclusive), ms since the Unix epoch (UTC). */
  windowStart: number;
  /** Window end (exclusive), ms since the Unix epoch (UTC). */
  windowEnd: number;
  /** When the condition first started firing, ms since the Unix epoch (UTC). */
  startsAt: number;
  /** Evidence as string key/value pairs. */
  evidence: Record<string, string>;
  /** Topic, partition and offset range of the evidence. */
  source: EvidenceSource;
  /** Hash of the detector configuration in force. */
  configHash: string;
  /** Reference (baseline) data set or profile id. */
  referenceId: string;
}

/** `dev.vigil.RollbackCommand`: value of `vigil.rollback` (key: modelId). */
export interface RollbackCommand {
  /** Unique command id (executors apply each at most once). */
  commandId: string;
  /** Model to act on (also the record key). */
  modelId: string;
  /** Version to take out of service. */
  fromVersion: string;
  /** Last approved version before fromVersion. */
  toVersion: string;
  /** ROLLBACK, FALLBACK or SHUTDOWN. */
  action: RollbackAction;
  /** Human-readable reason. */
  reason: string;
  /** Alerts that triggered the command; empty for a manual command. */
  alertIds: string[];
  /** When issued, ms since the Unix epoch (UTC). */
  issuedAt: number;
  /** Policy id or principal. */
  issuedBy: string;
  /** Governance approval id; null when none was required. */
  approvalId: string | null;
}

/** `dev.vigil.AuditRecord`: one hash-chained, signed entry of `vigil.audit` (key: chainId). */
export interface AuditRecord {
  /** Chain id (also the record key). */
  chainId: string;
  /** Position in the chain, from 0, no gaps. */
  seq: number;
  /** When the audited action happened, ms since the Unix epoch (UTC). */
  timestamp: number;
  /** Who performed the action. */
  actor: string;
  /** What was done. */
  action: string;
  /** What it was done to. */
  subject: string;
  /** Details as canonical JSON, exactly as hashed. */
  payload: string;
  /** Hash of the previous entry (hex). */
  prevHash: string;
  /** Hash of this entry (hex). */
  hash: string;
  /** Signature over hash (base64). */
  signature: string;
  /** Signing key id. */
  keyId: string;
}

/** `dev.vigil.IoLogRecord`: redacted then encrypted input/output pair, value of `vigil.iolog` (key: modelId). */
export interface IoLogRecord {
  /** eventId of the logged inference. */
  eventId: string;
  /** Model that answered (also the record key). */
  modelId: string;
  /** Version of the model that answered. */
  modelVersion: string;
  /** Caller identity. */
  principal: string;
  /** When the inference happened, ms since the Unix epoch (UTC). */
  timestamp: number;
  /** Count of redacted values per redaction type (default {}). */
  redactions: Record<string, number>;
  /** Data-key id. */
  keyId: string;
  /** Data key wrapped by the key-encryption key. */
  wrappedKey: Buffer;
  /** Key-encryption key id. */
  kekId: string;
  /** Encryption nonce (12 bytes for AES-256-GCM). */
  nonce: Buffer;
  /** AES-256-GCM ciphertext with the authentication tag appended. */
  ciphertext: Buffer;
  /** Payload encryption algorithm (default "AES-256-GCM"). */
  algorithm: string;
  /** SAMPLED or ALERT. */
  reason: IoLogReason;
}

/** `dev.vigil.GovernanceEvent`: one governance step, value of `vigil.governance` (key: modelId). */
export interface GovernanceEvent {
  /** Unique event id. */
  eventId: string;
  /** Which step; determines the shape of payload. */
  type: GovernanceEventType;
  /** Model concerned (also the record key). */
  modelId: string;
  /** Model version concerned. */
  modelVersion: string;
  /** Principal that performed the step. */
  actor: string;
  /** When the step happened, ms since the Unix epoch (UTC). */
  timestamp: number;
  /** Free-text justification; null when none. */
  reason: string | null;
  /** Type-specific body as canonical JSON. */
  payload: string;
}

/** `dev.vigil.DetectorConfig`: value of the compacted `vigil.config` topic (key: modelId). */
export interface DetectorConfig {
  /** Model the configuration applies to (also the record key). */
  modelId: string;
  /** Revision number, +1 per update. */
  revision: number;
  /** When this revision was written, ms since the Unix epoch (UTC). */
  updatedAt: number;
  /** Principal that wrote it. */
  updatedBy: string;
  /** The detector configuration document as JSON. */
  config: string;
}

/** `dev.vigil.StateRecord`: value of the compacted `vigil.state` changelog. */
export interface StateRecord {
  /** State key, identical to the record key. */
  key: string;
  /** Model the state belongs to. */
  modelId: string;
  /** Model version the state belongs to. */
  modelVersion: string;
  /** Kind of state (detector name or window type). */
  kind: string;
  /** Format version of body for this kind. */
  version: number;
  /** Serialized detector/window state. */
  body: Buffer;
  /** Whether body is encrypted (default false). */
  encrypted: boolean;
}

/** The decoded record type of each top-level schema, by schema name (the `.avsc` file's base name). */
export interface RecordsByName {
  InferenceEvent: InferenceEvent;
  GroundTruth: GroundTruth;
  Alert: Alert;
  RollbackCommand: RollbackCommand;
  AuditRecord: AuditRecord;
  IoLogRecord: IoLogRecord;
  GovernanceEvent: GovernanceEvent;
  DetectorConfig: DetectorConfig;
  StateRecord: StateRecord;
}
