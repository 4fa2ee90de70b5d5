/**
 * Pure policy: thresholds to severities, alert semantics (fingerprints, hysteresis, grouping,
 * silences, inhibition, rate limit), the response policy (rollback, fallback, shutdown), the audit
 * hash chain, and the policy state's changelog bytes.
 */
export { classify, severityOf, thresholdsFor } from './thresholds.js';
export type { Classified, DetectorScore, Level, Thresholds } from './thresholds.js';
export { alertId, fingerprint, LABEL_NAMES } from './fingerprint.js';
export type { AlertLabels, LabelName } from './fingerprint.js';
export { buildAlert, evidenceSource, windowAlerts } from './alerts.js';
export type { AlertOptions, WindowAlerts, WindowContext } from './alerts.js';
export { stepHysteresis } from './hysteresis.js';
export type { HysteresisTrack, Transition } from './hysteresis.js';
export { groupDue } from './grouping.js';
export type { GroupActivity, GroupState } from './grouping.js';
export { matcherProblem, matches, matchesAll } from './matchers.js';
export { applySilenceCommand, isActive, silencedBy, silenceProblem } from './silences.js';
export type { SilenceCommand, SilenceCommandResult } from './silences.js';
export { inhibited } from './inhibition.js';
export { allowance, recordSent } from './ratelimit.js';
export { initialAlertPolicyState, stepAlertPolicy } from './alert-policy.js';
export type { AlertPolicyInput, AlertPolicyState, AlertPolicyStep, FiringAlert, Track } from './alert-policy.js';
export { INITIAL_RESPONSE_STATE, ROLLBACK_POLICY_ID, policyIdOf, responseCommandId, stepResponse } from './response.js';
export type { ResponseInput, ResponseState, ResponseStep, RuleState } from './response.js';
export { decodePolicyState, encodePolicyState, initialPolicyState } from './policy-state.js';
export type { PolicyState } from './policy-state.js';
export { AuditChain, GENESIS_HASH, alertAuditEntry, appendAudit, auditHash, commandAuditEntry, verifyChain } from './audit.js';
export type { AuditEntry, AuditSigner, ChainCheckpoint, PublicKeys, VerifyOptions, VerifyResult } from './audit.js';
