/**
 * The contract every registered window detector must keep. A new detector is covered as soon as it is
 * in the registry; nothing here names a particular detector.
 */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../src/contracts/batch.js';
import { buildReferenceProfile } from '../../../../workers/detectors/reference.js';
import { detectorIds, detectorRegistry, getDetector } from '../../../../workers/detectors/registry.js';
import type { Summary } from '../../../../workers/detectors/types.js';
import { concatColumns, makeColumns, mulberry32, normalColumns, sliceColumns } from '../helpers.js';

const KINDS = ['DRIFT', 'PERFORMANCE', 'ANOMALY', 'HALLUCINATION'];
const NAMES = ['f0', 'f1', 'f2', 'f3'];
const reference = buildReferenceProfile({ columns: normalColumns(11, 800, 4, 0, 0.05), featureNames: NAMES, id: 'contract-ref' });
// The window under test: shifted, with absent values, and with one more column than the reference.
const window = normalColumns(12, 900, 5, 0.5, 0.05);

/** Sections equal up to a relative 1e-9 (exact for counts; room for detectors that sum floats). */
function expectSameSummary(actual: Summary, expected: Summary, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name]!;
    expect(got.length, `${label}: section ${name}`).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const g = got[i]!;
      if (Number.isNaN(w) || !Number.isFinite(w)) expect(g, `${label}: ${name}[${i}]`).toBe(w);
      else expect(Math.abs(g - w), `${label}: ${name}[${i}] = ${g}, expected ${w}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
    }
  }
}

function snapshot(columns: NumericColumns): number[] {
  return [...columns.features, ...columns.scores, ...columns.latencies, ...columns.statuses, ...columns.timestamps];
}

describe('detector registry', () => {
  it('holds unique ids and answers unknown ids with the list of known ones', () => {
    expect(detectorIds().length).toBeGreaterThan(0);
    expect(new Set(detectorIds()).size).toBe(detectorIds().length);
    expect(() => getDetector('no-such-detector')).toThrow(/unknown detector "no-such-detector"; registered: /);
  });
});

describe.each(detectorIds())('detector contract: %s', (id) => {
  const detector = detectorRegistry.get(id)!;
  const params = detector.parseParams(undefined);

  it('declares its identity', () => {
    expect(detector.id).toBe(id);
    expect(KINDS).toContain(detector.kind);
    expect(Number.isInteger(detector.stateVersion) && detector.stateVersion >= 1).toBe(true);
    expect(detector.description.length).toBeGreaterThan(0);
    expect(() => detector.parseParams({ 'not-a-parameter': 1 })).toThrow(RangeError);
  });

  it('summarizes into transferable Float64Array sections without touching its inputs', () => {
    const before = snapshot(window);
    const refBefore = Array.from(reference.proportions);
    const summary = detector.summarize(window, reference, params);
    expect(Object.keys(summary).length).toBeGreaterThan(0);
    for (const section of Object.values(summary)) {
      expect(section).toBeInstanceOf(Float64Array);
      expect(section.buffer).toBeInstanceOf(ArrayBuffer);
    }
    expect(snapshot(window)).toEqual(before);
    expect(Array.from(reference.proportions)).toEqual(refBefore);
  });

  it('merges batch summaries into the summary of the union, at any split', () => {
    const rng = mulberry32(13);
    const whole = detector.summarize(window, reference, params);
    for (const cut of [0, 1, 450, 899, 900, Math.floor(rng() * 900)]) {
      const a = sliceColumns(window, 0, cut);
      const b = sliceColumns(window, cut, window.count);
      expectSameSummary(detector.merge(detector.summarize(a, reference, params), detector.summarize(b, reference, params)), whole, `cut ${cut}`);
      expectSameSummary(detector.summarize(concatColumns(a, b), reference, params), whole, `concat ${cut}`);
    }
  });

  it('merges associatively, with empty() as the identity, leaving its inputs alone', () => {
    const [a, b, c] = [sliceColumns(window, 0, 200), sliceColumns(window, 200, 650), sliceColumns(window, 650, 900)].map((part) =>
      detector.summarize(part, reference, params),
    ) as [Summary, Summary, Summary];
    const aCopy = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Float64Array.from(v)]));
    expectSameSummary(detector.merge(detector.merge(a, b), c), detector.merge(a, detector.merge(b, c)), 'associativity');
    const empty = detector.empty(reference, params);
    expectSameSummary(detector.merge(empty, a), a, 'left identity');
    expectSameSummary(detector.merge(a, empty), a, 'right identity');
    expectSameSummary(a, aCopy, 'inputs untouched');
    expectSameSummary(detector.summarize(makeColumns(0, 5, () => 0), reference, params), empty, 'empty batch');
  });

  it('round-trips summaries through bytes and rejects damaged bytes', () => {
    for (const summary of [detector.summarize(window, reference, params), detector.empty(reference, params)]) {
      const bytes = detector.encode(summary);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expectSameSummary(detector.decode(bytes), summary, 'round trip');
      expect(() => detector.decode(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
      expect(() => detector.decode(new Uint8Array(0))).toThrow(RangeError);
    }
  });

  it('scores finite values with well-formed evidence', () => {
    const merged = detector.merge(detector.summarize(sliceColumns(window, 0, 400), reference, params), detector.summarize(sliceColumns(window, 400, 900), reference, params));
    const scores = detector.score(merged, reference, params);
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores) {
      expect(s.detector).toBe(id);
      expect(Number.isFinite(s.score)).toBe(true);
      expect(s.feature === null || NAMES.includes(s.feature)).toBe(true);
      for (const value of Object.values(s.evidence)) expect(typeof value).toBe('string');
    }
  });

  it('scores empty and all-absent windows without failing, and only finitely', () => {
    for (const columns of [makeColumns(0, 4, () => 0), makeColumns(300, 4, () => NaN)]) {
      const scores = detector.score(detector.summarize(columns, reference, params), reference, params);
      for (const s of scores) expect(Number.isFinite(s.score)).toBe(true);
    }
  });

  it('is deterministic: the same input gives the same summary, bytes and scores', () => {
    const first = detector.summarize(window, reference, params);
    const second = detector.summarize(window, reference, params);
    expect(detector.encode(second)).toEqual(detector.encode(first));
    expect(detector.score(second, reference, params)).toEqual(detector.score(first, reference, params));
  });
});
