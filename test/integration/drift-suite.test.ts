/**
 * The drift suite in the engine on the real stack: two-sample tests per numeric feature, chi-square on
 * categorical inputs, embedding drift and the sequential detectors, each raising DRIFT alerts on the
 * drifted model version and (at their calibrated false-alarm rate) almost none on the stationary one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, InferenceEvent } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { mulberry32, normal } from '../../src/demo/random.js';
import type { Engine } from '../../src/engine.js';
import type { AvroProducer } from '../../src/pipeline/sink/producer.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, uniquePrefix } from './helpers.js';

const DETECTORS = ['ks', 'cvm', 'wasserstein', 'jensen-shannon', 'hellinger', 'chi-square', 'mmd', 'pca-drift', 'embedding-drift', 'stream-score', 'stream-latency', 'stream-errors'];

/** Events with a categorical mix and an 8-dimension embedding, both shifting from `driftFrom` on. */
function events(modelId: string, seed: number, count: number, driftFrom: number): InferenceEvent[] {
  const rng = mulberry32(seed * 7 + 1);
  const gauss = normal(rng);
  return new EventGenerator({ modelId, modelVersion: '1', seed, features: 6, driftFrom, driftSigma: 1, driftedFeatures: 2 }).take(count).map((e, i) => {
    const drifted = i >= driftFrom;
    const u = rng();
    const segment = drifted ? (u < 0.2 ? 'retail' : u < 0.4 ? 'sme' : 'corporate') : u < 0.6 ? 'retail' : u < 0.9 ? 'sme' : 'corporate';
    // Embeddings around a topic direction; the drifted traffic is about another topic.
    const topic = drifted ? [0, 0, 0, 1, 1, 1, 0, 0] : [1, 1, 1, 0, 0, 0, 0, 0];
    return { ...e, categorical: { segment }, embedding: topic.map((t) => t + 0.4 * gauss()) };
  });
}

describe('the drift suite in the engine', () => {
  const prefix = uniquePrefix('drift-suite');
  let rig: EngineRig | undefined;
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    rig = await startEngineRig(prefix, 2, {
      engine: { windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
      detectors: { psi: { enabled: false }, ...Object.fromEntries(DETECTORS.map((id) => [id, { enabled: true }])) },
      policy: { rollback: { enabled: false } },
    });
    engine = rig.engine;
    producer = rig.producer;
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('alerts on numeric, categorical and embedding drift of the drifted model; the stationary one stays nearly silent', async () => {
    const drifting = events('loans-drift', 1, 3000, 2000);
    const stable = events('loans-stable', 2, 3000, Number.POSITIVE_INFINITY);
    for (let at = 0; at < 3000; at += 500) {
      await producer.send([...drifting.slice(at, at + 500), ...stable.slice(at, at + 500)].map((value) => ({ key: value.modelId, value })));
    }
    await consumedAll(engine, 6000, 120_000);
    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', () => false, 5000)).map((r) => r.value!).filter((a) => a.status === 'FIRING');
    const driftTime = drifting[2000]!.timestamp;
    // Windows of the drifted model before the drift are as stationary as the other model's.
    const early = alerts.filter((a) => a.modelId === 'loans-drift' && a.windowEnd <= driftTime);
    const drifted = alerts.filter((a) => a.modelId === 'loans-drift' && a.windowEnd > driftTime);
    const byDetector = (id: string) => drifted.filter((a) => a.detector === id);
    // The shifted features f00 and f01, by every two-sample test.
    for (const id of ['ks', 'cvm', 'jensen-shannon', 'hellinger']) {
      expect(new Set(byDetector(id).map((a) => a.feature)), id).toEqual(new Set(['f00', 'f01']));
    }
    expect(byDetector('chi-square').map((a) => a.feature)).toContain('segment');
    expect(byDetector('embedding-drift').length).toBeGreaterThan(0);
    expect(byDetector('mmd').length).toBeGreaterThan(0);
    for (const a of drifted) expect(a.kind).toBe('DRIFT');
    // Stationary windows: a handful of false alarms at most across their windows x 12 detectors
    // (each detector at its calibrated rate).
    const names = (list: typeof alerts) => list.map((a) => `${a.detector}/${a.feature ?? '-'}`).join(', ');
    expect(early.length, names(early)).toBeLessThanOrEqual(4);
    const quiet = alerts.filter((a) => a.modelId === 'loans-stable');
    expect(quiet.length, names(quiet)).toBeLessThanOrEqual(6);
  }, 180_000);
});
