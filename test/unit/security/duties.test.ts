import { describe, expect, it } from 'vitest';
import { checkApproval } from '../../../src/security/duties.js';

const base = { modelId: 'credit-risk', version: '1.1.0', submitter: 'alice', approvers: [] as string[] };

describe('separation of duties', () => {
  it('lets someone other than the submitter approve', () => {
    expect(checkApproval(base, 'bob')).toEqual({ ok: true });
  });

  it('refuses the submitter approving their own version', () => {
    expect(checkApproval(base, 'alice')).toEqual({ ok: false, rule: 'submitter-approves', reason: 'alice submitted credit-risk@1.1.0 and cannot approve it' });
  });

  it('refuses a second approval by the same identity, so N approvals come from N people', () => {
    const after = { ...base, approvers: ['bob'] };
    expect(checkApproval(after, 'bob')).toMatchObject({ ok: false, rule: 'duplicate-approval' });
    expect(checkApproval(after, 'carol')).toEqual({ ok: true });
    expect(checkApproval({ ...after, approvers: ['bob', 'carol'] }, 'carol')).toMatchObject({ ok: false, rule: 'duplicate-approval' });
  });

  it('compares identities exactly: a different case is a different identity, and the submitter rule wins', () => {
    expect(checkApproval(base, 'Alice')).toEqual({ ok: true });
    expect(checkApproval({ ...base, approvers: ['alice'] }, 'alice')).toMatchObject({ rule: 'submitter-approves' });
  });
});
