import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src/demo/random.js';
import { windowAlerts } from '../../../../src/pipeline/policy/alerts.js';
import { initialAlertPolicyState, stepAlertPolicy } from '../../../../src/pipeline/policy/alert-policy.js';
import { alertId, fingerprint } from '../../../../src/pipeline/policy/fingerprint.js';
import { alerting, MINUTE, runScenario, T0, windowAt, type WindowScores } from './scenario.js';

const repeat = (n: number, scores: WindowScores): WindowScores[] => Array.from({ length: n }, () => scores);

describe('alert policy with the default settings (one alert per crossing score and window)', () => {
  it('fires at every breaching window and resolves at the first clean one', () => {
    const { lines } = runScenario([{ a: 0.3, b: 0.05 }, { a: 0.3, b: 0.12 }, { a: 0.02, b: 0.12 }, { a: 0.02, b: 0.01 }]);
    expect(lines).toEqual([
      'w0 FIRING CRITICAL a',
      'w1 FIRING CRITICAL a',
      'w1 FIRING WARNING b',
      'w2 RESOLVED CRITICAL a',
      'w2 FIRING WARNING b',
      'w3 RESOLVED WARNING b',
    ]);
  });

  it('gives FIRING ids from fingerprint and window (the ids of before), RESOLVED ids of their own', () => {
    const { alerts } = runScenario([{ a: 0.3 }, { a: 0.01 }]);
    const fp = fingerprint('credit-risk', '3.2.0', 'psi', 'a');
    expect(alerts.map((a) => [a.status, a.fingerprint, a.alertId])).toEqual([
      ['FIRING', fp, alertId(fp, T0)],
      ['RESOLVED', fp, alertId(fp, T0 + MINUTE, 'RESOLVED')],
    ]);
    expect(alertId(fp, T0 + MINUTE, 'RESOLVED')).not.toBe(alertId(fp, T0 + MINUTE));
    // The RESOLVED record carries the clean score of its window and when the alert started.
    expect(alerts[1]).toMatchObject({ score: 0.01, startsAt: T0, windowStart: T0 + MINUTE, severity: 'CRITICAL' });
  });

  it('notifies exactly the alerts windowAlerts raised, with the same ids, on a seeded stream', () => {
    const random = mulberry32(11);
    const windows: WindowScores[] = Array.from({ length: 30 }, () => Object.fromEntries(['f0', 'f1', 'f2', 'f3'].map((f) => [f, random() * 0.4])));
    const { alerts } = runScenario(windows);
    const firing = alerts.filter((a) => a.status === 'FIRING');
    const legacy = windows.flatMap((scores, i) =>
      windowAlerts(
        windowAt(i),
        Object.entries(scores).map(([feature, score]) => ({ detector: 'psi', feature, score, evidence: { window: String(i) } })),
        () => ({ warning: 0.1, critical: 0.25 }),
      ).alerts,
    );
    expect(legacy.length).toBeGreaterThan(20);
    expect(firing.map((a) => [a.alertId, a.severity, a.score, a.threshold, a.feature])).toEqual(legacy.map((a) => [a.alertId, a.severity, a.score, a.threshold, a.feature]));
  });

  it('collapses two scores of one condition in a window into one alert at the higher severity', () => {
    const window = windowAt(0);
    const scores = [
      { detector: 'psi', feature: 'a', score: 0.12, evidence: {} },
      { detector: 'psi', feature: 'a', score: 0.31, evidence: {} },
    ];
    const legacyCount = windowAlerts(window, scores, () => ({ warning: 0.1, critical: 0.25 })).alerts.length;
    expect(legacyCount).toBe(2);
    const step = stepAlertPolicy(initialAlertPolicyState('credit-risk', '3.2.0'), {
      window,
      scores,
      thresholdsOf: () => ({ warning: 0.1, critical: 0.25 }),
      kindOf: () => 'DRIFT',
      settings: alerting(),
    });
    expect(step.notifications.map((a) => [a.severity, a.score])).toEqual([['CRITICAL', 0.31]]);
  });
});

describe('hysteresis', () => {
  const settings = alerting({ hysteresis: { fireAfter: 2, of: 3, resolveAfter: 2 } });

  it('fires after 2 of 3 breaching windows and resolves after 2 clean ones', () => {
    const { lines, alerts } = runScenario([{ a: 0.3 }, { a: 0 }, { a: 0.3 }, { a: 0.3 }, { a: 0 }, { a: 0 }, { a: 0 }], { settings });
    expect(lines).toEqual(['w2 FIRING CRITICAL a', 'w3 FIRING CRITICAL a', 'w4 FIRING CRITICAL a', 'w5 RESOLVED CRITICAL a']);
    // Still firing in a clean window: the record says when the last breach was.
    expect(alerts[2]!.evidence['lastBreachWindowStart']).toBe(String(T0 + 3 * MINUTE));
    expect(alerts.every((a) => a.startsAt === T0 + 2 * MINUTE)).toBe(true);
  });

  it('never fires on isolated noisy windows', () => {
    expect(runScenario([{ a: 0.3 }, { a: 0 }, { a: 0 }, { a: 0.3 }, { a: 0 }, { a: 0 }, { a: 0.3 }], { settings }).lines).toEqual([]);
  });

  it('escalates a firing alert from WARNING to CRITICAL under the same fingerprint', () => {
    const { alerts } = runScenario([{ a: 0.15 }, { a: 0.15 }, { a: 0.4 }], { settings });
    expect(alerts.map((a) => a.severity)).toEqual(['WARNING', 'CRITICAL']);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
  });
});

describe('grouping: group wait, group interval, repeat interval', () => {
  const settings = alerting({ grouping: { waitMs: 2 * MINUTE, intervalMs: 3 * MINUTE, repeatMs: 10 * MINUTE } });
  const windows: WindowScores[] = Array.from({ length: 20 }, (_, i) => ({ a: i <= 6 ? 0.3 : 0, b: i >= 3 ? 0.3 : 0 }));

  it('waits, batches changes per interval, and repeats an unchanged group', () => {
    expect(runScenario(windows, { settings }).lines).toEqual([
      'w2 FIRING CRITICAL a', // group wait: first alert at w0, notified 2 minutes later
      'w5 FIRING CRITICAL a', // b arrived at w3: notified with its group one interval after w2
      'w5 FIRING CRITICAL b',
      'w8 RESOLVED CRITICAL a', // a resolved at w7: the next interval is at w8
      'w8 FIRING CRITICAL b',
      'w18 FIRING CRITICAL b', // nothing changed since w8: repeated 10 minutes later
    ]);
  });

  it('gives the same records when the state goes through its changelog bytes after every window', () => {
    const straight = runScenario(windows, { settings });
    const persisted = runScenario(windows, { settings, persistAfter: new Set(windows.map((_, i) => i)) });
    expect(persisted.alerts).toEqual(straight.alerts);
  });
});

describe('silences', () => {
  const silence = { id: 's1', matchers: [{ label: 'feature', op: '=~', value: 'f0[0-1]' }], startsAt: T0 + 2 * MINUTE, endsAt: T0 + 5 * MINUTE, comment: 'known', createdBy: 'config' } as const;

  it('mute matching alerts while active (event time) and nothing else', () => {
    const { lines } = runScenario(repeat(6, { f00: 0.3, f02: 0.3 }), { settings: alerting({ silences: [silence] }) });
    expect(lines).toEqual([
      'w0 FIRING CRITICAL f00',
      'w0 FIRING CRITICAL f02',
      'w1 FIRING CRITICAL f02',
      'w2 FIRING CRITICAL f02',
      'w3 FIRING CRITICAL f02',
      'w4 FIRING CRITICAL f00',
      'w4 FIRING CRITICAL f02',
      'w5 FIRING CRITICAL f00',
      'w5 FIRING CRITICAL f02',
    ]);
  });

  it('match on kind, severity and negative matchers', () => {
    const warnings = { ...silence, matchers: [{ label: 'severity', op: '=', value: 'WARNING' }, { label: 'kind', op: '!=', value: 'GOVERNANCE' }], startsAt: 0 } as const;
    expect(runScenario([{ a: 0.3, b: 0.15 }], { settings: alerting({ silences: [warnings] }) }).lines).toEqual(['w0 FIRING CRITICAL a']);
    const notA = { ...silence, matchers: [{ label: 'feature', op: '!~', value: 'a' }], startsAt: 0 } as const;
    expect(runScenario([{ a: 0.3, ab: 0.3 }], { settings: alerting({ silences: [notA] }) }).lines).toEqual(['w0 FIRING CRITICAL a']);
  });
});

describe('inhibition', () => {
  it('mutes the WARNINGs of a model while one of its CRITICAL alerts fires', () => {
    const { lines } = runScenario([{ a: 0.3, b: 0.15 }, { a: 0.3, b: 0.15 }, { a: 0, b: 0.15 }], { settings: alerting({ inhibition: { enabled: true } }) });
    expect(lines).toEqual(['w0 FIRING CRITICAL a', 'w1 FIRING CRITICAL a', 'w2 RESOLVED CRITICAL a', 'w2 FIRING WARNING b']);
  });

  it('is off by default', () => {
    expect(runScenario([{ a: 0.3, b: 0.15 }]).lines).toEqual(['w0 FIRING CRITICAL a', 'w0 FIRING WARNING b']);
  });
});

describe('rate limit per model', () => {
  it('sends at most maxAlerts FIRING notifications per span, CRITICAL first', () => {
    const settings = alerting({ rateLimit: { maxAlerts: 3, perMs: 5 * MINUTE } });
    const { lines } = runScenario(repeat(7, { a: 0.15, b: 0.3, c: 0.15, d: 0.3 }), { settings });
    expect(lines).toEqual([
      'w0 FIRING WARNING a',
      'w0 FIRING CRITICAL b',
      'w0 FIRING CRITICAL d',
      // w1..w4: the 3 notifications of w0 are inside the 5-minute span.
      'w5 FIRING WARNING a',
      'w5 FIRING CRITICAL b',
      'w5 FIRING CRITICAL d',
    ]);
  });

  it('still resolves what it notified', () => {
    const settings = alerting({ rateLimit: { maxAlerts: 1, perMs: 60 * MINUTE } });
    expect(runScenario([{ a: 0.3 }, { a: 0 }, { a: 0.3 }], { settings }).lines).toEqual(['w0 FIRING CRITICAL a', 'w1 RESOLVED CRITICAL a']);
  });
});

describe('a seeded stream through every feature at once', () => {
  const random = mulberry32(2026);
  const windows: WindowScores[] = Array.from({ length: 60 }, () => Object.fromEntries(['f0', 'f1', 'f2', 'f3', 'f4', 'f5'].map((f) => [f, random() < 0.4 ? random() * 0.5 : random() * 0.1])));
  const settings = alerting({
    hysteresis: { fireAfter: 2, of: 3, resolveAfter: 2 },
    grouping: { waitMs: MINUTE, intervalMs: 2 * MINUTE, repeatMs: 5 * MINUTE },
    inhibition: { enabled: true },
    rateLimit: { maxAlerts: 8, perMs: 10 * MINUTE },
    silences: [{ id: 'f5', matchers: [{ label: 'feature', op: '=', value: 'f5' }], startsAt: T0 + 20 * MINUTE, endsAt: T0 + 40 * MINUTE, comment: '', createdBy: 'config' }],
  });

  it('is deterministic, survives persisting its state at any window, and keeps ids unique', () => {
    const a = runScenario(windows, { settings });
    const b = runScenario(windows, { settings, persistAfter: new Set([0, 7, 19, 20, 33, 58]) });
    expect(b.alerts).toEqual(a.alerts);
    expect(a.alerts.length).toBeGreaterThan(10);
    expect(new Set(a.alerts.map((x) => x.alertId)).size).toBe(a.alerts.length);
  });

  it('sends RESOLVED only for an alert notified as FIRING before, at most once per firing', () => {
    const { alerts } = runScenario(windows, { settings });
    const open = new Set<string>();
    let resolved = 0;
    for (const alert of alerts) {
      if (alert.status === 'FIRING') open.add(alert.fingerprint);
      else {
        expect(open.has(alert.fingerprint)).toBe(true);
        open.delete(alert.fingerprint);
        resolved++;
      }
    }
    expect(resolved).toBeGreaterThan(0);
  });

  it('never notifies f5 while its silence is active, nor more than 8 FIRING in 10 minutes', () => {
    const { alerts } = runScenario(windows, { settings });
    const firing = alerts.filter((x) => x.status === 'FIRING');
    expect(firing.filter((x) => x.feature === 'f5' && x.windowEnd >= T0 + 20 * MINUTE && x.windowEnd < T0 + 40 * MINUTE)).toEqual([]);
    for (const x of firing) expect(firing.filter((y) => y.windowEnd <= x.windowEnd && y.windowEnd > x.windowEnd - 10 * MINUTE).length).toBeLessThanOrEqual(8);
  });
});
