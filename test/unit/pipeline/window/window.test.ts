import { describe, it, expect } from 'vitest';
import { ModelWindows } from '../../../../src/pipeline/window/window.js';
import type { WindowOptions } from '../../../../src/pipeline/window/types.js';
import { VigilError } from '../../../../src/errors.js';
import { T0, batchesOf, drive, makeBatch, merge, shape, stream, summarise, valuesOf } from './helpers.js';

function windows(overrides: Partial<WindowOptions> = {}): ModelWindows {
  return new ModelWindows({ modelId: 'credit-risk', modelVersion: '3.2.0', windows: { count: 10, timeMs: 3_600_000 }, referenceEvents: 5, merge, ...overrides });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('reference phase', () => {
  it('collects the first N events, then becomes ready and windows the rest of the batch', () => {
    const w = windows();
    const first = w.assign(makeBatch(stream(3)));
    expect(w.phase).toBe('collecting-reference');
    expect(first).toEqual({ reference: { rows: [0, 3], completed: false }, slices: [], closed: [] });
    expect(w.reference()).toBeNull();

    const second = w.assign(makeBatch(stream(4, { from: 3 }), { firstOffset: 3 }));
    expect(w.phase).toBe('ready');
    expect(second.reference).toEqual({ rows: [0, 2], completed: true });
    expect(second.slices).toEqual([{ windowKey: 'credit-risk/3.2.0/w0', windowIndex: 0, part: 0, rows: [2, 4], closesWindow: false }]);

    const ref = w.reference();
    expect(ref?.count).toBe(5);
    expect(ref?.featureNames).toEqual(['x']);
    expect(Array.from(ref?.features ?? [])).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(ref?.timestamps ?? [])).toEqual([T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40]);
    expect(ref?.source).toEqual({ topic: 'vigil.inference', partition: 0, firstOffset: '0', lastOffset: '6' });
    expect(ref?.referenceId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same reference id for the same rows however they were batched', () => {
    const a = windows();
    const b = windows();
    drive(a, batchesOf(stream(8), [8]));
    drive(b, batchesOf(stream(8), [1, 2, 1]));
    expect(a.reference()?.referenceId).toBe(b.reference()?.referenceId);
  });
});

describe('count windows', () => {
  const rows = stream(5 + 47); // 5 reference rows, then 4 full windows of 10 and 7 rows open

  it('closes a window after exactly `count` events, splitting batches at the boundary', () => {
    const { closed, slices } = drive(windows(), batchesOf(rows, [52]));
    expect(slices.map((s) => [s.windowIndex, s.rows, s.closesWindow])).toEqual([
      [0, [5, 15], true],
      [1, [15, 25], true],
      [2, [25, 35], true],
      [3, [35, 45], true],
      [4, [45, 52], false],
    ]);
    expect(closed.map((c) => c.eventCount)).toEqual([10, 10, 10, 10]);
    expect(closed.every((c) => c.closedBy === 'count')).toBe(true);
    expect(valuesOf(closed[0]!)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(closed[0]!.windowStart).toBe(T0 + 50);
    expect(closed[0]!.windowEnd).toBe(T0 + 141); // last event + 1 ms
    expect(closed[1]!.windowStart).toBe(closed[0]!.windowEnd);
    // Exactly the offsets of the window's own events, whatever batch they came in.
    expect(closed[0]!.source).toEqual({ topic: 'vigil.inference', partition: 0, firstOffset: '5', lastOffset: '14' });
  });

  it('gives identical windows however the same events are batched, and whatever order summaries arrive in', () => {
    const reference = drive(windows(), batchesOf(rows, [52])).closed.map(shape);
    for (const sizes of [[1], [3, 7, 1, 9, 5], [6, 10, 10], [13], [2, 50]]) {
      expect(drive(windows(), batchesOf(rows, sizes)).closed.map(shape)).toEqual(reference);
      expect(drive(windows(), batchesOf(rows, sizes), { reverse: true }).closed.map(shape)).toEqual(reference);
    }
  });

  it('returns closed windows in window order even when a later window completes first', () => {
    const w = windows({ referenceEvents: 1 });
    const batch = makeBatch(stream(21));
    const { slices } = w.assign(batch);
    expect(slices).toHaveLength(2);
    expect(w.addSummary(slices[1]!, summarise(batch, slices[1]!))).toEqual([]);
    const closed = w.addSummary(slices[0]!, summarise(batch, slices[0]!));
    expect(closed.map((c) => c.windowIndex)).toEqual([0, 1]);
  });

  it('keeps window starts strictly increasing when many events share a millisecond', () => {
    const same = Array.from({ length: 35 }, (_, i) => ({ ts: T0, values: [i] }));
    const closed = drive(windows(), batchesOf(same, [35])).closed;
    expect(closed.map((c) => [c.windowStart, c.windowEnd])).toEqual([
      [T0, T0 + 1],
      [T0 + 1, T0 + 2],
      [T0 + 2, T0 + 3],
    ]);
  });
});

describe('time windows', () => {
  const opts = { windows: { count: 1000, timeMs: 1000 }, referenceEvents: 1 };
  const at = (ms: number, v: number) => ({ ts: T0 + ms, values: [v] });

  it('closes when an event reaches windowStart + timeMs; slots are aligned to the first event', () => {
    const rows = [at(-5000, -1), at(0, 0), at(400, 1), at(999, 2), at(1000, 3), at(1200, 4), at(3500, 5), at(3600, 6)];
    const { closed } = drive(windows(opts), batchesOf(rows, [8]));
    expect(closed.map((c) => [c.windowStart - T0, c.windowEnd - T0, c.eventCount, c.closedBy, valuesOf(c)])).toEqual([
      [0, 1000, 3, 'time', [0, 1, 2]],
      [1000, 2000, 2, 'time', [3, 4]],
    ]);
    // The window in progress started on the slot grid (3000), not at its first event (3500).
    const next = windows(opts);
    drive(next, batchesOf(rows, [8]));
    const later = drive(next, [makeBatch([at(4000, 7)], { firstOffset: 8 })]).closed;
    expect(later.map((c) => [c.windowStart - T0, c.windowEnd - T0, valuesOf(c)])).toEqual([[3000, 4000, [5, 6]]]);
  });

  it('closes a window from a later batch whose first event is past its end', () => {
    const w = windows(opts);
    drive(w, [makeBatch([at(-1, 0), at(0, 1), at(10, 2)])]);
    const assignment = w.assign(makeBatch([at(2500, 3)], { firstOffset: 3 }));
    expect(assignment.closed.map((c) => [c.windowStart - T0, c.windowEnd - T0, c.closedBy, c.eventCount])).toEqual([[0, 1000, 'time', 2]]);
    expect(assignment.slices).toEqual([{ windowKey: 'credit-risk/3.2.0/w1', windowIndex: 1, part: 0, rows: [0, 1], closesWindow: false }]);
  });

  it('puts a late event into the window in progress', () => {
    const rows = [at(0, 0), at(100, 1), at(50, 2), at(1500, 3), at(20, 4), at(2100, 5)];
    const { closed } = drive(windows(opts), batchesOf(rows, [2, 4]));
    expect(closed.map((c) => valuesOf(c))).toEqual([[1, 2], [3, 4]]);
  });

  it('count and time together: count closes inside a slot, the next window starts where it ended', () => {
    const w = windows({ windows: { count: 3, timeMs: 1000 }, referenceEvents: 1 });
    // at(0) is the reference; the first windowed event (10) anchors the slots: [10, 1010), [1010, 2010)...
    const rows = [at(0, 0), at(10, 1), at(20, 2), at(30, 3), at(40, 4), at(1009, 5), at(1010, 6)];
    const { closed } = drive(w, [makeBatch(rows)]);
    expect(closed.map((c) => [c.windowStart - T0, c.windowEnd - T0, c.closedBy, valuesOf(c)])).toEqual([
      [10, 31, 'count', [1, 2, 3]],
      [31, 1010, 'time', [4, 5]],
    ]);
  });

  it('closes the window in progress when the version moves to another partition', () => {
    const w = windows(opts);
    drive(w, [makeBatch([at(0, 0), at(1, 1), at(2, 2)])]);
    const closed = drive(w, [makeBatch([at(3, 3)], { partition: 4, firstOffset: 70 })]).closed;
    expect(closed.map((c) => [c.closedBy, c.source.partition, valuesOf(c)])).toEqual([['source', 0, [1, 2]]]);
  });
});

describe('feature index', () => {
  it('follows appended feature names; rows before a feature appeared hold NaN for it', () => {
    const w = windows({ referenceEvents: 4 });
    w.assign(makeBatch([{ ts: T0, values: [1] }, { ts: T0 + 1, values: [2] }], { featureNames: ['a'] }));
    w.assign(makeBatch([{ ts: T0 + 2, values: [3, 30] }], { featureNames: ['a', 'b'], firstOffset: 2 }));
    // An older batch built before `b` existed is still a valid prefix.
    w.assign(makeBatch([{ ts: T0 + 3, values: [4] }, { ts: T0 + 4, values: [5] }], { featureNames: ['a'], firstOffset: 3 }));
    const ref = w.reference();
    expect(ref?.featureNames).toEqual(['a', 'b']);
    expect(Array.from(ref?.features ?? [])).toEqual([1, 2, 3, 4, Number.NaN, Number.NaN, 30, Number.NaN]);
    expect(w.featureNames).toEqual(['a', 'b']);
  });

  it('keeps exactly N rows of a large reference collected over many batches, features added midway', () => {
    const w = windows({ referenceEvents: 200 });
    const rows = Array.from({ length: 230 }, (_, i) => ({ ts: T0 + i, values: [i, 1000 + i] }));
    drive(w, [makeBatch(rows.slice(0, 70), { featureNames: ['a'] })]);
    drive(w, batchesOf(rows.slice(70), [45], { featureNames: ['a', 'b'], firstOffset: 70 }));
    const ref = w.reference();
    expect(ref?.count).toBe(200);
    const a = Array.from(ref?.features.subarray(0, 200) ?? []);
    const b = Array.from(ref?.features.subarray(200, 400) ?? []);
    expect(a).toEqual(rows.slice(0, 200).map((r) => r.values[0]));
    expect(b.slice(0, 70).every(Number.isNaN)).toBe(true);
    expect(b.slice(70)).toEqual(rows.slice(70, 200).map((r) => r.values[1]));
    expect(Array.from(ref?.timestamps ?? [])).toEqual(rows.slice(0, 200).map((r) => r.ts));
  });

  it('rejects a batch whose names are not an extension of the known index, changing nothing', () => {
    const w = windows({ referenceEvents: 1 });
    w.assign(makeBatch([{ ts: T0, values: [1, 2] }], { featureNames: ['a', 'b'] }));
    const before = w.snapshot();
    expect(codeOf(() => w.assign(makeBatch([{ ts: T0 + 1, values: [1, 2] }], { featureNames: ['a', 'c'] })))).toBe('VIGIL_INPUT_INVALID');
    expect(Buffer.from(w.snapshot()).equals(Buffer.from(before))).toBe(true);
  });

  it('reports the feature index of each closed window', () => {
    const w = windows({ referenceEvents: 1, windows: { count: 2, timeMs: 1000 } });
    const closed = drive(w, [
      makeBatch([{ ts: T0, values: [0] }, { ts: T0 + 1, values: [1] }], { featureNames: ['a'] }),
      makeBatch([{ ts: T0 + 2, values: [2, 9] }], { featureNames: ['a', 'b'], firstOffset: 2 }),
    ]).closed;
    expect(closed.map((c) => c.featureNames)).toEqual([['a', 'b']]);
  });
});

describe('misuse is refused', () => {
  it('rejects a batch of another model version, inconsistent columns or non-integer timestamps', () => {
    const w = windows();
    expect(codeOf(() => w.assign(makeBatch(stream(1), { modelVersion: '9' })))).toBe('VIGIL_INTERNAL');
    const broken = { ...makeBatch(stream(2)), timestamps: new Float64Array(1) };
    expect(codeOf(() => w.assign(broken))).toBe('VIGIL_INPUT_INVALID');
    expect(codeOf(() => w.assign(makeBatch([{ ts: Number.NaN, values: [1] }])))).toBe('VIGIL_INPUT_INVALID');
    expect(w.reference()).toBeNull();
  });

  it('rejects a summary for an unknown window or a slice summarised twice', () => {
    const w = windows({ referenceEvents: 1 });
    const batch = makeBatch(stream(4));
    const [slice] = w.assign(batch).slices;
    expect(codeOf(() => w.addSummary({ windowKey: 'credit-risk/3.2.0/w9', part: 0 }, {}))).toBe('VIGIL_INTERNAL');
    w.addSummary(slice!, summarise(batch, slice!));
    expect(codeOf(() => w.addSummary(slice!, summarise(batch, slice!)))).toBe('VIGIL_INTERNAL');
  });

  it('rejects invalid window settings', () => {
    expect(codeOf(() => windows({ windows: { count: 0, timeMs: 10 } }))).toBe('VIGIL_INTERNAL');
  });
});
