/** The stream window detectors: which column each reads, the reference continuation, standardisation, bounds and hostile bytes. */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { buildReferenceProfile } from '../../../../../workers/detectors/reference.js';
import type { ReferenceProfile } from '../../../../../workers/detectors/reference.js';
import { Adwin } from '../../../../../workers/detectors/sequential/adwin.js';
import { streamErrorsDetector, streamLatencyDetector, streamScoreDetector } from '../../../../../workers/detectors/sequential/stream-drift.js';
import { gaussian, makeColumns, mulberry32 } from '../../helpers.js';

function withStreams(count: number, score: (i: number) => number, latency: (i: number) => number, error: (i: number) => boolean): NumericColumns {
  const base = makeColumns(count, 1, () => 0);
  const statuses = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    base.scores[i] = score(i);
    base.latencies[i] = latency(i);
    statuses[i] = error(i) ? 1 : 0;
  }
  return { ...base, statuses };
}

const rng = mulberry32(21);
const normal = gaussian(rng);
const refColumns = withStreams(3000, () => 0.3 + 0.05 * normal(), () => 20 + normal(), () => rng() < 0.05);
const plain = buildReferenceProfile({ columns: refColumns, featureNames: ['f0'], id: 'ref-1' });

function prepared(params: ReturnType<typeof streamScoreDetector.parseParams>, detector = streamScoreDetector): ReferenceProfile {
  return { ...plain, detectorData: { [detector.id]: detector.prepareReference!(refColumns, plain, params) } };
}

describe('stream-score', () => {
  const params = streamScoreDetector.parseParams(undefined);

  it('reads the score column in order, skipping absent scores, and ADWIN runs on it as on its own', () => {
    const w = withStreams(2000, (i) => (i % 10 === 0 ? NaN : i < 1000 ? 0.3 + 0.05 * normal() : 0.5 + 0.05 * normal()), () => 1, () => false);
    const summary = streamScoreDetector.summarize(w, plain, params);
    expect(summary.values.length).toBe(1800);
    const direct = new Adwin();
    let drifts = 0;
    for (const v of summary.values) {
      direct.update(v);
      if (direct.driftDetected) drifts++;
    }
    const [s] = streamScoreDetector.score(summary, plain, params);
    expect(s!.score).toBe(drifts);
    expect(s!.score).toBeGreaterThan(0);
    expect(s!.evidence['start']).toBe('fresh');
  });

  it('continues from the reference: a window like the reference is quiet, a shifted one fires early', () => {
    const ref = prepared(params);
    const same = withStreams(1000, () => 0.3 + 0.05 * normal(), () => 20, () => false);
    const shifted = withStreams(1000, () => 0.4 + 0.05 * normal(), () => 20, () => false);
    const quiet = streamScoreDetector.score(streamScoreDetector.summarize(same, ref, params), ref, params)[0]!;
    const loud = streamScoreDetector.score(streamScoreDetector.summarize(shifted, ref, params), ref, params)[0]!;
    expect(quiet.score).toBe(0);
    expect(loud.score).toBeGreaterThan(0);
    expect(Number(loud.evidence['firstDriftAt'])).toBeLessThan(200);
    expect(loud.evidence['start']).toBe('after reference ref-1');
  });

  it('keeps only the newest maxValues values and counts the rest, at any merge order', () => {
    const p = streamScoreDetector.parseParams({ maxValues: 10 });
    const w = withStreams(25, (i) => i, () => 1, () => false);
    const parts = [0, 7, 8, 20, 25];
    let merged = streamScoreDetector.empty(plain, p);
    for (let k = 0; k + 1 < parts.length; k++) {
      const slice = withStreams(parts[k + 1]! - parts[k]!, (i) => parts[k]! + i, () => 1, () => false);
      merged = streamScoreDetector.merge(merged, streamScoreDetector.summarize(slice, plain, p));
    }
    expect(Array.from(merged.values)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(merged.dropped[0]).toBe(15);
    expect(streamScoreDetector.summarize(w, plain, p)).toEqual(merged);
    expect(() => streamScoreDetector.merge(merged, streamScoreDetector.empty(plain, params))).toThrow(/different maxValues/);
  });

  it('validates its parameters by name, including the algorithm\'s', () => {
    expect(streamScoreDetector.parseParams({ algorithm: 'kswin', seed: 3 })).toMatchObject({ algorithm: 'kswin', seed: 3, windowSize: 100 });
    expect(() => streamScoreDetector.parseParams({ algorithm: 'magic' })).toThrow(/"algorithm" must be one of adwin, page-hinkley, kswin, ddm, cusum, got "magic"/);
    expect(() => streamScoreDetector.parseParams({ algorithm: 'ddm' })).toThrow(/needs a 0\/1 stream/);
    expect(() => streamScoreDetector.parseParams({ maxValues: 0 })).toThrow(/"maxValues" must be an integer/);
    expect(() => streamScoreDetector.parseParams({ delta: 2 })).toThrow(/stream-score \(adwin\): parameter "delta"/);
    expect(() => streamScoreDetector.parseParams({ algorithm: 'cusum', delta: 0.1 })).toThrow(/unknown parameter "delta"/);
  });

  it('rejects hostile bytes', () => {
    const good = streamScoreDetector.encode(streamScoreDetector.summarize(withStreams(5, (i) => i, () => 1, () => false), plain, params));
    const view = new DataView(good.buffer);
    const nan = good.slice();
    new DataView(nan.buffer).setFloat64(good.length - 8 * 3, NaN, true); // last value
    expect(() => streamScoreDetector.decode(nan)).toThrow(/not finite/);
    const hugeDropped = good.slice();
    new DataView(hugeDropped.buffer).setFloat64(good.length - 16, -1, true);
    expect(() => streamScoreDetector.decode(hugeDropped)).toThrow(/dropped count/);
    expect(view.getUint32(0, true)).toBe(0x31534756);
  });
});

describe('stream-latency and stream-errors', () => {
  it('stream-latency (ADWIN) fires when latency rises after the reference, not before', () => {
    const params = streamLatencyDetector.parseParams(undefined);
    const ref = prepared(params, streamLatencyDetector);
    const calm = withStreams(2000, () => 0, () => 20 + normal(), () => false);
    const slow = withStreams(2000, () => 0, (i) => 20 + normal() + (i >= 500 ? 3 : 0), () => false);
    expect(streamLatencyDetector.score(streamLatencyDetector.summarize(calm, ref, params), ref, params)[0]!.score).toBe(0);
    const s = streamLatencyDetector.score(streamLatencyDetector.summarize(slow, ref, params), ref, params)[0]!;
    expect(s.score).toBeGreaterThan(0);
    expect(Number(s.evidence['firstDriftAt'])).toBeGreaterThanOrEqual(500);
    expect(Number(s.evidence['firstDriftAt'])).toBeLessThan(600);
  });

  it('reads score and latency in units of the reference\'s standard deviation: the same signals on any scale', () => {
    // Latencies of ~120 ms (sd 25) with a 1 sd rise after row 400, and the same stream in microseconds.
    const make = (k: number, seed: number) => {
      const r = gaussian(mulberry32(seed));
      return (i: number, shift: number) => k * (120 + 25 * r() + (i >= 400 ? shift : 0));
    };
    for (const algorithm of ['adwin', 'page-hinkley', 'cusum'] as const) {
      const params = streamLatencyDetector.parseParams({ algorithm });
      const run = (k: number) => {
        const refAt = make(k, 5);
        const curAt = make(k, 6);
        const refCols = withStreams(2000, () => 0, (i) => refAt(i, 0), () => false);
        const cur = withStreams(1000, () => 0, (i) => curAt(i, 25), () => false);
        const profile = { ...plain, detectorData: { [streamLatencyDetector.id]: streamLatencyDetector.prepareReference!(refCols, plain, params) } };
        return streamLatencyDetector.score(streamLatencyDetector.summarize(cur, profile, params), profile, params)[0]!;
      };
      const ms = run(1);
      const us = run(1000);
      expect(us.score, algorithm).toBe(ms.score);
      expect(us.evidence['firstDriftAt'], algorithm).toBe(ms.evidence['firstDriftAt']);
      if (algorithm === 'adwin') expect(Number(ms.evidence['firstDriftAt'])).toBeGreaterThanOrEqual(400);
      expect(ms.evidence['standardized'], algorithm).toMatch(/^\(value - 1[12]\d\.\d+\) \/ 2\d\.\d+$/);
    }
    // Read as they are, Page–Hinkley's defaults (delta 0.005, threshold 50) fire all along a stationary
    // stream of milliseconds; standardised, at most their rate on N(0, 1) (bench/results/stream-detection-delay.json).
    const stationary = withStreams(1000, () => 0, () => 120 + 25 * normal(), () => false);
    const refCols = withStreams(2000, () => 0, () => 120 + 25 * normal(), () => false);
    const count = (standardize: boolean) => {
      const params = streamLatencyDetector.parseParams({ algorithm: 'page-hinkley', standardize });
      const profile = { ...plain, detectorData: { [streamLatencyDetector.id]: streamLatencyDetector.prepareReference!(refCols, plain, params) } };
      return streamLatencyDetector.score(streamLatencyDetector.summarize(stationary, profile, params), profile, params)[0]!;
    };
    expect(count(false).score).toBeGreaterThan(20);
    expect(count(false).evidence['standardized']).toBe('no');
    expect(count(true).score).toBeLessThan(count(false).score / 10);
  });

  it('validates standardize: a boolean, and never on the 0/1 error stream', () => {
    expect(streamLatencyDetector.parseParams(undefined)).toMatchObject({ standardize: true });
    expect(streamErrorsDetector.parseParams(undefined)).toMatchObject({ standardize: false });
    expect(() => streamScoreDetector.parseParams({ standardize: 'yes' })).toThrow(/"standardize" must be true or false, got "yes"/);
    expect(() => streamErrorsDetector.parseParams({ standardize: true })).toThrow(/"standardize" must be false: the error stream is read as 0\/1/);
  });

  it('stream-errors (DDM) reads status != OK as an error and fires when the error rate rises', () => {
    const params = streamErrorsDetector.parseParams(undefined);
    const ref = prepared(params, streamErrorsDetector);
    const w = withStreams(2000, () => 0, () => 1, (i) => rng() < (i >= 1000 ? 0.25 : 0.05));
    const summary = streamErrorsDetector.summarize(w, ref, params);
    expect(summary.values.every((v) => v === 0 || v === 1)).toBe(true);
    const s = streamErrorsDetector.score(summary, ref, params)[0]!;
    expect(s.score).toBeGreaterThan(0);
    expect(Number(s.evidence['firstDriftAt'])).toBeGreaterThanOrEqual(1000);
    expect(s.evidence['algorithm']).toBe('ddm');
  });
});
