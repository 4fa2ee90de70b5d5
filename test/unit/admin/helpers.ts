/** An admin API on in-memory stores, a captured access log and a fixed clock, for inject() tests. */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { buildAdmin } from '../../../src/admin/server.js';
import { AlertView } from '../../../src/admin/alert-view.js';
import { EvidenceAuditService } from '../../../src/admin/audit-service.js';
import { GovernanceGate, RegistryModels, RegistryView } from '../../../src/admin/governance.js';
import { ConfigRecords, ConfiguredModels, type AuditService, type GovernanceActions, type IoLogPort } from '../../../src/admin/ports.js';
import type { Alert, GovernanceEvent, IoLogRecord, RollbackCommand } from '../../../src/contracts/records.js';
import { runScenario } from '../pipeline/policy/scenario.js';
import { keyringOf } from '../../../src/governance/audit/keys.js';
import { loadPacks } from '../../../src/governance/compliance/packs.js';
import { matches } from '../../../src/iolog/reader.js';
import type { Envelope } from '../../../src/security/crypto/envelope.js';
import { buildConfig } from '../../../src/config/index.js';
import type { AccessSettings } from '../../../src/config/types.js';
import type { DetectorConfig } from '../../../src/contracts/records.js';
import { mulberry32 } from '../../../src/demo/random.js';
import { createAccessLogger, pinoAccessLog } from '../../../src/security/access-log.js';
import { keyIdOf } from '../../../src/security/audit-key.js';
import { MemoryAuditWriter } from '../../../src/security/audit-writer.js';
import { Authenticator } from '../../../src/security/authenticate.js';
import type { JwtVerifier } from '../../../src/security/jwt.js';
import { MemoryTokenStore } from '../../../src/security/token-store.js';
import { mintToken, type TokenSpec } from '../../../src/security/tokens.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** Deterministic "random" bytes from a seed: reproducible token texts. */
export function seededBytes(seed: number): (n: number) => Buffer {
  const next = mulberry32(seed);
  return (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
}

export interface TestApiOptions {
  readonly tokens?: Record<string, Partial<TokenSpec> & Pick<TokenSpec, 'roles'>>;
  readonly access?: Record<string, unknown>;
  readonly jwt?: JwtVerifier;
  /** A governance implementation, or 'gate': the real gate over an in-memory governance topic. */
  readonly governance?: GovernanceActions | 'gate';
  /** 'memory': the real audit service over the in-memory audit chain and governance topic. */
  readonly auditService?: AuditService | 'memory';
  /** The I/O log route over these records, opened with this envelope. */
  readonly iolog?: { readonly records: readonly IoLogRecord[]; readonly envelope: Envelope; readonly topic?: string; readonly retentionMs?: number };
  readonly configDocument?: Record<string, unknown>;
  readonly clock?: { now: number };
}

export function testApi(options: TestApiOptions = {}) {
  const clock = options.clock ?? { now: T0 };
  const loaded = buildConfig(
    {
      policy: { lastApproved: { 'credit-risk': '1.0.0', 'fraud-v2': '2.3.1' } },
      models: { 'credit-risk': { windows: { count: 500 } } },
      ...(options.access ? { access: options.access } : {}),
      ...(options.configDocument ?? {}),
    },
    'test',
  );
  const access: AccessSettings = loaded.config.access;
  const store = new MemoryTokenStore();
  const random = seededBytes(42);
  const texts: Record<string, string> = {};
  for (const [name, spec] of Object.entries(options.tokens ?? {})) {
    const minted = mintToken({ owner: spec.owner ?? name, roles: spec.roles, scopes: spec.scopes ?? ['*'], expiresAt: spec.expiresAt ?? null }, T0 - 1000, random);
    store.put(spec.description === 'revoked' ? { ...minted.record, revokedAt: T0 - 10 } : minted.record);
    texts[name] = minted.token;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const audit = new MemoryAuditWriter({ keyId: keyIdOf(publicKey), privateKey });
  const published: { key: string; value: DetectorConfig }[] = [];
  let silenceSeq = 0;
  const config = new ConfigRecords(
    loaded.config,
    // The record and its audit entry together, as the server's transactional producer writes them.
    async (key, value, entry) => {
      published.push({ key, value });
      if (entry !== null) await audit.append(entry);
    },
    () => `s${++silenceSeq}`,
  );
  const alerts = new AlertView(100);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const accessLogger = createAccessLogger(sink);
  const metrics = createMetrics({ defaultMetrics: false });
  let ids = 0;
  // The governance topic, in memory: what the gate writes, folded by the registry as the server's consumer would.
  const governanceTopic: GovernanceEvent[] = [];
  const rollbackTopic: RollbackCommand[] = [];
  const registry = new RegistryView();
  let eventSeq = 0;
  const governance: GovernanceActions | undefined =
    options.governance === 'gate'
      ? new GovernanceGate({
          registry,
          packs: loadPacks(),
          newId: () => `ev-${++eventSeq}`,
          audit,
          alerts,
          // One transaction, in memory: the events, the commands and their audit records land together.
          commit: async ({ events, audit: records, commands }) => {
            governanceTopic.push(...events);
            rollbackTopic.push(...(commands ?? []));
            audit.records.push(...records);
          },
        })
      : options.governance;
  const auditService: AuditService | undefined =
    options.auditService === 'memory'
      ? new EvidenceAuditService({
          keyring: keyringOf([{ keyId: keyIdOf(publicKey), algorithm: 'ed25519', key: publicKey, validFrom: null, validUntil: null }]),
          packs: loadPacks(),
          clock: () => clock.now,
          sources: {
            auditRecords: async () => [...audit.records],
            evidence: async () => ({ manifests: [], governance: [...governanceTopic], alerts: [], rollbacks: [], drift: [], auditFile: null, auditRecords: [...audit.records], unreadable: [] }),
          },
        })
      : options.auditService;
  const io = options.iolog;
  const iolog: IoLogPort | undefined =
    io === undefined
      ? undefined
      : { topic: io.topic ?? 'vigil.iolog', envelope: io.envelope, records: async (filter) => io.records.filter((r) => matches(r, filter)), retentionMs: () => io.retentionMs ?? 365 * 86_400_000 };
  const app = buildAdmin({
    registry: metrics.registry,
    health: { live: () => true, ready: () => ({ ready: true }) },
    api: {
      access,
      authenticator: new Authenticator({ access, tokens: store, jwt: options.jwt ?? null }),
      audit,
      models: options.governance === 'gate' ? new RegistryModels(new ConfiguredModels(loaded.config, { 'credit-risk': ['1.1.0'] }), registry) : new ConfiguredModels(loaded.config, { 'credit-risk': ['1.1.0'] }),
      config,
      alerts,
      ...(governance ? { governance } : {}),
      ...(auditService ? { auditService } : {}),
      ...(iolog ? { iolog } : {}),
    },
    accessLog: pinoAccessLog(accessLogger),
    logger,
    clock: () => clock.now,
    requestId: () => `req-${++ids}`,
  });
  const accessRecords = (): Record<string, unknown>[] =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['type'] === 'access');
  return { app, texts, store, audit, auditPublicKey: publicKey, published, alerts, config, lines, accessRecords, clock, metrics, access, governanceTopic, rollbackTopic, registry };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The approval request the response policy raises for credit-risk@3.2.0 (its ROLLBACK goes to 3.1.0) under a rule with `approval: required`. */
export function approvalRequest(action: 'ROLLBACK' | 'SHUTDOWN' = 'ROLLBACK'): Alert {
  const rules = [{ action, severity: 'CRITICAL' as const, consecutiveWindows: 3, kinds: [], approval: 'required' as const }];
  const { alerts } = runScenario(Array.from({ length: 4 }, () => ({ a: 0.3 })), { response: { rules, fallbackModel: null } });
  const request = alerts.find((a) => a.kind === 'GOVERNANCE');
  if (request === undefined) throw new Error('the response policy raised no approval request');
  return request;
}
