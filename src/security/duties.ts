/**
 * Separation of duties for approvals, as a pure function the governance gate calls before it records
 * an approval: the identity that submitted a version never approves it, and no identity approves the
 * same version twice (so N required approvals come from N different people). Identities are compared
 * exactly (case-sensitive, as issuers and the token store spell them).
 */
export interface ApprovalContext {
  readonly modelId: string;
  readonly version: string;
  /** Who submitted the version (MANIFEST_SUBMITTED actor). */
  readonly submitter: string;
  /** Who already approved this version, in order. */
  readonly approvers: readonly string[];
}

export type DutyDecision = { readonly ok: true } | { readonly ok: false; readonly rule: 'submitter-approves' | 'duplicate-approval'; readonly reason: string };

export function checkApproval(context: ApprovalContext, approver: string): DutyDecision {
  const subject = `${context.modelId}@${context.version}`;
  if (approver === context.submitter) {
    return { ok: false, rule: 'submitter-approves', reason: `${approver} submitted ${subject} and cannot approve it` };
  }
  if (context.approvers.includes(approver)) {
    return { ok: false, rule: 'duplicate-approval', reason: `${approver} has already approved ${subject}; another identity must give the next approval` };
  }
  return { ok: true };
}
