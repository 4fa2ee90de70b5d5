/**
 * The model access policy on the real stack: inference events from principals the policy does not
 * allow for that model and endpoint raise CRITICAL ACCESS alerts naming the event and the caller, and
 * are counted per model version; allowed calls raise nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, InferenceEvent } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import type { Engine } from '../../src/engine.js';
import type { AvroProducer } from '../../src/pipeline/sink/producer.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, uniquePrefix } from './helpers.js';

describe('the model access policy in the engine', () => {
  const prefix = uniquePrefix('access');
  let rig: EngineRig | undefined;
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    rig = await startEngineRig(prefix, 1, {
      engine: { windows: { count: 200, timeMs: 3_600_000 }, reference: { events: 200 } },
      access: { inference: { enabled: true, rules: [{ principals: ['svc-loans-*'], models: ['credit-*'], endpoints: ['/v1/score'] }] } },
    });
    engine = rig.engine;
    producer = rig.producer;
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('alerts on each call from outside the policy, in the reference and after it, and counts them', async () => {
    const events = new EventGenerator({ modelId: 'credit-limits', modelVersion: '4', seed: 31, features: 4 }).take(600).map((e, i) => ({
      ...e,
      principal: i === 50 || i === 400 ? 'intern-laptop' : 'svc-loans-api',
      endpoint: i === 450 ? '/v1/admin/export' : '/v1/score',
    }));
    await producer.send(events.map((value) => ({ key: value.modelId, value })));
    await consumedAll(engine, 600, 60_000);
    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.filter((a) => a.value!.kind === 'ACCESS').length >= 3, 20_000)).map((r) => r.value!);
    const access = alerts.filter((a) => a.kind === 'ACCESS');
    expect(access.map((a) => a.evidence['eventId'])).toEqual([events[50]!.eventId, events[400]!.eventId, events[450]!.eventId]);
    expect(access.map((a) => a.evidence['principal'])).toEqual(['intern-laptop', 'intern-laptop', 'svc-loans-api']);
    expect(access[2]!.evidence['endpoint']).toBe('/v1/admin/export');
    for (const a of access) expect(a).toMatchObject({ severity: 'CRITICAL', detector: 'access-policy', modelId: 'credit-limits', modelVersion: '4', status: 'FIRING' });
    const metric = await engine.metrics.registry.getSingleMetricAsString('vigil_model_access_denied_total');
    expect(metric).toMatch(/vigil_model_access_denied_total\{model="credit-limits",version="4"\} 3/);
    // Principal ids are in the alerts, never in metric labels.
    expect(metric).not.toContain('intern-laptop');
  }, 120_000);
});
