/**
 * The contract every registered event detector must keep. A new detector is covered as soon as it is
 * in EVENT_DETECTORS; nothing here names a particular detector.
 */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../../src/contracts/records.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../workers/detectors/reference.js';
import { eventDetectorIds, eventDetectorRegistry, getEventDetector } from '../../../../workers/detectors/registry.js';
import type { Summary } from '../../../../workers/detectors/types.js';
import { makeColumns, mulberry32, normalColumns } from '../helpers.js';

const NAMES = ['f0', 'f1', 'f2', 'f3'];

function trace(i: number): LlmTrace | null {
  if (i % 7 === 0) return null;
  const context = `Lake Varo covers ${100 + i} square kilometres. It was first surveyed by Anna Kel in 1890.`;
  const responses = [`Lake Varo covers ${100 + i} square kilometres.`, `Lake Varo covers ${900 + i} square kilometres and was mapped by Boris Tal.`, "I'm sorry, I cannot answer that.", '', 'Lake Varo covers'];
  const rng = mulberry32(i);
  return {
    prompt: 'About Lake Varo?',
    response: responses[i % responses.length]!,
    contexts: [context, 'Unrelated passage about something else.'],
    tokenLogprobs: Array.from({ length: 10 }, () => -3 * rng()),
    responseEmbedding: i % 3 === 0 ? null : Array.from({ length: 8 }, (_, k) => Math.sin(i + k)),
    contextEmbedding: Array.from({ length: 8 }, (_, k) => Math.sin(k)),
    samples: i % 2 === 0 ? [`Lake Varo covers ${100 + i} square kilometres.`] : [],
    inputTokens: 10,
    outputTokens: 10,
  };
}

/** A batch with every optional column an event detector may read, shifted, with outliers and absent values. */
function fullBatch(count: number): NumericColumns {
  const base = normalColumns(21, count, 5, 0.3, 0.05);
  for (let i = 0; i < count; i += 17) base.features[i] = 40;
  const statuses = Uint8Array.from({ length: count }, (_, i) => (i % 11 === 0 ? 1 + (i % 3) : 0));
  const latencies = Float64Array.from({ length: count }, (_, i) => (i > count / 2 ? 80 : 12) + (i % 5));
  const codes = Int32Array.from({ length: 2 * count }, (_, k) => (k % 13 === 0 ? -1 : k % 3));
  return {
    ...base,
    statuses,
    latencies,
    categorical: { names: ['colour', 'f1'], codes, dictionaries: [['red', 'green', 'mauve'], ['1', '2', '3']] },
    llm: Array.from({ length: count }, (_, i) => trace(i)),
  };
}

function referenceBatch(): NumericColumns {
  const base = normalColumns(11, 600, 4, 0, 0.02);
  const codes = Int32Array.from({ length: 600 }, (_, i) => i % 2);
  return { ...base, statuses: Uint8Array.from({ length: 600 }, (_, i) => (i % 50 === 0 ? 1 : 0)), categorical: { names: ['colour'], codes, dictionaries: [['red', 'green']] } };
}

const refColumns = referenceBatch();
const bare = buildReferenceProfile({ columns: refColumns, featureNames: NAMES, id: 'event-contract' });
const detectorData: Record<string, Summary> = {};
for (const id of eventDetectorIds()) {
  const d = getEventDetector(id);
  if (d.prepareReference) detectorData[id] = d.prepareReference(refColumns, bare, d.parseParams(undefined));
}
const reference: ReferenceProfile = { ...bare, detectorData };
const batch = fullBatch(400);

function snapshot(columns: NumericColumns): string {
  return JSON.stringify([Array.from(columns.features), Array.from(columns.latencies), Array.from(columns.statuses), Array.from(columns.categorical?.codes ?? []), columns.llm]);
}

function expectWellFormed(scores: Float64Array, flagged: readonly { row: number; score: number; evidence: Record<string, string> }[], count: number): void {
  expect(scores).toBeInstanceOf(Float64Array);
  expect(scores.length).toBe(count);
  for (const s of scores) expect(Number.isNaN(s) || (s >= 0 && s <= 1)).toBe(true);
  let last = -1;
  for (const f of flagged) {
    expect(Number.isInteger(f.row) && f.row > last && f.row < count).toBe(true);
    expect(f.score).toBe(scores[f.row]);
    for (const v of Object.values(f.evidence)) expect(typeof v).toBe('string');
    last = f.row;
  }
}

describe('event detector registry', () => {
  it('holds unique ids, none shared with window detectors, and answers unknown ids with the list', () => {
    expect(eventDetectorIds().length).toBeGreaterThan(0);
    expect(() => getEventDetector('no-such-detector')).toThrow(/unknown event detector "no-such-detector"; registered: /);
  });
});

describe.each(eventDetectorIds())('event detector contract: %s', (id) => {
  const detector = eventDetectorRegistry.get(id)!;
  const params = detector.parseParams(undefined);

  it('declares its identity and validates parameters', () => {
    expect(detector.id).toBe(id);
    expect(['ANOMALY', 'HALLUCINATION']).toContain(detector.kind);
    expect(detector.description.length).toBeGreaterThan(0);
    expect(() => detector.parseParams({ 'not-a-parameter': 1 })).toThrow(RangeError);
    expect(() => detector.parseParams({ 'not-a-parameter': 1 })).toThrow(new RegExp(id));
    expect(Object.isFrozen(params)).toBe(true);
  });

  it('scores every row in [0, 1] or NaN, flags rows in order with their score, and scores something', () => {
    const { scores, flagged } = detector.scoreEvents(batch, reference, params);
    expectWellFormed(scores, flagged, batch.count);
    expect(Array.from(scores).some((s) => !Number.isNaN(s))).toBe(true);
  });

  it('is deterministic and leaves its inputs untouched', () => {
    const before = snapshot(batch);
    const refBefore = JSON.stringify(Object.fromEntries(Object.entries(detectorData).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, a]) => [n, Array.from(a)]))])));
    const a = detector.scoreEvents(batch, reference, params);
    const b = detector.scoreEvents(batch, reference, params);
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(b.flagged).toEqual(a.flagged);
    expect(snapshot(batch)).toBe(before);
    expect(JSON.stringify(Object.fromEntries(Object.entries(detectorData).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, arr]) => [n, Array.from(arr)]))])))).toBe(refBefore);
    if (detector.prepareReference) {
      const again = detector.prepareReference(refColumns, bare, params);
      for (const [name, section] of Object.entries(again)) {
        expect(section).toBeInstanceOf(Float64Array);
        expect(Array.from(section), name).toEqual(Array.from(detectorData[id]![name]!));
      }
    }
  });

  it('scores all NaN without the inputs it needs (no optional columns, no prepared reference), never throwing', () => {
    const stripped: NumericColumns = { count: batch.count, featureCount: batch.featureCount, features: batch.features, scores: batch.scores, latencies: batch.latencies, statuses: batch.statuses, timestamps: batch.timestamps };
    const unprepared: ReferenceProfile = { ...bare };
    const { scores, flagged } = detector.scoreEvents(stripped, unprepared, params);
    expectWellFormed(scores, flagged, batch.count);
    expect(Array.from(scores).every((s) => Number.isNaN(s))).toBe(true);
    expect(flagged).toEqual([]);
  });

  it('scores an empty batch and an all-absent batch without failing', () => {
    for (const columns of [makeColumns(0, 4, () => 0), makeColumns(50, 4, () => NaN)]) {
      const { scores, flagged } = detector.scoreEvents(columns, reference, params);
      expectWellFormed(scores, flagged, columns.count);
    }
  });
});
