/**
 * The real pool over the compiled worker (dist/workers/scoring.js): run `npm run build` first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScoringPool } from '../../../../src/pipeline/score/pool.js';
import { VigilError } from '../../../../src/errors.js';
import { makeColumns, normalColumns } from '../../workers/helpers.js';

const NAMES = ['a', 'b', 'c'];
const pools: ScoringPool[] = [];

function pool(options: ConstructorParameters<typeof ScoringPool>[0]): ScoringPool {
  const p = new ScoringPool(options);
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('ScoringPool', () => {
  it('builds, summarizes and scores through worker threads, transferring the batches', async () => {
    const p = pool({ threads: 2 });
    const refColumns = normalColumns(1, 1000, 3);
    const reference = await p.buildReference({ columns: refColumns, featureNames: NAMES, id: 'ref-1' });
    expect(refColumns.features.byteLength).toBe(0);
    expect(reference.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(reference.edges.buffer).toBe(reference.buffer);
    expect(reference.binCount).toBe(10);

    const batch = normalColumns(2, 1000, 4, 1);
    const summaries = await p.summarize({ columns: batch, reference, detectors: ['psi'] });
    for (const array of [batch.features, batch.scores, batch.latencies, batch.statuses, batch.timestamps]) expect(array.byteLength).toBe(0);
    expect(summaries['psi']!['totals']).toEqual(Float64Array.from([1000, 1000, 1000]));

    const scores = (await p.scoreWindows([{ summaries, reference, detectors: ['psi'] }]))[0]!;
    expect(scores.map((s) => s.feature)).toEqual(NAMES);
    for (const s of scores) expect(s.score).toBeGreaterThan(0.25);
    // The shared reference is never detached and serves any number of tasks.
    expect(reference.edges.byteLength).toBeGreaterThan(0);
    const [again] = await p.scoreWindows([{ summaries, reference, detectors: ['psi'] }]);
    expect(again).toEqual(scores);
  });

  it('scores several windows in one dispatch, equal to scoring each alone; none dispatches nothing', async () => {
    const p = pool({ threads: 1, maxQueue: 1 });
    const reference = await p.buildReference({ columns: normalColumns(1, 1000, 3), featureNames: NAMES, id: 'ref-w' });
    const requests = [];
    for (const shift of [0, 1.5, 0.2]) requests.push({ summaries: await p.summarize({ columns: normalColumns(7, 500, 3, shift), reference, detectors: ['psi'] }), reference, detectors: ['psi'] });
    const together = await p.scoreWindows(requests);
    expect(together).toHaveLength(3);
    for (let i = 0; i < requests.length; i++) expect(together[i]).toEqual((await p.scoreWindows([requests[i]!]))[0]);
    expect(together[1]![0]!.score).toBeGreaterThan(together[0]![0]!.score);
    const settled = p.inFlight;
    const none = p.scoreWindows([]);
    expect(p.inFlight).toBe(settled);
    expect(await none).toEqual([]);
    await expect(p.scoreWindows([{ ...requests[0]!, detectors: ['nope'] }])).rejects.toThrow(/scoreWindows.*nope/);
  });

  it('summarizes several row ranges of one batch in one dispatch, equal to summarizing each range alone', async () => {
    const p = pool({ threads: 1, maxQueue: 1 });
    const reference = await p.buildReference({ columns: normalColumns(1, 1000, 3), featureNames: NAMES, id: 'ref-r' });
    const ranges: [number, number][] = [[0, 100], [100, 1500], [1500, 1501], [1501, 3000]];
    const batch = normalColumns(5, 3000, 3, 0.5);
    const copy = { ...batch, features: batch.features.slice(), scores: batch.scores.slice(), latencies: batch.latencies.slice(), statuses: batch.statuses.slice(), timestamps: batch.timestamps.slice() };
    const together = await p.summarizeRanges({ columns: batch, reference, detectors: ['psi'], ranges });
    expect(together).toHaveLength(4);
    for (let r = 0; r < ranges.length; r++) {
      const [start, end] = ranges[r]!;
      const alone = await p.summarize({
        columns: {
          count: end - start,
          featureCount: 3,
          features: Float64Array.from([0, 1, 2].flatMap((f) => [...copy.features.subarray(f * 3000 + start, f * 3000 + end)])),
          scores: copy.scores.slice(start, end),
          latencies: copy.latencies.slice(start, end),
          statuses: copy.statuses.slice(start, end),
          timestamps: copy.timestamps.slice(start, end),
        },
        reference,
        detectors: ['psi'],
      });
      expect(together[r]).toEqual(alone);
    }
    // A range outside the batch is refused, naming its bounds.
    await expect(p.summarizeRanges({ columns: copy, reference, detectors: ['psi'], ranges: [[0, 3000], [5, 4000]] })).rejects.toThrow(/range 5\.\.4000 is not within 0\.\.3000/);
  });

  it('scores a batch with window and event detectors in one dispatch, as summarizeRanges and scoreEvents do apart', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(7, 1000, 3), featureNames: NAMES, id: 'ref-b', detectors: ['mahalanobis'] });
    const ranges: [number, number][] = [[0, 700], [700, 2000]];
    const batch = normalColumns(8, 2000, 3, 0.3);
    for (let i = 0; i < 2000; i += 97) batch.features[i] = 40; // far-off rows for the event detector
    const copy = () => ({ ...batch, features: batch.features.slice(), scores: batch.scores.slice(), latencies: batch.latencies.slice(), statuses: batch.statuses.slice(), timestamps: batch.timestamps.slice() });
    const both = await p.scoreBatch({ columns: copy(), reference, ranges, windowDetectors: ['psi', 'ks'], eventDetectors: ['mahalanobis'] });
    const summaries = await p.summarizeRanges({ columns: copy(), reference, detectors: ['psi', 'ks'], ranges });
    const findings = await p.scoreEvents({ columns: copy(), reference, detectors: ['mahalanobis'], ranges });
    expect(both.summaries).toEqual(summaries);
    expect(both.findings).toEqual(findings);
    expect(both.findings[0]!.flagged.length).toBeGreaterThan(0);
    // Either list may be empty.
    const windowsOnly = await p.scoreBatch({ columns: copy(), reference, ranges, windowDetectors: ['psi'], eventDetectors: [] });
    expect(windowsOnly.findings).toEqual([]);
    expect(windowsOnly.summaries).toHaveLength(2);
    const eventsOnly = await p.scoreBatch({ columns: copy(), reference, ranges, windowDetectors: [], eventDetectors: ['mahalanobis'] });
    expect(eventsOnly.summaries).toEqual([{}, {}]);
    expect(eventsOnly.findings).toEqual(findings);
    await expect(p.scoreBatch({ columns: copy(), reference, ranges: [[0, 5000]], windowDetectors: ['psi'], eventDetectors: [] })).rejects.toThrow(/range 0\.\.5000 is not within 0\.\.2000/);
  });

  it('transfers columns that share one buffer, and sends only the numeric part of a batch', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(3, 500, 3), featureNames: NAMES, id: 'ref-2' });
    const count = 200;
    const buffer = new ArrayBuffer(8 * (count * 3 + 3 * count) + count);
    const columns = {
      count,
      featureCount: 3,
      features: new Float64Array(buffer, 0, count * 3).fill(0.5),
      scores: new Float64Array(buffer, 8 * count * 3, count),
      latencies: new Float64Array(buffer, 8 * count * 4, count),
      timestamps: new Float64Array(buffer, 8 * count * 5, count),
      statuses: new Uint8Array(buffer, 8 * count * 6, count),
      featureNames: [...NAMES, 'extra'],
      eventIds: ['not sent'],
    };
    const summaries = await p.summarize({ columns, reference, detectors: ['psi'] });
    expect(buffer.byteLength).toBe(0);
    expect(summaries['psi']!['totals']).toEqual(Float64Array.from([200, 200, 200]));
  });

  it('refuses a batch whose feature index does not extend the reference', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(4, 100, 3), featureNames: NAMES, id: 'ref-3' });
    const columns = { ...normalColumns(5, 10, 3), featureNames: ['a', 'c', 'b'] };
    await expect(p.summarize({ columns, reference, detectors: ['psi'] })).rejects.toMatchObject({ code: 'VIGIL_INPUT_INVALID' });
    expect(columns.features.byteLength).toBeGreaterThan(0); // nothing was sent
    await expect(p.summarize({ columns: { ...normalColumns(5, 10, 3), count: 9 }, reference, detectors: ['psi'] })).rejects.toThrow(/"features" has 30 values, expected 27/);
  });

  it('reports worker failures as VigilErrors naming the task', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(6, 100, 3), featureNames: NAMES, id: 'ref-4' });
    const error: unknown = await p.summarize({ columns: normalColumns(7, 10, 3), reference, detectors: ['nope'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('VIGIL_INTERNAL');
    expect((error as VigilError).message).toMatch(/task "summarize" failed: unknown detector "nope"/);
  });

  it('signals backpressure with a tiny maxQueue: needsDrain, a refused overflow, then onDrain', async () => {
    const p = pool({ threads: 1, maxQueue: 1 });
    const reference = await p.buildReference({ columns: normalColumns(8, 1000, 3), featureNames: NAMES, id: 'ref-5' });
    let drains = 0;
    const unsubscribe = p.onDrain(() => drains++);
    expect(p.needsDrain).toBe(false);
    const first = p.summarize({ columns: normalColumns(9, 20_000, 3), reference, detectors: ['psi'] });
    expect(p.needsDrain).toBe(false);
    const second = p.summarize({ columns: normalColumns(10, 20_000, 3), reference, detectors: ['psi'] });
    expect(p.needsDrain).toBe(true); // one running + one queued = threads + maxQueue
    expect(p.inFlight).toBe(2);
    const overflow = normalColumns(11, 10, 3);
    const refused: unknown = await p.summarize({ columns: overflow, reference, detectors: ['psi'] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'VIGIL_INTERNAL', retriable: true, details: { reason: 'pool-full' } });
    expect(overflow.features.byteLength).toBeGreaterThan(0); // a refused batch is not transferred
    const drained = new Promise<void>((resolve) => p.onDrain(resolve));
    await first;
    await drained;
    expect(p.needsDrain).toBe(false);
    expect(drains).toBe(1);
    await second;
    expect(drains).toBe(1); // no new transition, no new event
    unsubscribe();
    expect(p.utilization).toBeGreaterThanOrEqual(0);
    expect(p.utilization).toBeLessThanOrEqual(1);
  });

  it('reports utilisation as a share of thread time (kept busy, it is far above zero)', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(1, 1000, 3), featureNames: NAMES, id: 'ref-u' });
    const batches = Array.from({ length: 40 }, (_, i) => normalColumns(100 + i, 50_000, 3));
    for (const batch of batches) await p.summarize({ columns: batch, reference, detectors: ['psi'] });
    // Piscina's own figure reads 1000 times too low (about 0.0005 here); ours must not.
    expect(p.utilization).toBeGreaterThan(0.05);
    expect(p.utilization).toBeLessThanOrEqual(1);
  });

  it('counts the threads\' own busy time, not the time a result waits for this thread', async () => {
    const p = pool({ threads: 1 });
    const reference = await p.buildReference({ columns: normalColumns(1, 1000, 3), featureNames: NAMES, id: 'ref-l' });
    const summaries = await p.summarize({ columns: normalColumns(2, 100, 3), reference, detectors: ['psi'] });
    const pending = p.scoreWindows([{ summaries, reference, detectors: ['psi'] }]);
    // This thread stays busy for 600 ms: the tiny task's result waits all that time to be handled,
    // which a figure taken on this thread (Piscina's) would count as the worker's.
    const until = performance.now() + 600;
    while (performance.now() < until) {
      // busy
    }
    await pending;
    expect(p.utilization).toBeGreaterThan(0);
    expect(p.utilization).toBeLessThan(0.3);
  });

  it('closes: waits for running tasks, refuses new ones, and is idempotent', async () => {
    const p = new ScoringPool({ threads: 1 });
    const running = p.buildReference({ columns: makeColumns(5000, 4, (f, i) => f * i), featureNames: ['w', 'x', 'y', 'z'], id: 'ref-6' });
    const closing = p.close();
    expect(p.close()).toBe(closing);
    await expect(running).resolves.toMatchObject({ id: 'ref-6' });
    await closing;
    await expect(p.buildReference({ columns: normalColumns(12, 10, 1), featureNames: ['a'], id: 'late' })).rejects.toMatchObject({ code: 'VIGIL_ENGINE_STOPPING' });
  });

  it('validates options with messages naming the option', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ threads: 0 }, /option "threads" must be an integer from 1 to 256, got 0/],
      [{ threads: 1.5 }, /option "threads"/],
      [{ maxQueue: Infinity }, /option "maxQueue" must be an integer from 1 to 65536/],
      [{ maxQueue: 0 }, /option "maxQueue"/],
      [{ closeTimeout: -1 }, /option "closeTimeout"/],
      [{ workerFile: '' }, /option "workerFile"/],
      [{ thread: 2 }, /option "thread" must be one of threads, maxQueue, closeTimeout, workerFile/],
    ];
    for (const [options, message] of bad) {
      let error: unknown;
      try {
        new ScoringPool(options as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('VIGIL_CONFIG_INVALID');
      expect((error as VigilError).message).toMatch(message);
    }
    expect(() => new ScoringPool({ workerFile: '/nonexistent/scoring.js' })).toThrow(/npm run build/);
  });

  it('defaults to availableParallelism() - 1 threads (at least 1) and a bounded queue', () => {
    const p = pool({});
    expect(p.threads).toBeGreaterThanOrEqual(1);
    expect(p.maxQueue).toBe(Math.max(4, p.threads * p.threads));
  });
});
