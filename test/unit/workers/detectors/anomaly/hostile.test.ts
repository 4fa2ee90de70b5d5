/**
 * The anomaly detectors on hostile numbers and degenerate references: infinities and extreme values in
 * the reference and in the batch, references of zero, one or constant rows, batches with fewer or more
 * feature columns than the reference, and damaged reference sections. Scores are NaN or in [0, 1];
 * nothing throws; a damaged forest cannot make traversal loop.
 */
import { describe, expect, it } from 'vitest';
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { isolationForestDetector } from '../../../../../workers/detectors/anomaly/isolation-forest.js';
import { eventDetectorIds, getEventDetector } from '../../../../../workers/detectors/registry.js';
import type { AnyEventDetector, EventScores } from '../../../../../workers/detectors/types.js';
import { makeColumns } from '../../helpers.js';
import { preparedReference } from './prepared.js';

const anomaly = eventDetectorIds()
  .map(getEventDetector)
  .filter((d) => d.kind === 'ANOMALY' && d.prepareReference !== undefined);
const EXTREMES = [Infinity, -Infinity, 1e308, -1e308, Number.MIN_VALUE, -0, NaN, 0.5];

function expectValid(result: EventScores, count: number): void {
  expect(result.scores.length).toBe(count);
  for (const s of result.scores) expect(Number.isNaN(s) || (s >= 0 && s <= 1), String(s)).toBe(true);
}

function scoreAll(ref: NumericColumns, batch: NumericColumns, names: string[]): void {
  const reference = preparedReference(ref, names, anomaly as AnyEventDetector[]);
  for (const d of anomaly) expectValid(d.scoreEvents(batch, reference, d.parseParams(undefined)), batch.count);
}

describe('anomaly detectors on hostile numbers', () => {
  it('score extreme values in the batch and the reference without failing', () => {
    const ref = makeColumns(64, 3, (f, i) => EXTREMES[(f + i) % EXTREMES.length]!);
    const batch = makeColumns(64, 3, (f, i) => EXTREMES[(2 * f + i) % EXTREMES.length]!);
    batch.latencies.fill(Infinity, 0, 8);
    batch.latencies.fill(-5, 8, 16);
    batch.latencies.fill(NaN, 16, 24);
    scoreAll(ref, batch, ['a', 'b', 'c']);
    scoreAll(makeColumns(300, 3, (f, i) => i + f), batch, ['a', 'b', 'c']);
  });

  it('score against references of no row, one row and constant rows', () => {
    const batch = makeColumns(20, 2, (f, i) => i - 10 + f);
    for (const ref of [makeColumns(0, 2, () => 0), makeColumns(1, 2, () => 3), makeColumns(100, 2, () => 7), makeColumns(50, 2, () => NaN)]) scoreAll(ref, batch, ['a', 'b']);
  });

  it('score batches with fewer or more feature columns than the reference', () => {
    const ref = makeColumns(200, 3, (f, i) => Math.sin(i * (f + 1)));
    scoreAll(ref, makeColumns(30, 1, (_, i) => i), ['a', 'b', 'c']);
    scoreAll(ref, makeColumns(30, 6, (_, i) => i), ['a', 'b', 'c']);
    scoreAll(ref, makeColumns(30, 0, () => 0), ['a', 'b', 'c']);
  });

  it('score NaN when reference sections are damaged, and never loop on a cyclic forest', () => {
    const ref = makeColumns(200, 2, (f, i) => Math.cos(i + f));
    const batch = makeColumns(10, 2, (_, i) => i);
    const reference = preparedReference(ref, ['a', 'b'], anomaly as AnyEventDetector[]);
    for (const d of anomaly) {
      const data = reference.detectorData![d.id]!;
      const shrunk = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.subarray(0, Math.max(0, v.length - 1))]));
      const broken = { ...reference, detectorData: { ...reference.detectorData, [d.id]: shrunk } };
      const result = d.scoreEvents(batch, broken, d.parseParams(undefined));
      expectValid(result, batch.count);
      expect(Array.from(result.scores).every(Number.isNaN), d.id).toBe(true);
    }
    const forest = reference.detectorData!['isolation-forest']!;
    const left = Float64Array.from(forest['left']!);
    const internal = Array.from(forest['feature']!).findIndex((f) => f >= 0);
    left[internal] = internal; // a node that is its own child
    const cyclic = { ...reference, detectorData: { ...reference.detectorData, 'isolation-forest': { ...forest, left } } };
    const result = isolationForestDetector.scoreEvents(batch, cyclic, isolationForestDetector.parseParams(undefined));
    expect(Array.from(result.scores).every(Number.isNaN)).toBe(true);
  });
});
