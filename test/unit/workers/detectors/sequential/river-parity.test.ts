/**
 * Detection indices equal to River's (0.26) on the seeded streams of bench/peers/stream_fixtures.py,
 * for every configuration the fixtures hold, and the same after a snapshot/restore at any point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSequential, restoreSequential, parseAlgorithmParams } from '../../../../../workers/detectors/sequential/algorithms.js';

interface Fixture {
  stream: string;
  river: string;
  values: number[];
  detectors: { id: string; algorithm: string; params: Record<string, unknown>; drifts: number[]; warnings?: number[] }[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/peers/streams');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture);

function run(algorithm: string, params: Record<string, unknown>, values: readonly number[], restoreAt = -1): { drifts: number[]; warnings: number[] } {
  const p = parseAlgorithmParams(algorithm, params);
  let d = createSequential(algorithm, p);
  const drifts: number[] = [];
  const warnings: number[] = [];
  values.forEach((v, i) => {
    if (i === restoreAt) d = restoreSequential(algorithm, p, d.snapshot());
    d.update(v);
    if (d.driftDetected) drifts.push(i);
    if (d.warningDetected) warnings.push(i);
  });
  return { drifts, warnings };
}

describe('sequential detectors match River on seeded streams', () => {
  it('has fixtures for every algorithm River has', () => {
    const algorithms = new Set(fixtures.flatMap((f) => f.detectors.map((d) => d.algorithm)));
    expect([...algorithms].sort()).toEqual(['adwin', 'ddm', 'kswin', 'page-hinkley']);
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  for (const fixture of fixtures) {
    describe(`stream "${fixture.stream}" (River ${fixture.river})`, () => {
      for (const det of fixture.detectors) {
        it(`${det.id}: drifts at ${JSON.stringify(det.drifts)}`, () => {
          const got = run(det.algorithm, det.params, fixture.values);
          expect(got.drifts).toEqual(det.drifts);
          if (det.warnings !== undefined) expect(got.warnings).toEqual(det.warnings);
        });
        it(`${det.id}: same indices when restored from a snapshot mid-stream`, () => {
          for (const at of [1, 777, Math.floor(fixture.values.length / 2) + 3]) {
            expect(run(det.algorithm, det.params, fixture.values, at).drifts).toEqual(det.drifts);
          }
        });
      }
    });
  }
});
