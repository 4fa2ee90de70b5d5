export * from './types.js';
export { apply, statusAt, APPROVED_STATUSES } from './apply.js';
export { fold, lastApprovedBefore, approvedEarlier, complianceContext, versionOf, refusalError } from './queries.js';
export { parsePayload, type PayloadByType } from './payloads.js';
