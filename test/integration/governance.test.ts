/**
 * The whole life of a model version on the real stack: `vigil capture` and `vigil check`, governance
 * events on the governance topic folded into the registry, the registry's last approved version handed
 * to the engine, injected drift, the engine's rollback command, the rollback recorded as a governance
 * event, every decision in a signed, checkpointed audit chain beside the engine's own, `vigil audit
 * verify --topic` over both, and the evidence report built from what the topics hold. Then one forged
 * audit record, which verification must name.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/config/canonical.js';
import { buildConfig } from '../../src/config/index.js';
import type { Alert, AuditRecord, GovernanceEvent, GovernanceEventType, InferenceEvent, RollbackCommand } from '../../src/contracts/records.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { CheckpointingChain } from '../../src/governance/audit/chain.js';
import { ed25519Signer } from '../../src/governance/audit/keys.js';
import { readManifest } from '../../src/governance/manifest/validate.js';
import { fold, lastApprovedBefore, versionOf } from '../../src/governance/registry/queries.js';
import type { EvidenceReport } from '../../src/governance/report/types.js';
import { main } from '../../src/main.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { collect, consumedAll, stack, testAuditKey, uniquePrefix } from './helpers.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('the governance gate on the real stack: capture to drift-triggered rollback, verified in the evidence report', () => {
  const prefix = uniquePrefix('governance');
  const auditKey = testAuditKey();
  const signer = ed25519Signer(auditKey.privateKey);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-gov-it-'));
  const env = { ...process.env, VIGIL_BROKERS: stack().brokers.join(','), VIGIL_SCHEMA_REGISTRY_URL: stack().registryUrl, VIGIL_TOPIC_PREFIX: prefix };
  let governance: AvroProducer<GovernanceEvent>;
  let audit: AvroProducer<AuditRecord>;
  let engine: Engine | undefined;
  const chain = new CheckpointingChain('governance', signer, 4);
  let clock = Date.now() - 3_600_000;
  let seq = 0;

  async function step(type: GovernanceEventType, version: string, actor: string, payload: object, reason: string | null = null): Promise<GovernanceEvent> {
    clock += 1000;
    const event: GovernanceEvent = { eventId: `${prefix}${++seq}`, type, modelId: 'credit-risk', modelVersion: version, actor, timestamp: clock, reason, payload: JSON.stringify(payload) };
    await governance.send([{ key: event.modelId, value: event }]);
    const records = chain.append({ timestamp: clock, actor, action: `governance.${type.toLowerCase()}`, subject: `credit-risk@${version}`, payload: { eventId: event.eventId, reason, ...payload } });
    await audit.send(records.map((value) => ({ key: value.chainId, value })));
    return event;
  }

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 1);
    governance = await avroProducer<GovernanceEvent>({ ...stack(), topic: `${prefix}governance`, schema: 'GovernanceEvent' });
    audit = await avroProducer<AuditRecord>({ ...stack(), topic: `${prefix}audit`, schema: 'AuditRecord' });
    writeFileSync(join(dir, 'audit.pub.pem'), auditKey.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  afterAll(async () => {
    await governance?.close();
    await audit?.close();
    await engine?.stop();
  });

  it('runs the life of credit-risk 2.0.0 and shows it, verified, in the evidence report', async () => {
    // 1. Capture and check two versions.
    writeFileSync(join(dir, 'model.bin'), 'weights');
    writeFileSync(join(dir, 'card.md'), '# credit-risk');
    writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.26.4\nscikit-learn==1.4.2\n');
    const features = Array.from({ length: 20 }, (_, f) => `f${String(f).padStart(2, '0')}`);
    const declare = (rollback: object) =>
      JSON.stringify({
        owner: 'risk-team', intendedUse: 'credit scoring of retail loan applications', modelKind: 'classifier',
        documents: { modelCard: 'card.md', dataProtectionAssessment: 'card.md', riskAssessment: 'card.md' },
        rollback, monitoring: { features, detectors: [{ name: 'psi', kind: 'drift' }] }, ioLogging: { enabled: true, encrypted: true, retentionDays: 365 },
      });
    writeFileSync(join(dir, 'declare-1.0.0.yaml'), declare({ targetVersion: null, noTargetReason: 'first version of the model' }));
    writeFileSync(join(dir, 'declare-2.0.0.yaml'), declare({ targetVersion: '1.0.0' }));
    mkdirSync(join(dir, 'evidence', 'manifests'), { recursive: true });
    const checks = new Map<string, { passed: boolean; errors: number; warnings: number }>();
    for (const version of ['1.0.0', '2.0.0']) {
      const out = join(dir, 'evidence', 'manifests', `${version}.json`);
      const r = await cli(['capture', '--model', 'credit-risk', '--version', version, '--risk-class', 'high', '--artifact', join(dir, 'model.bin'), '--lock', join(dir, 'requirements.txt'), '--declare', join(dir, `declare-${version}.yaml`), '--output', out]);
      expect(r.code, r.err).toBe(0);
      const check = await cli(['check', out, '--format', 'json']);
      expect(check.code, check.out).toBe(0);
      const parsed = JSON.parse(check.out) as { passed: boolean; counts: { errors: number; warnings: number } };
      checks.set(version, { passed: parsed.passed, errors: parsed.counts.errors, warnings: parsed.counts.warnings });
    }

    // 2. The governance steps, each on the governance topic and in the audit chain.
    const submit = async (v: string) => {
      const m = readManifest(join(dir, 'evidence', 'manifests', `${v}.json`));
      await step('MANIFEST_SUBMITTED', v, 'alice', { manifestHash: canonicalHash(m), riskClass: m.riskClass, environmentHash: m.environmentHash });
      await step('CHECK_COMPLETED', v, 'ci', checks.get(v) as object);
      await step('APPROVED', v, 'bob', { roles: ['approver'] });
      await step('APPROVED', v, 'alice', { roles: ['approver'] }); // refused by the registry: the submitter
      await step('APPROVED', v, 'carol', { roles: ['approver'] });
    };
    await submit('1.0.0');
    await step('DEPLOYED', '1.0.0', 'ops', { roles: ['operator'], rollbackTarget: null, noTargetReason: 'first version of the model' });
    await submit('2.0.0');
    await step('DEPLOYED', '2.0.0', 'ops', { roles: ['operator'], rollbackTarget: '1.0.0' });

    // 3. The registry, folded from what the topic holds, names the rollback target.
    const logged = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= seq, 30_000)).map((r) => r.value as GovernanceEvent);
    const { state, refusals } = fold(logged);
    expect(refusals.map((x) => x.code)).toEqual(['SELF_APPROVAL', 'SELF_APPROVAL']);
    expect(versionOf(state, 'credit-risk', '2.0.0')?.status).toBe('deployed');
    const target = lastApprovedBefore(state, 'credit-risk', '2.0.0');
    expect(target).toBe('1.0.0');

    // 4. The engine folds the same registry from the topic, sees drift on 2.0.0 and rolls it back to
    //    the registry's target (the configuration names none); events from a server whose environment
    //    is not the approved one raise GOVERNANCE alerts.
    const config = buildConfig(
      {
        engine: { groupId: `${prefix}engine`, windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 } },
        policy: { rollback: { consecutiveCriticalWindows: 2 } },
      },
      'test',
    );
    const approvedEnvironment = versionOf(state, 'credit-risk', '2.0.0')?.environmentHash;
    expect(approvedEnvironment).toMatch(/^[0-9a-f]{64}$/);
    engine = new Engine({ config, infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey, listen: false });
    await engine.start();
    const producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
    const drifting = new EventGenerator({ modelId: 'credit-risk', modelVersion: '2.0.0', seed: 11, driftFrom: 2500, driftSigma: 1.5, driftedFeatures: 3 });
    // Three events (after the reference) from a host reporting another environment, the rest from the approved one.
    const odd = new Set([1500, 1501, 3100]);
    for (let i = 0; i < 8; i++) {
      const batch = drifting.take(500).map((e, k) => ({ ...e, attributes: { ...e.attributes, 'vigil.env.hash': odd.has(i * 500 + k) ? 'f'.repeat(64) : approvedEnvironment! } }));
      await producer.send(batch.map((value) => ({ key: value.modelId, value })));
    }
    await producer.close();
    await consumedAll(engine, 4000, 90_000);
    const commands = (await collect<RollbackCommand>(`${prefix}rollback`, 'RollbackCommand', (r) => r.length >= 1, 30_000)).map((r) => r.value as RollbackCommand);
    expect(commands).toHaveLength(1);
    const command = commands[0] as RollbackCommand;
    expect(command).toMatchObject({ modelId: 'credit-risk', fromVersion: '2.0.0', toVersion: target, action: 'ROLLBACK' });
    const governanceAlerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.filter((a) => a.value!.kind === 'GOVERNANCE').length >= 3, 20_000))
      .map((r) => r.value!)
      .filter((a) => a.kind === 'GOVERNANCE');
    expect(governanceAlerts.map((a) => a.detector)).toEqual(['environment', 'environment', 'environment']);
    expect(governanceAlerts.map((a) => a.evidence['approved'])).toEqual([approvedEnvironment, approvedEnvironment, approvedEnvironment]);
    await engine.stop();
    engine = undefined;

    // 5. The rollback becomes a governance event, accepted by the registry.
    await step('ROLLED_BACK', '2.0.0', command.issuedBy, { roles: ['engine'], toVersion: command.toVersion, alertIds: command.alertIds }, command.reason);
    await audit.send([{ key: 'governance', value: chain.checkpoint(clock + 1) }]);
    const all = (await collect<GovernanceEvent>(`${prefix}governance`, 'GovernanceEvent', (r) => r.length >= seq, 30_000)).map((r) => r.value as GovernanceEvent);
    const after = fold(all).state;
    expect([versionOf(after, 'credit-risk', '1.0.0')?.status, versionOf(after, 'credit-risk', '2.0.0')?.status]).toEqual(['deployed', 'rolled-back']);

    // 6. The audit topic (the engine's chains and the governance chain) verifies.
    const verified = await withEnv(env, () => cli(['audit', 'verify', '--topic', '--key', join(dir, 'audit.pub.pem'), '--format', 'json']));
    expect(verified.code, verified.out + verified.err).toBe(0);
    const result = JSON.parse(verified.out) as { ok: boolean; chains: { chainId: string; records: number; checkpoints: number }[] };
    expect(result.chains.find((c) => c.chainId === 'governance')).toMatchObject({ records: chain.state.last!.seq + 1 });
    expect(result.chains.length).toBeGreaterThanOrEqual(2);

    // 7. The evidence report, from exports of the topics.
    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => r.length > 0, 30_000)).map((r) => r.value);
    const auditRecords = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.length > 0, 30_000)).map((r) => r.value);
    writeFileSync(join(dir, 'evidence', 'governance.jsonl'), jsonl(all));
    writeFileSync(join(dir, 'evidence', 'alerts.jsonl'), jsonl(alerts));
    writeFileSync(join(dir, 'evidence', 'rollback.jsonl'), jsonl(commands));
    writeFileSync(join(dir, 'evidence', 'audit.jsonl'), jsonl(auditRecords));
    const json = await cli(['audit', 'report', '--model', 'credit-risk', '--format', 'json', '--input', join(dir, 'evidence'), '--key', join(dir, 'audit.pub.pem')]);
    expect(json.code, json.err).toBe(0);
    const report = JSON.parse(json.out) as EvidenceReport;
    expect(report.versions.map((v) => [v.version, v.status, v.approvals.map((a) => a.actor)])).toEqual([['1.0.0', 'deployed', ['bob', 'carol']], ['2.0.0', 'rolled-back', ['bob', 'carol']]]);
    expect(report.rollbacks).toMatchObject([{ from: '2.0.0', to: '1.0.0', action: 'ROLLBACK' }]);
    expect(report.alerts.length).toBeGreaterThan(0);
    expect(Object.keys(report.drift).sort()).toEqual(['f00', 'f01', 'f02']);
    expect(report.audit?.verified).toBe(true);
    // The same report read straight from the topics.
    const fromTopics = await withEnv(env, () => cli(['audit', 'report', '--model', 'credit-risk', '--format', 'json', '--topics', '--manifests', join(dir, 'evidence', 'manifests'), '--key', join(dir, 'audit.pub.pem')]));
    expect(fromTopics.code, fromTopics.err).toBe(0);
    const topicReport = JSON.parse(fromTopics.out) as EvidenceReport;
    expect(topicReport.versions).toEqual(report.versions);
    expect(topicReport.rollbacks).toEqual(report.rollbacks);
    expect(topicReport.alerts).toEqual(report.alerts);
    expect(topicReport.audit?.chains.map((c) => [c.chainId, c.records, c.ok])).toEqual(report.audit?.chains.map((c) => [c.chainId, c.records, c.ok]));
    expect(topicReport.unreadable).toEqual([]);
    const html = await cli(['audit', 'report', '--model', 'credit-risk', '--format', 'html', '--input', join(dir, 'evidence'), '--key', join(dir, 'audit.pub.pem'), '--output', join(dir, 'evidence.html')]);
    expect(html.code).toBe(0);
    expect(readFileSync(join(dir, 'evidence.html'), 'utf8')).toMatch(/<span class="badge ok">verified<\/span>/);

    // 8. A forged record written to the audit topic is named.
    const victim = auditRecords.find((r) => r?.chainId === 'governance' && r.seq === 3) as AuditRecord;
    await audit.send([{ key: 'governance', value: { ...victim, actor: 'mallory' } }]);
    const broken = await withEnv(env, () => cli(['audit', 'verify', '--topic', '--key', join(dir, 'audit.pub.pem'), '--chain', 'governance']));
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/BROKEN {2}chain governance/);
    expect(broken.out).toMatch(/changed .*record seq 3 \(position \d+\) does not match its hash/);
  }, 300_000);
});

async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
