import { describe, expect, it } from 'vitest';
import type { GovernanceEvent, GovernanceEventType } from '../../../../src/contracts/records.js';
import { apply, statusAt } from '../../../../src/governance/registry/apply.js';
import { approvedEarlier, complianceContext, fold, lastApprovedBefore, versionOf } from '../../../../src/governance/registry/queries.js';
import { emptyRegistry, type RefusalCode, type RegistryState } from '../../../../src/governance/registry/types.js';

const HASH = 'a'.repeat(64);
const DAY = 24 * 3600 * 1000;
let seq = 0;
let clock = 1_700_000_000_000;

function ev(type: GovernanceEventType, version: string, actor: string, payload: object = {}, extra: Partial<GovernanceEvent> = {}): GovernanceEvent {
  clock += 1000;
  return { eventId: `e${++seq}`, type, modelId: 'credit-risk', modelVersion: version, actor, timestamp: clock, reason: null, payload: JSON.stringify(payload), ...extra };
}
const submit = (v: string, risk = 'high', actor = 'alice') => ev('MANIFEST_SUBMITTED', v, actor, { manifestHash: HASH, riskClass: risk, environmentHash: HASH });
const check = (v: string, passed = true) => ev('CHECK_COMPLETED', v, 'ci', { passed, errors: passed ? 0 : 2, warnings: 1 });
const approve = (v: string, actor: string, roles = ['approver']) => ev('APPROVED', v, actor, { roles });
const reject = (v: string, actor: string, reason: string | null = 'not ready') => ev('REJECTED', v, actor, { roles: ['approver'] }, { reason });
const deploy = (v: string, target: string | null, noTargetReason: string | null = null, roles = ['operator']) => ev('DEPLOYED', v, 'ops', { roles, rollbackTarget: target, noTargetReason });
const rollback = (v: string, to: string, roles = ['operator']) => ev('ROLLED_BACK', v, 'ops', { roles, toVersion: to }, { reason: 'drift' });
const retire = (v: string, reason: string | null = 'end of life') => ev('RETIRED', v, 'ops', { roles: ['operator'] }, { reason });

function run(events: GovernanceEvent[], state: RegistryState = emptyRegistry()): RegistryState {
  for (const e of events) {
    const r = apply(state, e);
    if (!r.ok) throw new Error(`refused ${e.type}: ${r.refusal.code} ${r.refusal.message}`);
    state = r.state;
  }
  return state;
}
/** Events built after `state`, so their timestamps follow its events'. */
function after(state: RegistryState, build: () => GovernanceEvent[]): RegistryState {
  return run(build(), state);
}
function refusal(state: RegistryState, event: GovernanceEvent): { code: RefusalCode; message: string } {
  const r = apply(state, event);
  if (r.ok) throw new Error(`${event.type} was accepted`);
  return r.refusal;
}
const status = (s: RegistryState, v: string) => versionOf(s, 'credit-risk', v)?.status;
/** 1.0.0 approved (high risk: two approvers) and deployed without a target (the first version). */
const firstDeployed = () => run([submit('1.0.0'), check('1.0.0'), approve('1.0.0', 'bob'), approve('1.0.0', 'carol'), deploy('1.0.0', null, 'first version')]);

describe('the life of a version', () => {
  it('submitted → checked → approved (two approvers for high risk) → deployed', () => {
    let s = run([submit('1.0.0')]);
    expect(status(s, '1.0.0')).toBe('submitted');
    s = run([check('1.0.0')], s);
    expect(status(s, '1.0.0')).toBe('checked');
    s = run([approve('1.0.0', 'bob')], s);
    expect(status(s, '1.0.0')).toBe('checked');
    s = run([approve('1.0.0', 'carol')], s);
    expect(status(s, '1.0.0')).toBe('approved');
    expect(versionOf(s, 'credit-risk', '1.0.0')?.approvals.map((a) => a.actor)).toEqual(['bob', 'carol']);
    s = run([deploy('1.0.0', null, 'first version')], s);
    expect(status(s, '1.0.0')).toBe('deployed');
    expect(s.models['credit-risk']?.deployed).toBe('1.0.0');
  });

  it('needs one approver for limited and minimal risk', () => {
    const s = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob')]);
    expect(status(s, '1.0.0')).toBe('approved');
    expect(status(run([submit('2.0.0', 'minimal'), check('2.0.0'), approve('2.0.0', 'bob')]), '2.0.0')).toBe('approved');
  });

  it('a failed check, then a resubmission that passes', () => {
    let s = run([submit('1.0.0'), check('1.0.0', false)]);
    expect(status(s, '1.0.0')).toBe('check-failed');
    s = run([submit('1.0.0'), check('1.0.0')], s);
    expect(status(s, '1.0.0')).toBe('checked');
    expect(versionOf(s, 'credit-risk', '1.0.0')?.attempt).toBe(2);
  });

  it('a new check voids the approvals given so far', () => {
    const s = run([submit('1.0.0'), check('1.0.0'), approve('1.0.0', 'bob'), check('1.0.0')]);
    expect(versionOf(s, 'credit-risk', '1.0.0')?.approvals).toEqual([]);
  });

  it('rejected with a reason, then resubmitted', () => {
    let s = run([submit('1.0.0'), check('1.0.0'), reject('1.0.0', 'bob', 'model card incomplete')]);
    expect(status(s, '1.0.0')).toBe('rejected');
    expect(versionOf(s, 'credit-risk', '1.0.0')?.rejection).toMatchObject({ actor: 'bob', reason: 'model card incomplete' });
    s = run([submit('1.0.0')], s);
    expect(status(s, '1.0.0')).toBe('submitted');
  });

  it('deploying a second version supersedes the first, which stays a rollback target', () => {
    const s = after(firstDeployed(), () => [submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob'), approve('1.1.0', 'carol'), deploy('1.1.0', '1.0.0')]);
    expect([status(s, '1.0.0'), status(s, '1.1.0')]).toEqual(['superseded', 'deployed']);
    expect(versionOf(s, 'credit-risk', '1.1.0')?.deployment).toMatchObject({ rollbackTarget: '1.0.0' });
  });

  it('rolled back: the target is in service again; by an operator or by the engine policy', () => {
    const base = after(firstDeployed(), () => [submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob'), approve('1.1.0', 'carol'), deploy('1.1.0', '1.0.0')]);
    for (const roles of [['operator'], ['engine']]) {
      const s = run([rollback('1.1.0', '1.0.0', roles)], base);
      expect([status(s, '1.0.0'), status(s, '1.1.0')]).toEqual(['deployed', 'rolled-back']);
      expect(s.models['credit-risk']?.deployed).toBe('1.0.0');
    }
  });

  it('retired with a reason; a retired deployed version leaves nothing in service', () => {
    const s = after(firstDeployed(), () => [retire('1.0.0')]);
    expect(status(s, '1.0.0')).toBe('retired');
    expect(s.models['credit-risk']?.deployed).toBeNull();
  });

  it('retires an approved, superseded or rolled-back version, and redeploys a superseded one', () => {
    const approvedOnly = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob'), retire('1.0.0')]);
    expect(status(approvedOnly, '1.0.0')).toBe('retired');
    const two = after(firstDeployed(), () => [submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob'), approve('1.1.0', 'carol'), deploy('1.1.0', '1.0.0')]);
    expect(status(run([retire('1.0.0')], two), '1.0.0')).toBe('retired');
    const back = run([rollback('1.1.0', '1.0.0')], two);
    expect(status(run([retire('1.1.0')], back), '1.1.0')).toBe('retired');
    // An operator may put a superseded version back in service by deploying it again.
    const again = run([deploy('1.0.0', null, 'back to the first version')], two);
    expect([status(again, '1.0.0'), status(again, '1.1.0'), again.models['credit-risk']?.deployed]).toEqual(['deployed', 'superseded', '1.0.0']);
  });

  it('every refusal code is produced by some step', async () => {
    const { REFUSAL_CODES } = await import('../../../../src/governance/registry/types.js');
    const seen = new Set<string>();
    const note = (s: RegistryState, e: GovernanceEvent) => {
      const r = apply(s, e);
      if (!r.ok) seen.add(r.refusal.code);
    };
    const submitted = submit('1.0.0');
    const pending = run([submitted]);
    const checked = run([check('1.0.0')], pending);
    note(emptyRegistry(), { ...submit('1.0.0'), payload: '{' });
    note(pending, submitted);
    const first = submit('9.0.0');
    note(run([first]), { ...check('9.0.0'), timestamp: first.timestamp - 1 });
    note(emptyRegistry(), approve('5.0.0', 'bob'));
    note(pending, approve('1.0.0', 'bob'));
    note(emptyRegistry(), submit('1.0.0', 'unacceptable'));
    note(checked, approve('1.0.0', 'bob', []));
    note(checked, approve('1.0.0', 'alice'));
    note(run([approve('1.0.0', 'bob')], checked), approve('1.0.0', 'bob'));
    note(checked, reject('1.0.0', 'bob', null));
    note(run([approve('1.0.0', 'bob'), approve('1.0.0', 'carol')], checked), deploy('1.0.0', null, null));
    clock += 15 * DAY;
    note(checked, approve('1.0.0', 'bob'));
    expect([...seen].sort()).toEqual([...REFUSAL_CODES].sort());
  });

  it('submissions expire; an expired one can be submitted again', () => {
    const s = run([submit('1.0.0')]);
    const v = versionOf(s, 'credit-risk', '1.0.0');
    expect(v?.expiresAt).toBe((v?.submittedAt ?? 0) + 14 * DAY);
    expect(statusAt(v!, v!.expiresAt)).toBe('submitted');
    expect(statusAt(v!, v!.expiresAt + 1)).toBe('expired');
    clock += 15 * DAY;
    expect(refusal(s, check('1.0.0'))).toMatchObject({ code: 'EXPIRED' });
    const again = run([submit('1.0.0')], s);
    expect(status(again, '1.0.0')).toBe('submitted');
  });

  it('an approved version does not expire', () => {
    const s = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob')]);
    clock += 30 * DAY;
    expect(status(run([deploy('1.0.0', null, 'first')], s), '1.0.0')).toBe('deployed');
  });

  it('does not change the state it was given', () => {
    const s = run([submit('1.0.0')]);
    const snapshot = JSON.stringify(s, (_k, v: unknown) => (v instanceof Set ? [...v] : v));
    run([check('1.0.0'), approve('1.0.0', 'bob')], s);
    expect(JSON.stringify(s, (_k, v: unknown) => (v instanceof Set ? [...v] : v))).toBe(snapshot);
  });
});

describe('refusals', () => {
  it('approval by the submitter', () => {
    expect(refusal(run([submit('1.0.0'), check('1.0.0')]), approve('1.0.0', 'alice'))).toMatchObject({ code: 'SELF_APPROVAL', message: expect.stringMatching(/alice submitted credit-risk@1\.0\.0/) });
  });
  it('the same approver twice', () => {
    expect(refusal(run([submit('1.0.0'), check('1.0.0'), approve('1.0.0', 'bob')]), approve('1.0.0', 'bob'))).toMatchObject({ code: 'DUPLICATE_APPROVER' });
  });
  it('approval without the approver role', () => {
    expect(refusal(run([submit('1.0.0'), check('1.0.0')]), approve('1.0.0', 'bob', ['viewer']))).toMatchObject({ code: 'MISSING_ROLE' });
  });
  it('approval before a passing check', () => {
    expect(refusal(run([submit('1.0.0')]), approve('1.0.0', 'bob'))).toMatchObject({ code: 'WRONG_STATE', message: expect.stringMatching(/is submitted; an approval needs it checked/) });
    expect(refusal(run([submit('1.0.0'), check('1.0.0', false)]), approve('1.0.0', 'bob'))).toMatchObject({ code: 'WRONG_STATE' });
  });
  it('approval of an expired submission', () => {
    const s = run([submit('1.0.0'), check('1.0.0')]);
    clock += 15 * DAY;
    expect(refusal(s, approve('1.0.0', 'bob'))).toMatchObject({ code: 'EXPIRED' });
  });
  it('a step on a version never submitted', () => {
    for (const e of [check('9.9.9'), approve('9.9.9', 'bob'), reject('9.9.9', 'bob'), deploy('9.9.9', null, 'x'), rollback('9.9.9', '1.0.0'), retire('9.9.9')]) {
      expect(refusal(emptyRegistry(), e).code).toBe('UNKNOWN_VERSION');
    }
  });
  it('submitting the unacceptable risk class', () => {
    expect(refusal(emptyRegistry(), submit('1.0.0', 'unacceptable'))).toMatchObject({ code: 'PROHIBITED_RISK' });
  });
  it('submitting a version that is pending, approved or deployed', () => {
    expect(refusal(run([submit('1.0.0')]), submit('1.0.0')).code).toBe('WRONG_STATE');
    expect(refusal(firstDeployed(), submit('1.0.0')).code).toBe('WRONG_STATE');
  });
  it('rejection without a reason or without the role', () => {
    const s = run([submit('1.0.0'), check('1.0.0')]);
    expect(refusal(s, reject('1.0.0', 'bob', '  ')).code).toBe('REASON_REQUIRED');
    expect(refusal(s, ev('REJECTED', '1.0.0', 'bob', { roles: [] }, { reason: 'x' })).code).toBe('MISSING_ROLE');
  });
  it('rejection of an approved version', () => {
    const s = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob')]);
    expect(refusal(s, reject('1.0.0', 'carol')).code).toBe('WRONG_STATE');
  });
  it('deployment of a version not approved, or by someone without the operator role', () => {
    expect(refusal(run([submit('1.0.0'), check('1.0.0'), approve('1.0.0', 'bob')]), deploy('1.0.0', null, 'first')).code).toBe('WRONG_STATE');
    const s = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob')]);
    expect(refusal(s, deploy('1.0.0', null, 'first', ['approver'])).code).toBe('MISSING_ROLE');
  });
  it('deployment without a rollback target and without a reason', () => {
    const s = run([submit('1.0.0', 'limited'), check('1.0.0'), approve('1.0.0', 'bob')]);
    expect(refusal(s, deploy('1.0.0', null, null))).toMatchObject({ code: 'BAD_ROLLBACK_TARGET', message: expect.stringMatching(/needs a rollback target or the reason/) });
  });
  it('deployment naming a bad rollback target: unknown, itself, not approved, or later', () => {
    let s = after(firstDeployed(), () => [submit('1.1.0', 'limited'), check('1.1.0'), approve('1.1.0', 'bob'), submit('1.2.0', 'limited')]);
    expect(refusal(s, deploy('1.1.0', '0.9.0')).message).toMatch(/never submitted/);
    expect(refusal(s, deploy('1.1.0', '1.1.0')).message).toMatch(/its own rollback target/);
    expect(refusal(s, deploy('1.1.0', '1.2.0')).message).toMatch(/is submitted, not approved/);
    s = run([check('1.2.0'), approve('1.2.0', 'bob')], s);
    expect(refusal(s, deploy('1.1.0', '1.2.0')).message).toMatch(/came after 1\.1\.0/);
  });
  it('rollback of a version not in service, to a bad target, or without a role', () => {
    const s = after(firstDeployed(), () => [submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob'), approve('1.1.0', 'carol'), deploy('1.1.0', '1.0.0')]);
    expect(refusal(s, rollback('1.0.0', '1.1.0')).code).toBe('WRONG_STATE');
    expect(refusal(s, rollback('1.1.0', '0.1.0')).code).toBe('BAD_ROLLBACK_TARGET');
    expect(refusal(s, rollback('1.1.0', '1.0.0', ['approver'])).code).toBe('MISSING_ROLE');
    const rolled = run([rollback('1.1.0', '1.0.0')], s);
    expect(refusal(rolled, rollback('1.0.0', '1.1.0')).message).toMatch(/is rolled-back, not approved/);
  });
  it('retirement without a reason, or of a pending version', () => {
    expect(refusal(firstDeployed(), retire('1.0.0', null)).code).toBe('REASON_REQUIRED');
    expect(refusal(run([submit('1.0.0')]), retire('1.0.0')).code).toBe('WRONG_STATE');
  });
  it('a duplicate event id and an event older than the last', () => {
    const first = submit('1.0.0');
    const s = run([first]);
    expect(refusal(s, first).code).toBe('DUPLICATE_EVENT');
    expect(refusal(s, { ...check('1.0.0'), timestamp: first.timestamp - 1 }).code).toBe('OUT_OF_ORDER');
  });
  it.each([
    ['a payload that is not JSON', { payload: '{' }, /payload is not JSON/],
    ['a payload that is a list', { payload: '[]' }, /payload must be a JSON object/],
    ['an oversized payload', { payload: `"${'x'.repeat(1024 * 1024)}"` }, /at most 1048576/],
    ['a bad manifest hash', { payload: JSON.stringify({ manifestHash: 'xyz', riskClass: 'high' }) }, /payload\.manifestHash/],
    ['a bad risk class', { payload: JSON.stringify({ manifestHash: HASH, riskClass: 'huge' }) }, /payload\.riskClass/],
    ['an empty model id', { modelId: '' }, /modelId must be a non-empty string/],
    ['a timestamp that is not an integer', { timestamp: 1.5 }, /timestamp must be an integer/],
    ['an unknown type', { type: 'BLESSED' }, /type "BLESSED" is not a governance event type/],
  ])('an invalid event: %s', (_name, patch, message) => {
    expect(refusal(emptyRegistry(), { ...submit('1.0.0'), ...patch } as GovernanceEvent)).toMatchObject({ code: 'INVALID_EVENT', message: expect.stringMatching(message) });
  });
  it('a check that claims to pass with errors, roles that are not a list', () => {
    const s = run([submit('1.0.0')]);
    expect(refusal(s, ev('CHECK_COMPLETED', '1.0.0', 'ci', { passed: true, errors: 3 })).message).toMatch(/payload\.passed cannot be true with error findings/);
    expect(refusal(run([check('1.0.0')], s), ev('APPROVED', '1.0.0', 'bob', { roles: 'approver' })).message).toMatch(/payload\.roles/);
  });
  it('an event that is not an object', () => {
    expect(refusal(emptyRegistry(), null as unknown as GovernanceEvent).code).toBe('INVALID_EVENT');
  });
});

describe('queries', () => {
  it('fold rebuilds the registry from a log and lists the refused events', () => {
    const events = [submit('1.0.0'), check('1.0.0'), approve('1.0.0', 'alice'), approve('1.0.0', 'bob'), approve('1.0.0', 'carol')];
    const { state, refusals } = fold(events);
    expect(status(state, '1.0.0')).toBe('approved');
    expect(refusals.map((r) => [r.eventId, r.code])).toEqual([[events[2]?.eventId, 'SELF_APPROVAL']]);
  });

  it('lastApprovedBefore: the latest approved version before the given one, skipping rolled back and retired ones', () => {
    let s = firstDeployed();
    s = run([submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob'), approve('1.1.0', 'carol'), deploy('1.1.0', '1.0.0')], s);
    s = run([submit('1.2.0'), check('1.2.0'), approve('1.2.0', 'bob'), approve('1.2.0', 'carol'), deploy('1.2.0', '1.1.0')], s);
    expect(lastApprovedBefore(s, 'credit-risk', '1.2.0')).toBe('1.1.0');
    expect(lastApprovedBefore(s, 'credit-risk', '1.0.0')).toBeNull();
    s = run([rollback('1.2.0', '1.1.0')], s);
    s = run([rollback('1.1.0', '1.0.0')], s);
    expect(lastApprovedBefore(s, 'credit-risk', '1.3.0')).toBe('1.0.0');
    expect(lastApprovedBefore(s, 'other-model', '1.0.0')).toBeNull();
    expect(approvedEarlier(s, 'credit-risk', '1.2.0')).toEqual(['1.0.0']);
  });

  it('complianceContext gives the rules the approvals, submitter and earlier approved versions', () => {
    const s = after(firstDeployed(), () => [submit('1.1.0'), check('1.1.0'), approve('1.1.0', 'bob')]);
    expect(complianceContext(s, 'credit-risk', '1.1.0')).toMatchObject({ submitter: 'alice', approvedEarlier: ['1.0.0'], approvals: [{ actor: 'bob' }] });
  });
});

describe('refusalError', () => {
  it('is VIGIL_GOVERNANCE_REFUSED (exit 1) with the refusal code in its details', async () => {
    const { refusalError } = await import('../../../../src/governance/registry/queries.js');
    const error = refusalError(refusal(run([submit('1.0.0'), check('1.0.0')]), approve('1.0.0', 'alice')) as never);
    expect(error).toMatchObject({ code: 'VIGIL_GOVERNANCE_REFUSED', exitCode: 1, details: { refusal: 'SELF_APPROVAL' }, message: expect.stringMatching(/alice submitted credit-risk@1\.0\.0 and may not approve it \(SELF_APPROVAL, event e\d+\)/) });
  });
});
