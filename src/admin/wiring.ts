/**
 * Builds the admin API against Kafka: reads vigil.config and the admin audit chain's end, connects
 * the producers, starts the alert feed and the governance feed (the registry, folded from
 * vigil.governance before anything is served), wires the governance gate, the auditor's routes and,
 * when the server holds I/O log keys, the I/O log read, and returns the app (not yet listening) with
 * a `stop`.
 * `vigil serve` uses it; `vigil run` can pass the same deps to buildAdmin (see README).
 */
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/types.js';
import type { InfraSettings } from '../config/infra.js';
import { topicName } from '../contracts/topics.js';
import { kafkaClient } from '../pipeline/sink/kafka.js';
import { adminProducer } from '../pipeline/sink/admin-producer.js';
import { readAdminState, requireTopics } from '../pipeline/source/admin-state.js';
import { AlertFeed } from '../pipeline/source/alert-feed.js';
import { createAccessLogger, pinoAccessLog } from '../security/access-log.js';
import type { AuditKey } from '../security/audit-key.js';
import { ADMIN_CHAIN_ID, ChainedAuditWriter } from '../security/audit-writer.js';
import { Authenticator } from '../security/authenticate.js';
import { createJwtVerifier } from '../security/jwt.js';
import { FileTokenStore } from '../security/token-store.js';
import { AlertView } from './alert-view.js';
import type { ApiDeps } from './api.js';
import { ConfigRecords, ConfiguredModels, type IoLogPort } from './ports.js';
import { EvidenceAuditService } from './audit-service.js';
import { GovernanceGate, RegistryModels, RegistryView } from './governance.js';
import { keyringOf } from '../governance/audit/keys.js';
import { readAuditTopic } from '../governance/audit/read.js';
import { loadPacks } from '../governance/compliance/packs.js';
import { loadEvidenceTopics } from '../governance/report/load.js';
import { ioLogSettingsFor, retentionMs } from '../iolog/settings.js';
import { governanceProducer, type GovernanceWrite } from '../pipeline/sink/governance-producer.js';
import { GovernanceFeed } from '../pipeline/source/governance-feed.js';
import { alertAuditEntry } from '../pipeline/policy/audit.js';
import { ComplianceWatch } from './compliance-watch.js';
import { LiveConfiguration } from '../governance/compliance/live.js';
import { ConfigFeed } from '../pipeline/source/config-feed.js';
import { readIoLogRecords } from '../pipeline/source/governance-iolog.js';
import { Envelope } from '../security/crypto/envelope.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { buildAdmin, type HealthSource } from './server.js';

export interface AdminApiOptions {
  readonly config: LoadedConfig;
  readonly infra: InfraSettings;
  readonly auditKey: AuditKey;
  readonly registry: Registry;
  readonly health: HealthSource;
  readonly logger: Logger;
  /** Where the access log goes (default: a pino logger at info on stderr, whatever VIGIL_LOG_LEVEL says). */
  readonly accessLogger?: Logger;
  readonly cwd?: string;
  readonly clock?: () => number;
  /** Where key settings are read from (VIGIL_KEK_FILE, the key variable); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The governance producer's transactional id (default: governanceTransactionalId). */
  readonly transactionalId?: string;
  /** Runs inside each governance transaction before its commit; a failure aborts it (fault injection in tests). */
  readonly beforeCommit?: (write: GovernanceWrite) => Promise<void>;
}

/**
 * The governance producer's transactional id: stable for one server (its host, port and topics), so a
 * restart fences the dead instance and aborts its open transaction; distinct between servers.
 */
export function governanceTransactionalId(infra: InfraSettings): string {
  return `vigil-admin.${infra.topicPrefix}${hostname()}:${infra.httpPort}`;
}

/**
 * The I/O log route's port, when the server holds key-encryption keys (encryption.keyFile,
 * VIGIL_KEK_FILE or the key variable); without any, the route answers 501. Keys that are named but
 * unreadable stop the start.
 */
function ioLogPort(options: AdminApiOptions, cwd: string): IoLogPort | undefined {
  const env = options.env ?? process.env;
  const { iolog, encryption } = options.config.config;
  const named = (encryption.keyFile ?? '').length > 0 || (env['VIGIL_KEK_FILE'] ?? '').length > 0 || (env[encryption.keyEnv ?? 'VIGIL_KEK'] ?? '').length > 0;
  if (!named) return undefined;
  const provider = resolveKeyProvider({ file: encryption.keyFile, envName: encryption.keyEnv, env, cwd });
  const topic = topicName(options.infra.topicPrefix, 'iolog');
  return {
    topic,
    envelope: new Envelope(provider, { maxUsesPerDataKey: encryption.maxUsesPerDataKey }),
    records: (filter) => {
      provider.reloadIfChanged();
      return readIoLogRecords(options.infra.brokers, topic, filter, 'vigil-admin-iolog');
    },
    retentionMs: (modelId) => retentionMs(ioLogSettingsFor(iolog, modelId)),
  };
}

export function tokenStoreFile(config: LoadedConfig, cwd: string): string {
  const file = config.config.access.tokens.file;
  return isAbsolute(file) ? file : resolve(cwd, file);
}

export async function startAdminApi(options: AdminApiOptions): Promise<{ app: FastifyInstance; deps: ApiDeps; stop: () => Promise<void> }> {
  const cwd = options.cwd ?? process.cwd();
  const { config, infra, logger } = options;
  const access = config.config.access;
  const tokens = new FileTokenStore(tokenStoreFile(config, cwd));
  tokens.list(); // a store with bad permissions or content stops the start, with its path
  const jwt = access.oidc === null ? null : createJwtVerifier(access.oidc, cwd);
  const authenticator = new Authenticator({ access, tokens, jwt });
  const kafka = kafkaClient({ brokers: infra.brokers, clientId: 'vigil-admin' });
  const topics = {
    config: topicName(infra.topicPrefix, 'config'),
    audit: topicName(infra.topicPrefix, 'audit'),
    alerts: topicName(infra.topicPrefix, 'alerts'),
    governance: topicName(infra.topicPrefix, 'governance'),
    rollback: topicName(infra.topicPrefix, 'rollback'),
  };
  const packs = loadPacks();
  const iolog = ioLogPort(options, cwd);
  await requireTopics(kafka, Object.values(topics), infra.brokers);
  const state = await readAdminState(kafka, topics, ADMIN_CHAIN_ID);
  for (const problem of state.unreadable) logger.warn({ problem }, 'unreadable vigil.config record skipped');
  const producer = await adminProducer(kafka, { registryUrl: infra.registryUrl, configTopic: topics.config, auditTopic: topics.audit });
  // A change of the configuration and its audit record: one transaction (the governance producer's).
  const records = new ConfigRecords(config.config, async (key, value, entry) => {
    if (entry === null) return producer.publishConfig(key, value);
    await audit.appendWith([entry], (written) => governance.commit({ events: [], audit: written, configs: [{ key, value }] }));
  });
  for (const { key, value } of state.config) {
    const problem = records.fold(key, value);
    if (problem !== null) logger.warn({ key, problem }, 'vigil.config record not applied');
  }
  const audit = new ChainedAuditWriter({ keyId: options.auditKey.keyId, privateKey: options.auditKey.privateKey }, (record) => producer.publishAudit(record), state.auditCheckpoint);
  const alerts = new AlertView();
  const feed = new AlertFeed(kafka, { topic: topics.alerts, onAlert: (alert) => alerts.fold(alert) });
  await feed.start();
  const registry = new RegistryView(undefined, (refusal) => logger.warn({ refusal }, 'governance event refused by the registry'));
  // The rule packs are evaluated again whenever a version's standing or its model's live configuration
  // (vigil.yaml plus the vigil.config records, folded as the engine folds them) changes; new findings are alerts.
  const liveConfig = new LiveConfiguration(config.config);
  const compliance = new ComplianceWatch({
    packs,
    registry: () => registry.state,
    governanceTopic: topics.governance,
    configuration: (modelId) => liveConfig.facts(modelId),
    configTopic: topics.config,
    // A finding's alert and its audit record in one transaction (the governance producer's).
    raise: async (alert) => {
      await audit.appendWith([alertAuditEntry(alert, alert.windowEnd)], (records) => governance.commit({ events: [], audit: records, alerts: [alert] }));
    },
    onError: (error) => logger.warn({ err: error }, 'compliance re-evaluation'),
  });
  const configFeed = new ConfigFeed(kafka, {
    topic: topics.config,
    onUnreadable: (problem) => logger.warn({ problem }, 'unreadable vigil.config record skipped by the compliance watch'),
    onRecord: (key, value, at) => {
      const folded = liveConfig.fold(key, value?.config ?? null);
      if ('problem' in folded) logger.warn({ key, problem: folded.problem }, 'vigil.config record not applied by the compliance watch');
      else if (folded.modelId !== null) compliance.onConfig(folded.modelId, value, at).catch((error: unknown) => logger.error({ err: error }, 'a compliance alert could not be written'));
    },
  });
  const governanceFeed = new GovernanceFeed(kafka, {
    topic: topics.governance,
    onEvent: (event, at) => {
      registry.fold(event);
      compliance.onEvent(event, at).catch((error: unknown) => logger.error({ err: error }, 'a compliance alert could not be written'));
    },
  });
  const governance = await governanceProducer(kafka, {
    registryUrl: infra.registryUrl,
    topics,
    transactionalId: options.transactionalId ?? governanceTransactionalId(infra),
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
  });
  try {
    await configFeed.start();
    await governanceFeed.start();
    compliance.goLive();
  } catch (error) {
    await Promise.all([feed.stop(), configFeed.stop(), producer.close(), governance.close()].map((p) => p.catch(() => undefined)));
    throw error;
  }
  const gate = new GovernanceGate({ registry, audit, commit: (write) => governance.commit(write), packs, alerts });
  const auditService = new EvidenceAuditService({
    keyring: keyringOf([{ keyId: options.auditKey.keyId, algorithm: 'ed25519', key: options.auditKey.publicKey, validFrom: null, validUntil: null }]),
    packs,
    sources: {
      auditRecords: () => readAuditTopic(kafka, topics.audit, infra.registryUrl),
      evidence: () => loadEvidenceTopics(kafka, { topicPrefix: infra.topicPrefix, registryUrl: infra.registryUrl, manifestDir: null }),
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const deps: ApiDeps = {
    access,
    authenticator,
    audit,
    models: new RegistryModels(new ConfiguredModels(config.config), registry),
    config: records,
    alerts,
    governance: gate,
    auditService,
    ...(iolog !== undefined ? { iolog } : {}),
  };
  const app = buildAdmin({
    registry: options.registry,
    health: options.health,
    api: deps,
    accessLog: pinoAccessLog(options.accessLogger ?? createAccessLogger()),
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    app,
    deps,
    stop: async () => {
      await app.close();
      await feed.stop().catch(() => undefined);
      await governanceFeed.stop().catch(() => undefined);
      await configFeed.stop().catch(() => undefined);
      await producer.close().catch(() => undefined);
      await governance.close().catch(() => undefined);
    },
  };
}
