/** A complete evidence folder for one model's life, written at test time (keys are generated, never committed). */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert, AuditRecord, GovernanceEvent, RollbackCommand } from '../../../../src/contracts/records.js';
import { CheckpointingChain } from '../../../../src/governance/audit/chain.js';
import { ed25519Signer } from '../../../../src/governance/audit/keys.js';
import { makeManifest, tempDir } from '../helpers.js';

export const T0 = Date.parse('2026-03-01T09:00:00Z');
const H = 3600_000;
const HASH = 'a'.repeat(64);

export interface Evidence {
  readonly dir: string;
  readonly keyFile: string;
  readonly governance: GovernanceEvent[];
  readonly alerts: Alert[];
  readonly rollbacks: RollbackCommand[];
  readonly audit: AuditRecord[];
}

function event(i: number, type: GovernanceEvent['type'], version: string, actor: string, payload: object, reason: string | null = null): GovernanceEvent {
  return { eventId: `g${i}`, type, modelId: 'credit-risk', modelVersion: version, actor, timestamp: T0 + i * H, reason, payload: JSON.stringify(payload) };
}

export function alert(i: number, version: string, feature: string, score: number, severity: Alert['severity'] = 'CRITICAL'): Alert {
  const end = T0 + 20 * H + i * 600_000;
  return {
    alertId: `a${i}-${feature}`, fingerprint: `fp-${feature}`, status: 'FIRING', severity, kind: 'DRIFT', modelId: 'credit-risk', modelVersion: version, detector: 'psi', feature, score, threshold: 0.25,
    windowStart: end - 600_000, windowEnd: end, startsAt: end, evidence: {}, source: { topic: 'vigil.inference', partition: 0, firstOffset: i * 100, lastOffset: i * 100 + 99 }, configHash: HASH, referenceId: 'ref-1',
  };
}

export function writeEvidence(options: { hostileOwner?: string } = {}): Evidence {
  const dir = tempDir('vigil-evidence-');
  mkdirSync(join(dir, 'manifests'));
  const first = makeManifest((m) => { m.modelVersion = '1.0.0'; m.rollback = { targetVersion: null, noTargetReason: 'first version of the model' }; });
  const second = makeManifest((m) => { if (options.hostileOwner !== undefined) m.owner = options.hostileOwner; });
  writeFileSync(join(dir, 'manifests', '1.0.0.json'), JSON.stringify(first, null, 2));
  writeFileSync(join(dir, 'manifests', '1.1.0.json'), JSON.stringify(second, null, 2));
  const sub = (_version: string) => ({ manifestHash: HASH, riskClass: 'high', environmentHash: HASH });
  const governance = [
    event(1, 'MANIFEST_SUBMITTED', '1.0.0', 'alice', sub('1.0.0')),
    event(2, 'CHECK_COMPLETED', '1.0.0', 'ci', { passed: true, errors: 0, warnings: 0 }),
    event(3, 'APPROVED', '1.0.0', 'bob', { roles: ['approver'] }),
    event(4, 'APPROVED', '1.0.0', 'carol', { roles: ['approver'] }),
    event(5, 'DEPLOYED', '1.0.0', 'ops', { roles: ['operator'], rollbackTarget: null, noTargetReason: 'first version of the model' }),
    event(6, 'MANIFEST_SUBMITTED', '1.1.0', 'alice', sub('1.1.0')),
    event(7, 'CHECK_COMPLETED', '1.1.0', 'ci', { passed: true, errors: 0, warnings: 1 }),
    event(8, 'APPROVED', '1.1.0', 'alice', { roles: ['approver'] }),
    event(9, 'APPROVED', '1.1.0', 'bob', { roles: ['approver'] }),
    event(10, 'APPROVED', '1.1.0', 'dave', { roles: ['approver'] }),
    event(11, 'DEPLOYED', '1.1.0', 'ops', { roles: ['operator'], rollbackTarget: '1.0.0' }),
    event(30, 'ROLLED_BACK', '1.1.0', 'policy:drift', { roles: ['engine'], toVersion: '1.0.0' }, 'income drifted for 3 windows'),
  ];
  const alerts = [0, 1, 2, 3, 4, 5].flatMap((i) => [alert(i, '1.1.0', 'income', 0.05 + i * 0.09, i < 2 ? 'WARNING' : 'CRITICAL'), alert(i, '1.1.0', 'age', 0.02 + i * 0.01, 'INFO')]);
  const rollbacks: RollbackCommand[] = [
    { commandId: 'c1', modelId: 'credit-risk', fromVersion: '1.1.0', toVersion: '1.0.0', action: 'ROLLBACK', reason: 'income drifted for 3 windows', alertIds: ['a3-income', 'a4-income', 'a5-income'], issuedAt: T0 + 21 * H, issuedBy: 'policy:drift', approvalId: null },
  ];
  const key = generateKeyPairSync('ed25519');
  const keyFile = join(dir, 'audit.pub.pem');
  writeFileSync(keyFile, key.publicKey.export({ type: 'spki', format: 'pem' }));
  const chain = new CheckpointingChain('engine-0', ed25519Signer(key.privateKey), 4);
  const audit: AuditRecord[] = [];
  for (const g of governance) audit.push(...chain.append({ timestamp: g.timestamp, actor: g.actor, action: `governance.${g.type.toLowerCase()}`, subject: `${g.modelId}@${g.modelVersion}`, payload: JSON.parse(g.payload) as unknown }));
  audit.push(chain.checkpoint(T0 + 31 * H));
  const lines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileSync(join(dir, 'governance.jsonl'), lines(governance));
  writeFileSync(join(dir, 'alerts.jsonl'), lines(alerts));
  writeFileSync(join(dir, 'rollback.jsonl'), lines(rollbacks));
  writeFileSync(join(dir, 'audit.jsonl'), lines(audit));
  writeFileSync(join(dir, 'drift.jsonl'), lines([0, 1, 2].map((i) => ({ at: T0 + 12 * H + i * H, feature: 'income', score: 0.02 + i * 0.01, threshold: 0.25, version: '1.1.0' }))));
  return { dir, keyFile, governance, alerts, rollbacks, audit };
}
