/** Pure policy: thresholds to severities, alerts, the rollback policy, the audit hash chain. */
export { classify, severityOf, thresholdsFor } from './thresholds.js';
export type { Classified, DetectorScore, Level, Thresholds } from './thresholds.js';
export { alertId, buildAlert, evidenceSource, fingerprint, windowAlerts } from './alerts.js';
export type { AlertOptions, WindowAlerts, WindowContext } from './alerts.js';
export {
  ROLLBACK_POLICY_ID,
  ROLLBACK_STATE_FORMAT,
  decodeRollbackState,
  encodeRollbackState,
  initialRollbackState,
  rollbackCommandId,
  stepRollback,
} from './rollback.js';
export type { RollbackInput, RollbackState, RollbackStep } from './rollback.js';
export { AuditChain, GENESIS_HASH, alertAuditEntry, appendAudit, auditHash, commandAuditEntry, verifyChain } from './audit.js';
export type { AuditEntry, AuditSigner, ChainCheckpoint, PublicKeys, VerifyOptions, VerifyResult } from './audit.js';
