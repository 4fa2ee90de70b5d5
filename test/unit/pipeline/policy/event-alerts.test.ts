import { describe, expect, it } from 'vitest';
import { INITIAL_EVENT_ALERT_STATE, decodeEventAlertState, encodeEventAlertState, eventAlertId, stepEventAlerts, type EventAlertInput, type FlaggedInput } from '../../../../src/pipeline/policy/event-alerts.js';

const flagged = (row: number, score: number, windowIndex: number, detector = 'mahalanobis'): FlaggedInput => ({
  detector, flag: { row, score, evidence: { distance: String(score * 10) } }, windowIndex, eventId: `e${row}`, timestamp: 1000 + row, topic: 'in', partition: 2, offset: String(100 + row),
});

function input(events: FlaggedInput[], overrides: Partial<EventAlertInput> = {}): EventAlertInput {
  return {
    modelId: 'm', modelVersion: '1',
    detectors: { mahalanobis: { kind: 'ANOMALY', thresholds: { warning: 0.995, critical: 0.9999 } }, hallucination: { kind: 'HALLUCINATION', thresholds: { warning: 0.3, critical: 0.8 } } },
    events, perWindow: 2, silences: [], configHash: 'c', referenceId: 'r', ...overrides,
  };
}

describe('alerts of single events', () => {
  it('one alert per flagged event, severity by threshold, id from model, detector and event', () => {
    const { alerts } = stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input([flagged(3, 0.996, 0), flagged(4, 0.99995, 0)]));
    expect(alerts.map((a) => [a.alertId, a.severity, a.threshold, a.kind, a.evidence['eventId']])).toEqual([
      [eventAlertId('m', 'mahalanobis', 'e3'), 'WARNING', 0.995, 'ANOMALY', 'e3'],
      [eventAlertId('m', 'mahalanobis', 'e4'), 'CRITICAL', 0.9999, 'ANOMALY', 'e4'],
    ]);
    expect(alerts[0]).toMatchObject({ status: 'FIRING', feature: null, windowStart: 1003, startsAt: 1003, source: { topic: 'in', partition: 2, firstOffset: 103, lastOffset: 103 }, evidence: { distance: '9.96' } });
  });

  it('raises at most perWindow alerts per detector and window, counts the rest, and starts again in the next window', () => {
    const events = [flagged(1, 0.999, 0), flagged(2, 0.999, 0), flagged(3, 0.999, 0), flagged(4, 0.5, 0, 'hallucination'), flagged(5, 0.999, 1)];
    const step = stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input(events));
    expect(step.alerts.map((a) => a.evidence['eventId'])).toEqual(['e1', 'e2', 'e4', 'e5']);
    expect(step.state).toEqual({ windowIndex: 1, raised: { mahalanobis: 1 }, suppressed: {} });
    // Split anywhere, the same alerts: the state carries the budget across batches.
    const first = stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input(events.slice(0, 2)));
    const second = stepEventAlerts(decodeEventAlertState(encodeEventAlertState(first.state)), input(events.slice(2)));
    expect([...first.alerts, ...second.alerts]).toEqual(step.alerts);
    const mid = stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input(events.slice(0, 4)));
    expect(mid.state.suppressed).toEqual({ mahalanobis: 1 });
  });

  it('skips detectors that are off, scores under the warning threshold and silenced events', () => {
    const off = stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input([flagged(1, 0.999, 0)], { detectors: { mahalanobis: { kind: 'ANOMALY', thresholds: null } } }));
    expect(off.alerts).toEqual([]);
    expect(stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input([flagged(1, 0.5, 0)])).alerts).toEqual([]);
    const silences = [{ id: 's', matchers: [{ label: 'detector', op: '=' as const, value: 'mahalanobis' }], startsAt: 0, endsAt: 5000, comment: '', createdBy: 'test' }];
    expect(stepEventAlerts(INITIAL_EVENT_ALERT_STATE, input([flagged(1, 0.999, 0)], { silences })).alerts).toEqual([]);
  });

  it('reads a damaged state as the initial one', () => {
    expect(decodeEventAlertState(Buffer.from('{not json'))).toEqual(INITIAL_EVENT_ALERT_STATE);
    expect(decodeEventAlertState(Buffer.from('{"windowIndex":"x","raised":{"a":-1,"b":2}}'))).toEqual({ windowIndex: -1, raised: { b: 2 }, suppressed: {} });
  });
});
