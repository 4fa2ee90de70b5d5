import { describe, expect, it } from 'vitest';
import type { MatcherSettings, SilenceSettings } from '../../../../src/config/types.js';
import type { AlertLabels } from '../../../../src/pipeline/policy/fingerprint.js';
import { matcherProblem, matches, matchesAll } from '../../../../src/pipeline/policy/matchers.js';
import { MAX_SILENCES, applySilenceCommand, silencedBy, type SilenceCommand } from '../../../../src/pipeline/policy/silences.js';

const labels: AlertLabels = { modelId: 'credit-risk', modelVersion: '3.2.0', detector: 'psi', feature: 'income', kind: 'DRIFT', severity: 'WARNING' };
const m = (label: string, op: MatcherSettings['op'], value: string): MatcherSettings => ({ label, op, value });
const silence = (id: string, patch: Partial<SilenceSettings> = {}): SilenceSettings => ({
  id,
  matchers: [m('modelId', '=', 'credit-risk')],
  startsAt: 1000,
  endsAt: 5000,
  comment: '',
  createdBy: 'ops@example.invalid',
  ...patch,
});

describe('label matchers', () => {
  it.each([
    [m('feature', '=', 'income'), true],
    [m('feature', '=', 'incom'), false],
    [m('feature', '!=', 'age'), true],
    [m('feature', '=~', 'inc.*'), true],
    [m('feature', '=~', 'inc'), false], // anchored: the whole value must match
    [m('feature', '!~', 'age|tenure'), true],
    [m('severity', '=~', 'WARNING|CRITICAL'), true],
    [m('modelVersion', '=~', '3\\.2\\..*'), true],
    [m('feature', '=~', '(unclosed'), false], // an unusable pattern never matches
  ])('%j → %s', (matcher, expected) => {
    expect(matches(matcher, labels)).toBe(expected);
  });

  it('match all of a silence, and an empty list matches nothing', () => {
    expect(matchesAll([m('modelId', '=', 'credit-risk'), m('severity', '=', 'WARNING')], labels)).toBe(true);
    expect(matchesAll([m('modelId', '=', 'credit-risk'), m('severity', '=', 'CRITICAL')], labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(false);
  });

  it('refuse invalid, oversized and catastrophic patterns', () => {
    expect(matcherProblem(m('feature', '=~', '(a'))).toMatch(/not a valid regular expression/);
    expect(matcherProblem(m('feature', '=~', 'a'.repeat(201)))).toMatch(/longer than 200/);
    expect(matcherProblem(m('feature', '=~', '(a+)+'))).toMatch(/exponential/);
    expect(matcherProblem(m('feature', '=~', '(x*)*y'))).toMatch(/exponential/);
    expect(matcherProblem(m('feature', '=', '(a+)+'))).toBeNull(); // equality does not compile anything
    // A hostile value does not make a refused pattern run.
    const started = performance.now();
    expect(matches(m('feature', '=~', '(a+)+$'), { ...labels, feature: `${'a'.repeat(40)}!` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('silences in event time', () => {
  it('are active from startsAt (inclusive) to endsAt (exclusive)', () => {
    const s = [silence('s')];
    expect(silencedBy(labels, s, 999)).toBeNull();
    expect(silencedBy(labels, s, 1000)?.id).toBe('s');
    expect(silencedBy(labels, s, 4999)?.id).toBe('s');
    expect(silencedBy(labels, s, 5000)).toBeNull();
  });
});

describe('applySilenceCommand', () => {
  it('creates, replaces by id, and expires silences; drops expired ones', () => {
    let list: readonly SilenceSettings[] = [];
    let result = applySilenceCommand(list, { type: 'create', silence: silence('b') }, 0);
    expect(result.ok).toBe(true);
    list = result.silences;
    list = applySilenceCommand(list, { type: 'create', silence: silence('a', { endsAt: 2000 }) }, 0).silences;
    expect(list.map((s) => s.id)).toEqual(['a', 'b']);
    list = applySilenceCommand(list, { type: 'create', silence: silence('b', { comment: 'longer', endsAt: 9000 }) }, 0).silences;
    expect(list.find((s) => s.id === 'b')).toMatchObject({ comment: 'longer', endsAt: 9000 });
    result = applySilenceCommand(list, { type: 'expire', id: 'b' }, 2500);
    // 'a' ended at 2000 and is dropped; 'b' is expired by the command.
    expect(result).toEqual({ ok: true, silences: [] });
  });

  it('refuses bad commands, changes nothing and says why, without throwing', () => {
    const list = [silence('keep', { endsAt: 10_000 })];
    const bad: [string, SilenceCommand, RegExp][] = [
      ['an unknown id', { type: 'expire', id: 'nope' }, /no silence "nope"/],
      ['an expired silence', { type: 'create', silence: silence('old', { startsAt: 10, endsAt: 50 }) }, /already expired/],
      ['an end before the start', { type: 'create', silence: silence('x', { startsAt: 5000, endsAt: 4000 }) }, /must be after startsAt/],
      ['fractional times', { type: 'create', silence: silence('x', { endsAt: 4000.5 }) }, /integer milliseconds/],
      ['no matchers', { type: 'create', silence: silence('x', { matchers: [] }) }, /1 to 20 matchers/],
      ['an unknown label', { type: 'create', silence: silence('x', { matchers: [m('__proto__', '=', 'x')] }) }, /label "__proto__" is not one of/],
      ['an unknown operator', { type: 'create', silence: silence('x', { matchers: [{ label: 'feature', op: '==' as '=', value: 'x' }] }) }, /op "==" is not one of/],
      ['a catastrophic pattern', { type: 'create', silence: silence('x', { matchers: [m('feature', '=~', '(a*)*b')] }) }, /exponential/],
      ['an empty id', { type: 'create', silence: silence('') }, /id must be a non-empty string/],
      ['a huge value', { type: 'create', silence: silence('x', { matchers: [m('feature', '=', 'v'.repeat(10_000))] }) }, /at most 200 characters/],
    ];
    for (const [what, command, reason] of bad) {
      const result = applySilenceCommand(list, command, 100);
      expect(result.ok, what).toBe(false);
      if (!result.ok) expect(result.reason, what).toMatch(reason);
      expect(result.silences, what).toEqual(list);
    }
  });

  it(`keeps at most ${MAX_SILENCES} silences`, () => {
    let list: readonly SilenceSettings[] = [];
    for (let i = 0; i < MAX_SILENCES; i++) list = applySilenceCommand(list, { type: 'create', silence: silence(`s${i}`) }, 0).silences;
    const result = applySilenceCommand(list, { type: 'create', silence: silence('one-more') }, 0);
    expect(result.ok).toBe(false);
    expect(result.silences).toHaveLength(MAX_SILENCES);
  });
});
