import { describe, expect, it } from 'vitest';
import { FailureLockout, RateLimiter } from '../../../src/security/limits.js';
import { anyGlobMatch, coversEverything, globMatch } from '../../../src/security/glob.js';
import { authorize, rolesWith, type Principal } from '../../../src/security/roles.js';

describe('the rate limiter', () => {
  it('allows `requests` per window, then refuses with the seconds until the next one', () => {
    const limiter = new RateLimiter({ requests: 3, perSeconds: 60 });
    for (let i = 0; i < 3; i++) expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0)).toEqual({ allowed: false, retryAfterSec: 20 });
    expect(limiter.take('b', 0).allowed).toBe(true);
    expect(limiter.take('a', 20_000).allowed).toBe(true);
    expect(limiter.take('a', 20_000).allowed).toBe(false);
  });

  it('keeps at most maxKeys keys however many callers there are', () => {
    const limiter = new RateLimiter({ requests: 1, perSeconds: 1, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`, 0);
    expect(limiter.keys).toBe(100);
  });
});

describe('the lockout', () => {
  it('locks an account at max failures within the window, until the oldest failure leaves it', () => {
    const lockout = new FailureLockout({ max: 100, windowSec: 3600 });
    for (let i = 0; i < 99; i++) lockout.fail('token:x', i * 1000);
    expect(lockout.check('token:x', 99_000).allowed).toBe(true);
    lockout.fail('token:x', 99_000);
    expect(lockout.check('token:x', 99_000)).toEqual({ allowed: false, retryAfterSec: 3501 });
    expect(lockout.check('token:y', 99_000).allowed).toBe(true);
    expect(lockout.check('token:x', 3_600_000).allowed).toBe(true);
  });
});

describe('globs', () => {
  it('match * and ? and treat every other character literally', () => {
    expect(globMatch('credit-*', 'credit-risk')).toBe(true);
    expect(globMatch('credit-*', 'fraud')).toBe(false);
    expect(globMatch('m?', 'm1')).toBe(true);
    expect(globMatch('m?', 'm12')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('(a|b)+[x]', '(a|b)+[x]')).toBe(true);
    expect(globMatch('^$\\', '^$\\')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(anyGlobMatch(undefined, 'x')).toBe(true);
    expect(coversEverything(['a*', '**'])).toBe(true);
    expect(coversEverything(['a*'])).toBe(false);
  });

  it('stay fast on patterns built to backtrack', () => {
    const started = performance.now();
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(200))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('authorize', () => {
  const p = (grants: Principal['grants']): Principal => ({ id: 'u', kind: 'token', credentialId: 'c', grants });
  it('denies by default: no grant, no access, naming the roles that would do', () => {
    expect(authorize(p([]), 'models:read', 'list', null)).toMatchObject({ allowed: false, missing: ['viewer', 'operator', 'approver', 'auditor', 'admin'] });
    expect(authorize(p([{ role: 'viewer' }]), 'config:write', 'model', 'm')).toMatchObject({ allowed: false, missing: ['operator', 'admin'], reason: 'needs role operator or admin for model "m"' });
    expect(rolesWith('governance:approve')).toEqual(['approver', 'admin']);
  });
  it('applies model scopes: model routes need a covering glob, global routes need every model', () => {
    const scoped = p([{ role: 'auditor', models: ['credit-*'] }]);
    expect(authorize(scoped, 'models:read', 'model', 'credit-risk').allowed).toBe(true);
    expect(authorize(scoped, 'models:read', 'model', 'fraud').allowed).toBe(false);
    expect(authorize(scoped, 'audit:read', 'global', null).allowed).toBe(false);
    expect(authorize(p([{ role: 'auditor' }]), 'audit:read', 'global', null).allowed).toBe(true);
    expect(authorize(p([{ role: 'admin', models: ['*'] }]), 'audit:read', 'global', null).allowed).toBe(true);
  });
});
