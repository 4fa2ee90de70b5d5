/**
 * The engine's rehearsal before its consumer joins: made-up events that take every branch real traffic
 * takes, batches sized to build a reference and close windows, and a schema lookup that knows only them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../../src/contracts/records.js';
import { avroType } from '../../../src/contracts/schemas.js';
import { buildConfig, ModelOverrides } from '../../../src/config/index.js';
import { isVigilError } from '../../../src/errors.js';
import { PooledDecodeStage } from '../../../src/pipeline/decode/pooled.js';
import { PartitionProcessor } from '../../../src/pipeline/processor.js';
import { REHEARSAL_FEATURES, REHEARSAL_MODEL, REHEARSAL_SCHEMA_ID, madeUpValues, rehearsalBatches, rehearsalSchemas } from '../../../src/pipeline/rehearsal.js';
import { ScoringPool } from '../../../src/pipeline/score/pool.js';
import { frame } from '../../../src/pipeline/sink/encode.js';

const NOW = Date.UTC(2030, 0, 1);

describe('made-up events', () => {
  const events = madeUpValues(NOW, 0, 600).map((value) => {
    expect(value[0]).toBe(0);
    expect(value.readUInt32BE(1)).toBe(REHEARSAL_SCHEMA_ID);
    return avroType('InferenceEvent').fromBuffer(value.subarray(5)) as InferenceEvent;
  });

  it('are events of two models taking turns, each with its own id and every feature a finite number', () => {
    expect(new Set(events.map((e) => e.modelId))).toEqual(new Set([`${REHEARSAL_MODEL}-0`, `${REHEARSAL_MODEL}-1`]));
    expect(events[0]!.modelId).not.toBe(events[1]!.modelId);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(600);
    for (const e of events) {
      expect(Object.keys(e.features)).toHaveLength(REHEARSAL_FEATURES);
      expect(Object.values(e.features).every(Number.isFinite)).toBe(true);
      expect(e.timestamp).toBeLessThanOrEqual(NOW);
    }
    // Spread values, not a constant: binning meets many distinct values.
    expect(new Set(events.map((e) => e.features['f3'])).size).toBeGreaterThan(500);
  });

  it('set and leave out each optional field, and take every status', () => {
    const both = (pick: (e: InferenceEvent) => boolean) => [events.some(pick), events.some((e) => !pick(e))];
    expect(both((e) => e.endpoint === null)).toEqual([true, true]);
    expect(both((e) => e.predictedClass === null)).toEqual([true, true]);
    expect(both((e) => e.classProbabilities === null)).toEqual([true, true]);
    expect(both((e) => Object.keys(e.categorical).length === 0)).toEqual([true, true]);
    expect(both((e) => Object.keys(e.attributes).length === 0)).toEqual([true, true]);
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(['OK', 'ERROR', 'TIMEOUT']));
  });

  it('are the only records the rehearsal lookup knows a schema for', async () => {
    await expect(rehearsalSchemas.schemaFor(REHEARSAL_SCHEMA_ID)).resolves.toContain('"InferenceEvent"');
    const error = await rehearsalSchemas.schemaFor(1).catch((e: unknown) => e);
    expect(isVigilError(error) && error.code).toBe('VIGIL_DECODE_UNKNOWN_SCHEMA');
  });
});

describe('rehearsalBatches', () => {
  const sizes = (batches: ReturnType<typeof rehearsalBatches>) => batches.map((b) => b.length);

  it('holds a reference and windows after it, in batches, at least two and at most the cap', () => {
    expect(sizes(rehearsalBatches({ nowMs: NOW, topic: 't', referenceEvents: 1000, windowCount: 1000 }))).toEqual([4000, 4000]);
    expect(sizes(rehearsalBatches({ nowMs: NOW, topic: 't', referenceEvents: 5000, windowCount: 2000 }))).toEqual([4000, 4000, 4000, 1000]);
    expect(sizes(rehearsalBatches({ nowMs: NOW, topic: 't', referenceEvents: 100_000, windowCount: 50_000 }))).toEqual([4000, 4000, 4000, 4000, 4000, 4000]);
    expect(sizes(rehearsalBatches({ nowMs: NOW, topic: 't', referenceEvents: 10, windowCount: 10, batchSize: 100, maxEvents: 250 }))).toEqual([100, 100]);
  });

  it('numbers its records from offset 0 on, in the topic given', () => {
    const records = rehearsalBatches({ nowMs: NOW, topic: 'vigil.inference', referenceEvents: 100, windowCount: 100, batchSize: 300 }).flat();
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => String(i)));
    expect(new Set(records.map((r) => `${r.topic}/${r.partition}`))).toEqual(new Set(['vigil.inference/0']));
  });
});

describe('a processor over the rehearsal', () => {
  const pool = new ScoringPool({ threads: 1 });
  afterAll(() => pool.close());

  it('decodes every event, builds references, closes windows and raises nothing', async () => {
    const loaded = buildConfig({ engine: { windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } } }, 'test');
    const overrides = new ModelOverrides(loaded.config);
    const settings = overrides.settings(REHEARSAL_MODEL);
    const { privateKey } = generateKeyPairSync('ed25519');
    const processor = new PartitionProcessor({
      partition: 0,
      topics: { inference: 'inference', alerts: 'alerts', audit: 'audit', rollback: 'rollback', state: 'state', dlq: 'dlq' },
      pool,
      createDecode: (initialNames) => new PooledDecodeStage({ pool, lookup: rehearsalSchemas, now: () => NOW, initialNames }),
      referenceFor: () => undefined,
      settings: (id) => overrides.settings(id),
      lastApproved: () => null,
      signer: { keyId: 'k', privateKey },
      encoders: { alert: () => frame(2, Buffer.alloc(0)), audit: () => frame(3, Buffer.alloc(0)), rollback: () => frame(4, Buffer.alloc(0)), state: (r) => frame(5, avroType('StateRecord').toBuffer(r)) },
      clock: () => NOW,
    });
    const batches = rehearsalBatches({ nowMs: NOW, topic: 'inference', referenceEvents: settings.reference.events, windowCount: settings.windows.count });
    let decoded = 0;
    let windows = 0;
    for (const records of batches) {
      const outcome = await processor.process(records);
      expect(outcome.deadLettered).toEqual([]);
      expect(outcome.alerts).toEqual([]);
      expect(outcome.commands).toEqual([]);
      expect(new Set(outcome.outputs.map((o) => o.topic))).toEqual(new Set(['state']));
      decoded += outcome.decoded;
      windows += outcome.windowsClosed.length;
    }
    expect(decoded).toBe(8000);
    // Per model: 4000 events, the first 1000 its reference, then six windows of 500.
    expect(windows).toBe(12);
  });
});
