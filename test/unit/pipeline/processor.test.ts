import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, RollbackCommand, StateRecord } from '../../../src/contracts/records.js';
import { avroType, schemaSource } from '../../../src/contracts/schemas.js';
import { buildConfig, ModelOverrides } from '../../../src/config/index.js';
import { lastApprovedVersion } from '../../../src/config/models.js';
import { EventGenerator } from '../../../src/demo/generator.js';
import type { InputRecord } from '../../../src/pipeline/decode/index.js';
import { PooledDecodeStage } from '../../../src/pipeline/decode/pooled.js';
import { verifyChain } from '../../../src/pipeline/policy/audit.js';
import { PartitionProcessor, type Encoders } from '../../../src/pipeline/processor.js';
import { ScoringPool } from '../../../src/pipeline/score/pool.js';
import { frame } from '../../../src/pipeline/sink/encode.js';
import type { OutputMessage } from '../../../src/pipeline/sink/transactional.js';
import { referenceFromRows } from '../../../src/pipeline/window/reference.js';
import type { ReferenceData } from '../../../src/pipeline/window/types.js';

// The processor without Kafka: what it would commit for a sequence of input batches. The
// properties the exactly-once design rests on are checked here on pure logic; the integration
// tests check them again through the real broker.

const pool = new ScoringPool({ threads: 1 });
afterAll(() => pool.close());

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = { keyId: 'test-key', privateKey };
const topics = { inference: 'inference', alerts: 'alerts', audit: 'audit', rollback: 'rollback', state: 'state', dlq: 'dlq' };
const encoders: Encoders = {
  alert: (r) => frame(2, avroType('Alert').toBuffer(r)),
  audit: (r) => frame(3, avroType('AuditRecord').toBuffer(r)),
  rollback: (r) => frame(4, avroType('RollbackCommand').toBuffer(r)),
  state: (r) => frame(5, avroType('StateRecord').toBuffer(r)),
};
const loaded = buildConfig(
  { engine: { windows: { count: 400, timeMs: 3_600_000 }, reference: { events: 800 } }, policy: { rollback: { consecutiveCriticalWindows: 2 }, lastApproved: { m: '1.0.0' } } },
  'test',
);
const overrides = new ModelOverrides(loaded.config);

function processor(restored: StateRecord[] = [], referenceFor: (modelId: string) => ReferenceData | undefined = () => undefined): PartitionProcessor {
  return new PartitionProcessor(
    {
      partition: 0,
      topics,
      pool,
      // The engine's stage: decoding in the pool.
      createDecode: (initialNames) =>
        new PooledDecodeStage({ pool, lookup: { schemaFor: async () => schemaSource('InferenceEvent') }, now: () => Date.UTC(2030, 0, 1), initialNames }),
      referenceFor,
      settings: (id) => overrides.settings(id),
      lastApproved: (id) => lastApprovedVersion(loaded.config, id),
      signer,
      encoders,
      clock: () => 0,
    },
    restored,
  );
}

const events = new EventGenerator({ modelId: 'm', modelVersion: '2.0.0', seed: 3, driftFrom: 2000, driftedFeatures: 3 }).take(4000);
const toRecords = (list: typeof events, from = 0): InputRecord[] => list.map((e, i) => ({
  key: Buffer.from(e.modelId),
  value: frame(1, avroType('InferenceEvent').toBuffer(e)),
  topic: 'inference',
  partition: 0,
  offset: String(from + i),
}));
const records = toRecords(events);
/** The same event with its features in another order on the wire. */
const reordered = (e: (typeof events)[number]) => ({ ...e, features: Object.fromEntries(Object.entries(e.features).reverse()) });

function decodeOutputs(outputs: readonly OutputMessage[]) {
  const of = <T>(topic: string, name: 'Alert' | 'AuditRecord' | 'RollbackCommand' | 'StateRecord') =>
    outputs.filter((o) => o.topic === topic).map((o) => avroType(name).fromBuffer((o.value as Buffer).subarray(5)) as T);
  return { alerts: of<Alert>('alerts', 'Alert'), audit: of<AuditRecord>('audit', 'AuditRecord'), commands: of<RollbackCommand>('rollback', 'RollbackCommand'), state: of<StateRecord>('state', 'StateRecord') };
}

async function runAll(p: PartitionProcessor, sizes: readonly number[]): Promise<OutputMessage[]> {
  const outputs: OutputMessage[] = [];
  let at = 0;
  for (let i = 0; at < records.length; i++) {
    const size = sizes[i % sizes.length]!;
    outputs.push(...(await p.process(records.slice(at, at + size))).outputs);
    at += size;
  }
  return outputs;
}

/** What compaction keeps: the last state record per key. */
function compacted(state: readonly StateRecord[]): StateRecord[] {
  return [...new Map(state.map((r) => [r.key, r])).values()];
}

describe('the partition processor', () => {
  it('raises drift alerts and one rollback command, with a verifiable audit chain', async () => {
    const out = decodeOutputs(await runAll(processor(), [500]));
    expect(out.alerts.length).toBeGreaterThan(0);
    // Every CRITICAL alert is about a drifted feature (fixed PSI thresholds can still WARN by chance).
    expect(new Set(out.alerts.filter((a) => a.severity === 'CRITICAL').map((a) => a.feature))).toEqual(new Set(['f00', 'f01', 'f02']));
    expect(out.commands).toHaveLength(1);
    expect(out.commands[0]).toMatchObject({ modelId: 'm', fromVersion: '2.0.0', toVersion: '1.0.0', action: 'ROLLBACK' });
    expect(out.audit).toHaveLength(out.alerts.length + 1);
    expect(verifyChain(out.audit, { 'test-key': publicKey })).toMatchObject({ ok: true, count: out.audit.length });
  });

  it('gives the same alerts, commands and audit records however Kafka batched the input', async () => {
    const a = decodeOutputs(await runAll(processor(), [500]));
    const b = decodeOutputs(await runAll(processor(), [37, 1000, 3, 250]));
    expect(b.alerts).toEqual(a.alerts);
    expect(b.commands).toEqual(a.commands);
    expect(b.audit).toEqual(a.audit);
  });

  it('restored from its changelog mid-stream, continues exactly as if never stopped', async () => {
    const uninterrupted = decodeOutputs(await runAll(processor(), [500]));
    const first = processor();
    const before: OutputMessage[] = [];
    for (let at = 0; at < 2500; at += 500) before.push(...(await first.process(records.slice(at, at + 500))).outputs);
    const state = compacted(decodeOutputs(before).state);
    // The ready reference is stored once under its own key, not inside every window snapshot.
    expect(state.filter((r) => r.kind === 'reference')).toHaveLength(1);
    expect(Math.max(...state.filter((r) => r.kind === 'windows').map((r) => r.body.length))).toBeLessThan(20_000);

    const second = processor(state);
    const after: OutputMessage[] = [];
    for (let at = 2500; at < records.length; at += 500) after.push(...(await second.process(records.slice(at, at + 500))).outputs);
    const resumed = decodeOutputs([...before, ...after]);
    expect(resumed.alerts).toEqual(uninterrupted.alerts);
    expect(resumed.commands).toEqual(uninterrupted.commands);
    expect(resumed.audit).toEqual(uninterrupted.audit);
  });

  it('maps features onto the restored columns whatever order a new producer sends them in', async () => {
    const first = processor();
    const before: OutputMessage[] = [];
    for (let at = 0; at < 2500; at += 500) before.push(...(await first.process(records.slice(at, at + 500))).outputs);
    const second = processor(compacted(decodeOutputs(before).state));
    const shuffled = toRecords(events.slice(2500).map(reordered), 2500);
    const after: OutputMessage[] = [];
    for (let at = 0; at < shuffled.length; at += 500) after.push(...(await second.process(shuffled.slice(at, at + 500))).outputs);
    const uninterrupted = decodeOutputs(await runAll(processor(), [500]));
    expect(decodeOutputs([...before, ...after]).alerts).toEqual(uninterrupted.alerts);
  });

  it('takes its reference from a reference file, matched to events by feature name', async () => {
    // The file lists features in the reverse order of the events, and comes from the same distribution.
    const rows = new EventGenerator({ modelId: 'm', modelVersion: '2.0.0', seed: 99 }).take(1000).map((e) => ({ features: reordered(e).features }));
    const fromFile = referenceFromRows(rows);
    const p = processor([], () => fromFile);
    const out = decodeOutputs(await runAll(p, [500]));
    const critical = out.alerts.filter((a) => a.severity === 'CRITICAL');
    expect(new Set(critical.map((a) => a.feature))).toEqual(new Set(['f00', 'f01', 'f02']));
    expect(out.alerts.every((a) => a.referenceId === fromFile.referenceId)).toBe(true);
    // The file reference is configuration: never copied into the changelog.
    expect(out.state.filter((r) => r.kind === 'reference')).toHaveLength(0);
  });

  it('routes bad records to the dead-letter topic with the contract headers and keeps the rest', async () => {
    const p = processor();
    const bad: InputRecord[] = [
      { key: Buffer.from('m'), value: Buffer.from([1, 0, 0, 0, 1, 2]), topic: 'inference', partition: 0, offset: '100000' },
      { key: null, value: null, topic: 'inference', partition: 0, offset: '100001' },
    ];
    const outcome = await p.process([...records.slice(0, 10), ...bad]);
    expect(outcome.decoded).toBe(10);
    const dead = outcome.outputs.filter((o) => o.topic === 'dlq');
    expect(dead.map((d) => d.headers?.['vigil.error.code'])).toEqual(['VIGIL_DECODE_MAGIC', 'VIGIL_DECODE_SHORT']);
    expect(dead[0]).toMatchObject({ key: bad[0]!.key, value: bad[0]!.value });
    expect(dead[0]!.headers).toMatchObject({ 'vigil.source.topic': 'inference', 'vigil.source.partition': '0', 'vigil.source.offset': '100000', 'vigil.failed.at': '0' });
  });
});
