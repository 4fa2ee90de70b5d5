/**
 * Per-event detectors in the engine on the real stack: anomalies in a numeric model and
 * hallucinations in an LLM model become alerts that name the event, with the audit record of each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, InferenceEvent, LlmTrace } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import type { Engine } from '../../src/engine.js';
import type { AvroProducer } from '../../src/pipeline/sink/producer.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, uniquePrefix } from './helpers.js';

interface Example {
  readonly id: string;
  readonly kind: string;
  readonly label: number;
  readonly trace: LlmTrace;
}

const examples: Example[] = readFileSync(new URL('../fixtures/hallucination/eval-0.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Example);

describe('event detectors in the engine', () => {
  const prefix = uniquePrefix('events');
  let rig: EngineRig | undefined;
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    rig = await startEngineRig(prefix, 1, {
      engine: { windows: { count: 400, timeMs: 3_600_000 }, reference: { events: 400 } },
      detectors: { psi: { enabled: false }, mahalanobis: { enabled: true, critical: 0.997 }, hallucination: { enabled: true } },
    });
    engine = rig.engine;
    producer = rig.producer;
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('raises an ANOMALY alert for each injected outlier and HALLUCINATION alerts mostly on unsupported answers', async () => {
    const numeric = new EventGenerator({ modelId: 'credit', modelVersion: '1', seed: 11, features: 8 }).take(1200);
    // Five events far from everything the reference saw, after the reference (the first 400).
    const outliers = [500, 650, 800, 950, 1100];
    for (const i of outliers) {
      const e = numeric[i]!;
      numeric[i] = { ...e, eventId: `outlier-${i}`, features: Object.fromEntries(Object.entries(e.features).map(([k, v]) => [k, v + 25])) };
    }
    // The LLM model: its reference is grounded answers only; then the whole evaluation set.
    const grounded = examples.filter((x) => x.label === 0);
    const llm = (x: Example, i: number, id: string): InferenceEvent => ({
      ...numeric[0]!, eventId: id, modelId: 'assistant', modelVersion: '7', timestamp: numeric[0]!.timestamp + i, features: {}, llm: x.trace,
    });
    const reference = Array.from({ length: 400 }, (_, i) => llm(grounded[i % grounded.length]!, i, `ref-${i}`));
    const judged = examples.map((x, i) => llm(x, 400 + i, x.id));
    for (const chunk of [numeric.slice(0, 600), reference, numeric.slice(600), judged]) {
      await producer.send(chunk.map((value) => ({ key: value.modelId, value })));
    }
    await consumedAll(engine, numeric.length + reference.length + judged.length, 120_000);

    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', () => false, 5000)).map((r) => r.value!);
    const anomaly = alerts.filter((a) => a.kind === 'ANOMALY');
    const flaggedIds = new Set(anomaly.map((a) => a.evidence['eventId']));
    for (const i of outliers) expect(flaggedIds.has(`outlier-${i}`), `outlier-${i} alerted`).toBe(true);
    for (const a of anomaly) {
      expect(a).toMatchObject({ modelId: 'credit', modelVersion: '1', detector: 'mahalanobis', status: 'FIRING', feature: null });
      expect(a.source.topic).toBe(`${prefix}inference`);
      expect(a.source.firstOffset).toBe(a.source.lastOffset);
    }
    expect(anomaly.filter((a) => a.evidence['eventId']!.startsWith('outlier-')).every((a) => a.severity === 'CRITICAL')).toBe(true);
    // Calibrated against 400 reference rows, a score beyond every reference distance is 400/401 (over
    // 0.997: CRITICAL). The stationary rows raise few false alarms: 0.995 flags about 0.5 % of 800 rows.
    expect(anomaly.length - outliers.length).toBeLessThanOrEqual(16);

    const hallucination = alerts.filter((a) => a.kind === 'HALLUCINATION');
    expect(hallucination.length).toBeGreaterThan(5);
    const labelOf = new Map(examples.map((x) => [x.id, x.label]));
    const onUnsupported = hallucination.filter((a) => labelOf.get(a.evidence['eventId']!) === 1).length;
    expect(onUnsupported / hallucination.length).toBeGreaterThan(0.75);
    expect(hallucination.every((a) => a.modelId === 'assistant' && a.detector === 'hallucination')).toBe(true);
    // Every alert is in the audit trail, once.
    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', () => false, 3000)).map((r) => r.value!);
    const audited = audit.filter((r) => r.action === 'alert.firing').map((r) => (JSON.parse(r.payload) as Alert).alertId);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    expect(audited.sort()).toEqual(alerts.filter((a) => a.status === 'FIRING').map((a) => a.alertId).sort());
  }, 180_000);
});
