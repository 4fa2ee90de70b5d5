/**
 * The alert and response policies inside the partition processor: non-default alert semantics give
 * the same outputs however the input is batched and across a restore from the changelog mid-stream
 * (what a kill -9 and a restart do), and the policy state is in the partition's state records.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert, RollbackCommand, StateRecord } from '../../../../src/contracts/records.js';
import { avroType, schemaSource } from '../../../../src/contracts/schemas.js';
import { buildConfig, ModelOverrides } from '../../../../src/config/index.js';
import { lastApprovedVersion } from '../../../../src/config/models.js';
import { EventGenerator } from '../../../../src/demo/generator.js';
import type { InputRecord } from '../../../../src/pipeline/decode/index.js';
import { PooledDecodeStage } from '../../../../src/pipeline/decode/pooled.js';
import { decodePolicyState } from '../../../../src/pipeline/policy/policy-state.js';
import { PartitionProcessor, type Encoders } from '../../../../src/pipeline/processor.js';
import { ScoringPool } from '../../../../src/pipeline/score/pool.js';
import { frame } from '../../../../src/pipeline/sink/encode.js';
import type { OutputMessage } from '../../../../src/pipeline/sink/transactional.js';

const pool = new ScoringPool({ threads: 1 });
afterAll(() => pool.close());

const encoders: Encoders = {
  alert: (r) => frame(2, avroType('Alert').toBuffer(r)),
  audit: (r) => frame(3, avroType('AuditRecord').toBuffer(r)),
  rollback: (r) => frame(4, avroType('RollbackCommand').toBuffer(r)),
  state: (r) => frame(5, avroType('StateRecord').toBuffer(r)),
};
const loaded = buildConfig(
  {
    engine: { windows: { count: 300, timeMs: 3_600_000 }, reference: { events: 600 } },
    policy: { lastApproved: { m: '1.0.0' } },
    alerting: { hysteresis: { fireAfter: 2, of: 3, resolveAfter: 2 }, grouping: { waitMs: 0, intervalMs: 0, repeatMs: 3_600_000 }, inhibition: { enabled: true } },
    response: { fallbackModel: 'rules', rules: [{ action: 'FALLBACK', consecutiveWindows: 2 }, { action: 'ROLLBACK', consecutiveWindows: 4, approval: 'required' }] },
  },
  'test',
);
const overrides = new ModelOverrides(loaded.config);
const { privateKey } = generateKeyPairSync('ed25519');

function processor(restored: StateRecord[] = []): PartitionProcessor {
  return new PartitionProcessor(
    {
      partition: 0,
      topics: { inference: 'inference', alerts: 'alerts', audit: 'audit', rollback: 'rollback', state: 'state', dlq: 'dlq' },
      pool,
      createDecode: (initialNames) => new PooledDecodeStage({ pool, lookup: { schemaFor: async () => schemaSource('InferenceEvent') }, now: () => Date.UTC(2030, 0, 1), initialNames }),
      referenceFor: () => undefined,
      settings: (id) => overrides.settings(id),
      lastApproved: (id) => lastApprovedVersion(loaded.config, id),
      signer: { keyId: 'k', privateKey },
      encoders,
      clock: () => 0,
    },
    restored,
  );
}

const events = new EventGenerator({ modelId: 'm', modelVersion: '2.0.0', seed: 21, driftFrom: 1500, driftedFeatures: 3 }).take(3600);
const records: InputRecord[] = events.map((e, i) => ({ key: Buffer.from(e.modelId), value: frame(1, avroType('InferenceEvent').toBuffer(e)), topic: 'inference', partition: 0, offset: String(i) }));

function decoded(outputs: readonly OutputMessage[]) {
  const of = <T>(topic: string, name: 'Alert' | 'RollbackCommand' | 'StateRecord') =>
    outputs.filter((o) => o.topic === topic).map((o) => avroType(name).fromBuffer((o.value as Buffer).subarray(5)) as T);
  return { alerts: of<Alert>('alerts', 'Alert'), commands: of<RollbackCommand>('rollback', 'RollbackCommand'), state: of<StateRecord>('state', 'StateRecord') };
}

async function run(p: PartitionProcessor, from: number, to: number, size: number): Promise<OutputMessage[]> {
  const out: OutputMessage[] = [];
  for (let at = from; at < to; at += size) out.push(...(await p.process(records.slice(at, Math.min(to, at + size)))).outputs);
  return out;
}

describe('the policies in the partition processor', () => {
  it('hold back the first breach (2 of 3), fall back, then ask for approval of the rollback', async () => {
    const out = decoded(await run(processor(), 0, records.length, 600));
    const firing = out.alerts.filter((a) => a.kind === 'DRIFT' && a.status === 'FIRING');
    expect(firing.length).toBeGreaterThan(0);
    // Drift starts in the window at event 1500 (windows start at 600, 900, 1200, 1500, ...): hysteresis
    // fires at the second breaching window at the earliest.
    expect(Math.min(...firing.map((a) => Number(a.source.firstOffset)))).toBeGreaterThanOrEqual(1800);
    // Repeat interval of an hour of event time: each condition is notified once while it fires.
    expect(new Set(firing.map((a) => a.fingerprint)).size).toBe(firing.length);
    expect(out.commands.map((c) => [c.action, c.toVersion, c.approvalId])).toEqual([['FALLBACK', 'rules', null]]);
    const asks = out.alerts.filter((a) => a.kind === 'GOVERNANCE');
    expect(asks.map((a) => [a.detector, a.evidence['action'], a.evidence['toVersion']])).toEqual([['policy:rollback', 'ROLLBACK', '1.0.0']]);
    // The policy state is among the partition's state records.
    const state = out.state.filter((r) => r.kind === 'rollback').at(-1)!;
    expect(decodePolicyState(state.body, 'm', '2.0.0').response.causes).toHaveLength(2);
  });

  it('gives the same outputs however the input is batched, and after a restore mid-stream', async () => {
    const whole = decoded(await run(processor(), 0, records.length, 600));
    const small = decoded(await run(processor(), 0, records.length, 137));
    expect(small.alerts).toEqual(whole.alerts);
    expect(small.commands).toEqual(whole.commands);

    const before = await run(processor(), 0, 2100, 300);
    const compacted = [...new Map(decoded(before).state.map((r) => [r.key, r])).values()];
    const after = await run(processor(compacted), 2100, records.length, 300);
    const resumed = decoded([...before, ...after]);
    expect(resumed.alerts).toEqual(whole.alerts);
    expect(resumed.commands).toEqual(whole.commands);
  });
});
