/**
 * Recovery on the real stack, with `vigil run` as child processes: a `kill -9` mid-stream and a
 * restart, and a second instance in the group taking over a stopped instance's partition, must both
 * commit exactly the outputs of one uninterrupted run over the same input.
 *
 * The same deterministic input (two models, one per input partition, both drifting partway) goes to a
 * topic set per run; the uninterrupted reference run is made once. Outputs of different runs name
 * their own topics (alert `source.topic`, the audit chain id, and through them the audit hashes), so
 * the reference is translated to the other run's prefix, its audit chain re-hashed and re-signed with
 * the same key (Ed25519 signatures are deterministic), and then compared record for record.
 */
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/config/canonical.js';
import type { Alert, AuditRecord, InferenceEvent, RollbackCommand } from '../../src/contracts/records.js';
import { avroType, type SchemaName } from '../../src/contracts/schemas.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { appendAudit, verifyChain, type AuditSigner, type ChainCheckpoint } from '../../src/pipeline/policy/audit.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { readToEnd } from '../../src/pipeline/source/read-to-end.js';
import { keyIdOf } from '../../src/security/audit-key.js';
import { EngineProcess, describeExit, killAll } from './engine-process.js';
import { eventually, stack, testKafka, uniquePrefix } from './helpers.js';

const { AssignerProtocol } = kafkajs;

/** One model per input partition, so each partition has its own state and audit chain to carry over. */
const MODELS = [
  { modelId: 'model-a', partition: 0, seed: 7, driftFrom: 2600 },
  { modelId: 'model-b', partition: 1, seed: 8, driftFrom: 2700 },
] as const;
const EVENTS_PER_MODEL = 6000;
const TOTAL = EVENTS_PER_MODEL * MODELS.length;
/**
 * Events per produce call. Not a multiple of the window size, so fetches cut across windows and a
 * batch can span several of them: the outputs must not depend on where Kafka split the input.
 */
const CHUNK = 300;

interface Outputs {
  readonly prefix: string;
  readonly alerts: Alert[];
  readonly rollback: RollbackCommand[];
  /** In topic order (one audit partition). */
  readonly audit: AuditRecord[];
  readonly dlq: number;
}

interface Run {
  readonly prefix: string;
  readonly groupId: string;
  readonly configFile: string;
}

describe('recovery: kill -9, restart and rebalance commit the outputs of an uninterrupted run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-recovery-'));
  const keyFile = join(dir, 'audit-ed25519.pem');
  // Every run signs with this key (VIGIL_AUDIT_KEY_FILE); the test re-signs the reference with it too.
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const signer: AuditSigner = { keyId: keyIdOf(publicKey), privateKey };
  const input = MODELS.map((m) => ({
    ...m,
    events: new EventGenerator({ modelId: m.modelId, modelVersion: '2.0.0', seed: m.seed, driftFrom: m.driftFrom, driftSigma: 1.5, driftedFeatures: 4 }).take(EVENTS_PER_MODEL),
  }));
  let kafka: Kafka;
  let admin: Admin;
  let reference: Outputs;

  /** A fresh topic set (2 partitions) and a config file with its own group. */
  async function newRun(label: string): Promise<Run> {
    const prefix = uniquePrefix(label);
    await ensureTopics(stack().brokers, prefix, 2);
    const groupId = `${prefix}engine`;
    const configFile = join(dir, `${label}.yaml`);
    const config = {
      // A short session, so the partitions of the killed engine move within seconds rather than 30.
      engine: { groupId, sessionTimeoutMs: 8000, windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
      policy: { rollback: { consecutiveCriticalWindows: 2 }, lastApproved: Object.fromEntries(MODELS.map((m) => [m.modelId, '1.0.0'])) },
    };
    // JSON is YAML.
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    return { prefix, groupId, configFile };
  }

  /** Events [from, to) of every model, each to its model's partition, in order. */
  async function produce(prefix: string, from: number, to: number): Promise<void> {
    const producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
    try {
      for (let start = from; start < to; start += CHUNK) {
        for (const model of input) {
          const events = model.events.slice(start, Math.min(to, start + CHUNK));
          await producer.sendRaw(events.map((event) => ({ key: event.modelId, value: producer.encoder.encode(event), partition: model.partition })));
        }
      }
    } finally {
      await producer.close();
    }
  }

  /** Input records whose offsets the group has committed (with their outputs, in one transaction). */
  async function committed(run: Run): Promise<number> {
    const [topic] = await admin.fetchOffsets({ groupId: run.groupId, topics: [`${run.prefix}inference`] });
    return (topic?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  }

  async function committedAll(run: Run, count: number, timeoutMs: number, engines: readonly EngineProcess[]): Promise<void> {
    try {
      await eventually(async () => ((await committed(run)) >= count ? true : undefined), timeoutMs, `${run.prefix}: ${count} committed input records`);
    } catch (error) {
      throw new Error(`${(error as Error).message}; committed ${await committed(run)}\n${engines.map((e) => `--- ${e.label}\n${e.stderr}`).join('\n')}`, { cause: error });
    }
  }

  async function stopped(engine: EngineProcess): Promise<void> {
    const exit = await engine.stop();
    expect(exit, `${engine.label} exit (${describeExit(exit)})\n${engine.stderr}`).toMatchObject({ code: 0, signal: null });
  }

  async function read<T>(topic: string, schema: SchemaName): Promise<T[]> {
    const type = avroType(schema);
    const out: T[] = [];
    await readToEnd(kafka, {
      topic,
      timeoutMs: 30_000,
      onMessage: (_partition, message) => {
        if (message.value !== null) out.push(JSON.parse(JSON.stringify(type.fromBuffer(message.value.subarray(5)))) as T);
      },
    });
    return out;
  }

  async function outputs(prefix: string): Promise<Outputs> {
    let dlq = 0;
    await readToEnd(kafka, { topic: `${prefix}dlq`, onMessage: () => void dlq++ });
    return {
      prefix,
      alerts: await read<Alert>(`${prefix}alerts`, 'Alert'),
      rollback: await read<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand'),
      audit: await read<AuditRecord>(`${prefix}audit`, 'AuditRecord'),
      dlq,
    };
  }

  /** `value` as it would read in the topics of `to`: every mention of the run's prefix swapped. */
  function translate<T>(value: T, from: string, to: string): T {
    return JSON.parse(JSON.stringify(value).split(from).join(to)) as T;
  }

  function byChain(records: readonly AuditRecord[]): Map<string, AuditRecord[]> {
    const chains = new Map<string, AuditRecord[]>();
    for (const record of records) chains.set(record.chainId, [...(chains.get(record.chainId) ?? []), record]);
    return chains;
  }

  /** The reference's audit chains as they would have been written under `prefix`: re-hashed and re-signed. */
  function translatedAudit(prefix: string): Map<string, AuditRecord[]> {
    const chains = new Map<string, AuditRecord[]>();
    for (const [chainId, records] of byChain(reference.audit)) {
      let previous: ChainCheckpoint | null = null;
      const chain = records.map((r) => {
        const entry = { timestamp: r.timestamp, actor: r.actor, action: r.action, subject: r.subject, payload: JSON.parse(translate(r.payload, reference.prefix, prefix)) as unknown };
        const next = appendAudit(translate(chainId, reference.prefix, prefix), previous, entry, signer);
        previous = { seq: next.seq, hash: next.hash };
        return next;
      });
      chains.set(translate(chainId, reference.prefix, prefix), chain);
    }
    return chains;
  }

  const sorted = (values: readonly unknown[]): string[] => values.map((v) => canonicalJson(v)).sort();

  /** Every audit chain complete (seq 0..n-1, no gap, no repeat), linked, and signed by the engine's key. */
  function expectVerifiedChains(audit: readonly AuditRecord[]): void {
    for (const [chainId, records] of byChain(audit)) {
      expect(records.map((r) => r.seq), chainId).toEqual(records.map((_, i) => i));
      expect(verifyChain(records, { [signer.keyId]: publicKey }), chainId).toMatchObject({ ok: true, count: records.length });
    }
  }

  beforeAll(async () => {
    kafka = testKafka('recovery-test');
    admin = kafka.admin();
    await admin.connect();

    // The uninterrupted run every other run must match.
    const run = await newRun('recovery-ref');
    await produce(run.prefix, 0, EVENTS_PER_MODEL);
    const engine = await EngineProcess.start({ configFile: run.configFile, topicPrefix: run.prefix, auditKeyFile: keyFile, label: 'reference' });
    await committedAll(run, TOTAL, 90_000, [engine]);
    await stopped(engine);
    reference = await outputs(run.prefix);

    // The input is meant to exercise something: both models drift, both trip a rollback, both chains grow.
    expect(reference.dlq).toBe(0);
    expect(new Set(reference.alerts.map((a) => a.modelId))).toEqual(new Set(MODELS.map((m) => m.modelId)));
    expect(reference.rollback.map((c) => c.modelId).sort()).toEqual(MODELS.map((m) => m.modelId).sort());
    expect(byChain(reference.audit).size).toBe(MODELS.length);
    expect(reference.audit).toHaveLength(reference.alerts.length + reference.rollback.length);
    expect(new Set(reference.alerts.map((a) => a.alertId)).size).toBe(reference.alerts.length);
    expectVerifiedChains(reference.audit);
  }, 150_000);

  afterAll(async () => {
    await killAll();
    await admin?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-stream, then a restart: no duplicate, nothing missing, the same alerts, commands and audit chains', async () => {
    const run = await newRun('recovery-kill');
    // Half the input before the kill, the rest after: however fast the engine is, the kill lands
    // before the end of the stream.
    await produce(run.prefix, 0, EVENTS_PER_MODEL / 2);

    const first = await EngineProcess.start({ configFile: run.configFile, topicPrefix: run.prefix, auditKeyFile: keyFile, label: 'killed' });
    // Kill at the first committed batch: the engine is then busy with the next one (a transaction open).
    const progress = await eventually(
      async () => {
        const n = await committed(run);
        return n > 0 ? n : undefined;
      },
      60_000,
      'a first committed batch',
    );
    first.kill('SIGKILL');
    const killed = await first.exited(10_000);
    expect(killed.signal).toBe('SIGKILL');
    const atKill = await committed(run);
    expect(atKill, 'the kill must land mid-stream').toBeLessThan(TOTAL);
    expect(atKill).toBeGreaterThanOrEqual(progress);

    await produce(run.prefix, EVENTS_PER_MODEL / 2, EVENTS_PER_MODEL);
    // Same config, group and prefix. It joins once the dead member's session has expired.
    const second = await EngineProcess.start({ configFile: run.configFile, topicPrefix: run.prefix, auditKeyFile: keyFile, label: 'restarted' });
    await committedAll(run, TOTAL, 90_000, [second]);
    await stopped(second);

    const got = await outputs(run.prefix);
    expect(got.dlq).toBe(0);
    expect(new Set(got.alerts.map((a) => a.alertId)).size, 'duplicate alert ids').toBe(got.alerts.length);
    expect(sorted(got.alerts.map((a) => a.alertId))).toEqual(sorted(reference.alerts.map((a) => a.alertId)));
    expect(sorted(got.alerts)).toEqual(sorted(translate(reference.alerts, reference.prefix, run.prefix)));
    expect(sorted(got.rollback)).toEqual(sorted(translate(reference.rollback, reference.prefix, run.prefix)));
    expectVerifiedChains(got.audit);
    expect(byChain(got.audit)).toEqual(translatedAudit(run.prefix));
  }, 150_000);

  it('two instances in one group share the partitions; stopping one moves its partitions and state to the other', async () => {
    const run = await newRun('recovery-group');
    const inference = `${run.prefix}inference`;
    const engines = [
      await EngineProcess.start({ configFile: run.configFile, topicPrefix: run.prefix, auditKeyFile: keyFile, label: 'instance-1' }),
      await EngineProcess.start({ configFile: run.configFile, topicPrefix: run.prefix, auditKeyFile: keyFile, label: 'instance-2' }),
    ] as const;

    // Both members hold one input partition before anything is produced.
    await eventually(
      async () => {
        const [group] = (await admin.describeGroups([run.groupId])).groups;
        if (group?.state !== 'Stable' || group.members.length !== 2) return undefined;
        const owned = group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[inference] ?? []);
        return owned.every((partitions) => partitions.length === 1) ? owned : undefined;
      },
      30_000,
      'a stable group of two members with one input partition each',
    );

    const half = EVENTS_PER_MODEL / 2;
    await produce(run.prefix, 0, half);
    await committedAll(run, TOTAL / 2, 60_000, engines);
    // Each engine counts a batch right after its commit, so its counter may trail the offsets a moment.
    const consumed = await eventually(
      async () => {
        const counts = await Promise.all(engines.map((e) => e.consumed()));
        return counts[0]! + counts[1]! === TOTAL / 2 ? counts : undefined;
      },
      10_000,
      'both instances to count the first half',
    );
    expect(consumed.every((n) => n > 0), `each instance consumed its partition: ${consumed.join(', ')}`).toBe(true);

    // A graceful stop: drain, commit, leave the group, exit 0 within the promised 10 s.
    const [leaving, staying] = engines;
    const exit = await leaving.stop(15_000);
    expect(exit, `${leaving.label} (${describeExit(exit)})\n${leaving.stderr}`).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(10_000);

    await produce(run.prefix, half, EVENTS_PER_MODEL);
    await committedAll(run, TOTAL, 60_000, [staying]);
    // Nothing of the first half is processed twice: the staying instance took over where the other committed.
    await eventually(async () => ((await staying.consumed()) >= TOTAL - consumed[0]! ? true : undefined), 10_000, `${staying.label} to count the rest`);
    expect(await staying.consumed()).toBe(TOTAL - consumed[0]!);
    await stopped(staying);

    const got = await outputs(run.prefix);
    expect(got.dlq).toBe(0);
    expect(new Set(got.alerts.map((a) => a.alertId)).size, 'duplicate alert ids').toBe(got.alerts.length);
    expect(sorted(got.alerts.map((a) => a.alertId))).toEqual(sorted(reference.alerts.map((a) => a.alertId)));
    expect(got.rollback.map((c) => c.modelId).sort()).toEqual(MODELS.map((m) => m.modelId).sort());
    expect(sorted(got.rollback)).toEqual(sorted(translate(reference.rollback, reference.prefix, run.prefix)));
    expect(sorted(got.alerts)).toEqual(sorted(translate(reference.alerts, reference.prefix, run.prefix)));
    expectVerifiedChains(got.audit);
    expect(byChain(got.audit).size).toBe(MODELS.length);
    expect(byChain(got.audit)).toEqual(translatedAudit(run.prefix));
  }, 150_000);
});
