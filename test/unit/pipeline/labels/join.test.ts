/** The bounded label join: both arrival orders, duplicates, expiry by event time, eviction by count, hostile input. */
import { describe, expect, it } from 'vitest';
import type { GroundTruth } from '../../../../src/contracts/records.js';
import { VigilError } from '../../../../src/errors.js';
import { LabelJoin } from '../../../../src/pipeline/labels/join.js';

const T0 = 1_700_000_000_000;
const gt = (eventId: string, label: number | string, timestamp = T0): GroundTruth => ({ eventId, modelId: 'm', timestamp, label });

describe('LabelJoin', () => {
  it('joins a label that comes after its event, and an event that comes after its label', () => {
    const j = new LabelJoin<{ score: number }>();
    expect(j.offerEvent('e1', T0, { score: 0.9 })).toBeNull();
    expect(j.offerLabel(gt('e1', 1, T0 + 5000))).toEqual({ eventId: 'e1', eventTime: T0, payload: { score: 0.9 }, label: 1 });
    expect(j.offerLabel(gt('e2', 'cat'))).toBeNull();
    expect(j.offerEvent('e2', T0 + 10, { score: 0.2 })).toEqual({ eventId: 'e2', eventTime: T0 + 10, payload: { score: 0.2 }, label: 'cat' });
    expect(j.counts()).toEqual({ joined: 2, expiredEvents: 0, expiredLabels: 0, evictedEvents: 0, evictedLabels: 0, duplicateLabels: 0, waitingEvents: 0, waitingLabels: 0 });
    // Joined pairs are gone: the same label again waits instead of joining twice.
    expect(j.offerLabel(gt('e1', 1))).toBeNull();
    expect(j.counts().waitingLabels).toBe(1);
  });

  it('keeps the first of two labels for one eventId and counts the second', () => {
    const j = new LabelJoin<null>();
    j.offerLabel(gt('e', 'a'));
    j.offerLabel(gt('e', 'b'));
    expect(j.offerEvent('e', T0, null)?.label).toBe('a');
    expect(j.counts().duplicateLabels).toBe(1);
  });

  it('builds label columns for a batch from waiting labels, numeric and class, each joining once', () => {
    const j = new LabelJoin<null>();
    j.offerLabel(gt('a', 'dog'));
    j.offerLabel(gt('b', 2.5));
    j.offerLabel(gt('c', 'cat'));
    j.offerLabel(gt('d', 'dog'));
    const cols = j.labelColumns(['x', 'a', 'b', 'c', 'd', 'a']);
    expect(Array.from(cols.numeric)).toEqual([NaN, NaN, 2.5, NaN, NaN, NaN]);
    expect(Array.from(cols.classes.codes)).toEqual([-1, 0, -1, 1, 0, -1]);
    expect(cols.classes.values).toEqual(['dog', 'cat']);
    expect(j.counts()).toMatchObject({ joined: 4, waitingLabels: 0 });
  });

  it('expires entries older than maxAgeMs behind the event-time watermark, on both sides', () => {
    const j = new LabelJoin<number>({ maxAgeMs: 1000 });
    j.offerEvent('old', T0, 1);
    j.offerLabel(gt('lonely', 0, T0 + 100));
    j.offerEvent('recent', T0 + 900, 2);
    expect(j.counts()).toMatchObject({ waitingEvents: 2, waitingLabels: 1, expiredEvents: 0 });
    j.offerEvent('now', T0 + 1050, 3); // watermark - 1000 = T0 + 50: "old" expires, the label (T0 + 100) not yet
    expect(j.counts()).toMatchObject({ waitingEvents: 2, waitingLabels: 1, expiredEvents: 1, expiredLabels: 0 });
    expect(j.offerLabel(gt('old', 1))).toBeNull(); // its event is gone; the label itself is too old to wait
    expect(j.counts().expiredLabels).toBe(1);
    j.advanceTo(T0 + 1101);
    expect(j.counts()).toMatchObject({ waitingLabels: 0, expiredLabels: 2 });
    // An event already too old when offered is counted, not kept; the watermark never goes back.
    expect(j.offerEvent('late', T0, 9)).toBeNull();
    expect(j.counts().expiredEvents).toBe(2);
    expect(j.watermark).toBe(T0 + 1101);
  });

  it('never holds more than maxEntries, forgetting the oldest waiting entry first', () => {
    const j = new LabelJoin<number>({ maxEntries: 3 });
    j.offerEvent('e1', T0, 1);
    j.offerLabel(gt('l1', 1));
    j.offerEvent('e2', T0, 2);
    j.offerEvent('e3', T0, 3); // evicts e1
    expect(j.counts()).toMatchObject({ waitingEvents: 2, waitingLabels: 1, evictedEvents: 1 });
    expect(j.offerLabel(gt('e1', 0))).toBeNull(); // e1 was forgotten; this label waits and evicts l1
    expect(j.counts()).toMatchObject({ evictedLabels: 1, waitingLabels: 1 });
    // Joined entries free their place: no eviction of a live entry for them.
    expect(j.offerLabel(gt('e2', 1))?.payload).toBe(2);
    j.offerEvent('e4', T0, 4);
    expect(j.counts()).toMatchObject({ waitingEvents: 2, waitingLabels: 1, evictedEvents: 1 });
    const big = new LabelJoin<number>({ maxEntries: 1000 });
    for (let i = 0; i < 50_000; i++) big.offerEvent(`e${i}`, T0 + i, i);
    expect(big.counts()).toMatchObject({ waitingEvents: 1000, evictedEvents: 49_000 });
    expect(big.offerLabel(gt('e49999', 1))?.payload).toBe(49_999);
    expect(big.offerLabel(gt('e48999', 1))).toBeNull();
  });

  it('rejects malformed and hostile records with a VigilError naming the field, changing nothing', () => {
    const j = new LabelJoin<null>();
    const bad: unknown[] = [
      null,
      { eventId: '', modelId: 'm', timestamp: T0, label: 1 },
      { eventId: 'x'.repeat(10_000), modelId: 'm', timestamp: T0, label: 1 },
      { eventId: 'e', modelId: 'm', timestamp: NaN, label: 1 },
      { eventId: 'e', modelId: 'm', timestamp: T0, label: Infinity },
      { eventId: 'e', modelId: 'm', timestamp: T0, label: { nested: true } },
      { eventId: 'e', modelId: 'm', timestamp: T0, label: 'y'.repeat(5000) },
      { eventId: 42, modelId: 'm', timestamp: T0, label: 1 },
    ];
    for (const record of bad) {
      let error: unknown;
      try {
        j.offerLabel(record as GroundTruth);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('VIGIL_EVENT_INVALID');
      expect((error as VigilError).message).toMatch(/label join: (label record|eventId|timestamp|label) /);
    }
    expect(() => j.offerEvent('e', Number.POSITIVE_INFINITY, null)).toThrow(/eventTime Infinity must be a finite number/);
    expect(j.counts()).toMatchObject({ waitingEvents: 0, waitingLabels: 0, joined: 0 });
    expect(j.watermark).toBe(-Infinity);
  });

  it('rejects bad options by name', () => {
    expect(() => new LabelJoin({ maxEntries: 0 })).toThrow(/maxEntries must be an integer from 1/);
    expect(() => new LabelJoin({ maxAgeMs: -5 })).toThrow(/maxAgeMs must be a positive finite number/);
  });
});
