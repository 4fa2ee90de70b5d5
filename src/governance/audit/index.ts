export * from './keys.js';
export * from './merkle.js';
export { appendSigned, CheckpointingChain, checkpointPayload, recordLeaf, CHECKPOINT_ACTION, ROTATION_ACTION, type CheckpointPayload, type ChainWriterState } from './chain.js';
export { proveInclusion, verifyInclusionProof, type InclusionProof } from './inclusion.js';
export { verifyAuditTrail, FINDING_KINDS, type AuditFinding, type AuditVerification, type FindingKind, type TrustedHead } from './verify.js';
export { readAuditExport, readAuditTopic, groupByChain } from './read.js';
