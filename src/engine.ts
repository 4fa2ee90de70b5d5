/**
 * The one place where the watch's stages are wired, in flow order:
 *
 *   source (kafkajs, eachBatch) → decode (registry + bounded Avro) → window → score (worker pool)
 *   → policy (alerts, rollback, audit) → sinks (one transaction per batch with the offsets)
 *
 * plus the live configuration (`vigil.config`), metrics, and the admin endpoints.
 */
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Alert, AuditRecord, IoLogRecord, RollbackCommand, StateRecord } from './contracts/records.js';
import { protectionFromConfig, type Protection } from './iolog/protection.js';
import { apply as applyGovernance, emptyRegistry, lastApprovedBefore, versionOf, type RegistryState } from './governance/registry/index.js';
import { GovernanceFeed } from './pipeline/source/governance-feed.js';
import type { Envelope } from './security/crypto/envelope.js';
import { inputRecords, installFastRecords } from './pipeline/source/fast-records.js';
import { fastBatchOutcome } from './pipeline/source/fast-batch.js';
import { installCoordinatorCache } from './pipeline/sink/coordinator-cache.js';
import { openStateRecord, sealStateRecord } from './security/crypto/state.js';
import { avroType } from './contracts/schemas.js';
import { topicName } from './contracts/topics.js';
import { ModelOverrides, lastApprovedVersion } from './config/index.js';
import type { LoadedConfig, ModelSettings } from './config/types.js';
import type { InfraSettings } from './config/infra.js';
import { buildAdmin, type HealthSource } from './admin/server.js';
import { startAdminApi } from './admin/wiring.js';
import { VigilError, describeError } from './errors.js';
import { ReferenceFiles } from './pipeline/window/files.js';
import { RegistryClient, type InputRecord } from './pipeline/decode/index.js';
import { PooledDecodeStage, warmUpDecodeTask } from './pipeline/decode/pooled.js';
import { REHEARSAL_MODEL, rehearsalBatches, rehearsalSchemas } from './pipeline/rehearsal.js';
import { LabelDecoder } from './pipeline/labels/decode.js';
import { PartitionProcessor, type Encoders, type OutputTopics } from './pipeline/processor.js';
import { ScoringPool } from './pipeline/score/pool.js';
import { InferenceSource } from './pipeline/source/consumer.js';
import { readRange, readToEnd } from './pipeline/source/read-to-end.js';
import { ConfigFeed } from './pipeline/source/config-feed.js';
import { deadLetter } from './pipeline/sink/dead-letter.js';
import { recordEncoder } from './pipeline/sink/encode.js';
import { kafkaClient } from './pipeline/sink/kafka.js';
import { PartitionTransactions } from './pipeline/sink/transactional.js';
import type { AuditKey } from './security/audit-key.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics, type EngineMetrics } from './telemetry/metrics.js';
import { recordBatchMetrics } from './telemetry/batch-metrics.js';

export interface EngineOptions {
  readonly config: LoadedConfig;
  readonly infra: InfraSettings;
  readonly auditKey: AuditKey;
  /** Wall clock (dead-letter timestamps, timestamp validation). */
  readonly clock?: () => number;
  /** Serve the authenticated admin API (tokens, OIDC, RBAC) beside /metrics and the health checks. */
  readonly api?: boolean;
  /** Serve the admin endpoints on infra.httpHost:httpPort (false in tests that use `admin.inject`). */
  readonly listen?: boolean;
  readonly logger?: Logger;
  /** Partitions processed at once (default: the pool's thread count). */
  readonly concurrency?: number;
  /** The scoring pool's worker module (default: the compiled workers/scoring.js). */
  readonly scoringWorkerFile?: string;
}

/**
 * What an eachBatch failure is rethrown as. kafkajs stops a consumer for good on an error whose
 * `retriable` is false; every failure that reaches it must instead be retried with backoff (the batch
 * again, then a rejoin), while #quarantine decides when a batch has failed often enough.
 */
function retryLater(error: unknown): VigilError {
  if (error instanceof VigilError && error.retriable) return error;
  return new VigilError(error instanceof VigilError ? error.code : 'VIGIL_INTERNAL', describeError(error), { cause: error, retriable: true });
}

/**
 * Seals state records with the envelope before they are written: reference profiles (the raw
 * reference rows) when `references`, every other kind when `state`.
 */
function sealWith(envelope: Envelope, topic: string, what: { state: boolean; references: boolean }): (record: StateRecord) => Promise<StateRecord> {
  return async (record) => {
    const reference = record.kind === 'reference' || record.kind === 'labelled-reference';
    return (reference ? what.references : what.state) ? sealStateRecord(envelope, record, topic) : record;
  };
}

/** Labels re-read after a restore, to find those still waiting for their events. */
const LABEL_TAIL = 100_000;

/** The key of a topic-partition's floor. */
function floorKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

/** eventIds the duplicate detector of a partition remembers (the DedupWindow default). */
const DEDUP_CAPACITY = 100_000;
/** Passes of the rehearsal over its batches before the consumer joins. */
const REHEARSAL_PASSES = 3;
/** No pass of the rehearsal starts after this long. */
const REHEARSAL_BUDGET_MS = 1500;
/** Failures of the same batch, with a non-retriable error, before its records are dead-lettered. */
/** Where a partition of an input topic stands for the group: its committed offset and its log start. */
interface Floor {
  readonly committed: bigint;
  readonly low: bigint;
}

const MAX_BATCH_ATTEMPTS = 3;

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export class Engine {
  readonly metrics: EngineMetrics;
  #admin: FastifyInstance;
  /** Stops the authenticated admin API's consumers and producer (when `api` is on). */
  #stopApi: (() => Promise<void>) | undefined;
  readonly #options: EngineOptions;
  readonly #log: Logger;
  readonly #kafka: Kafka;
  #kafkaAdmin: Promise<Admin> | undefined;
  readonly #topics: OutputTopics & { inference: string; config: string; labels: string; governance: string };
  readonly #overrides: ModelOverrides;
  readonly #processors = new Map<number, PartitionProcessor>();
  /** Restores under way, by partition (see #processorFor). */
  readonly #restoring = new Map<number, Promise<PartitionProcessor>>();
  /**
   * The first offset each partition's next batch may hold: the committed offset read after its
   * restore, then the end of each batch handed to its transaction. The group's offset fetch at join
   * time can predate the last transaction of a dead member (kafkajs does not ask for stable offsets)
   * or one of this member still in flight, so records below this are already in the partition's
   * state: skip them.
   */
  readonly #restoredAt = new Map<string, bigint>();
  /** One batch of a partition at a time, whichever topic (events and labels share its processor). */
  readonly #locks = new Map<number, Promise<void>>();
  /** The batch of each partition being processed (its eachBatch has returned: see #pipelined). */
  readonly #inFlight = new Map<number, Promise<void>>();
  /**
   * Per topic-partition, the first offset of a batch that must be read again (its processing or its
   * transaction failed, and the consumer was sent back to it): batches fetched before that seek took
   * effect start past it and are dropped, so nothing after it is committed before it.
   */
  readonly #rewound = new Map<string, bigint>();
  readonly #referenceFiles: ReferenceFiles;
  /** Consecutive failures of the batch starting at `offset`, per partition. */
  readonly #failures = new Map<number, { offset: string; attempts: number }>();
  /** The transaction in flight per partition: its records, and its outcome (undefined when committed). */
  readonly #commits = new Map<number, { readonly topic: string; readonly messages: readonly KafkaMessage[]; readonly settled: Promise<unknown> }>();
  #assigned = new Set<number>();
  #phase: Phase = 'created';
  #failure: string | undefined;
  #pool: ScoringPool | undefined;
  #source: InferenceSource | undefined;
  #configFeed: ConfigFeed | undefined;
  #transactions: PartitionTransactions | undefined;
  #encoders: Encoders | undefined;
  #protection: Protection | undefined;
  /** The governance registry, folded from vigil.governance as its events arrive. */
  #governance: RegistryState = emptyRegistry();
  #governanceFeed: GovernanceFeed | undefined;
  #registry: RegistryClient | undefined;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#log = options.logger ?? createLogger();
    this.metrics = createMetrics();
    const prefix = options.infra.topicPrefix;
    this.#topics = {
      inference: topicName(prefix, 'inference'),
      labels: topicName(prefix, 'labels'),
      governance: topicName(prefix, 'governance'),
      config: topicName(prefix, 'config'),
      alerts: topicName(prefix, 'alerts'),
      audit: topicName(prefix, 'audit'),
      rollback: topicName(prefix, 'rollback'),
      state: topicName(prefix, 'state'),
      dlq: topicName(prefix, 'dlq'),
    };
    this.#kafka = kafkaClient({ brokers: options.infra.brokers, clientId: 'vigil-engine', framedReads: options.config.config.engine.framedReads });
    this.#overrides = new ModelOverrides(options.config.config);
    this.#referenceFiles = new ReferenceFiles(options.config, (modelId) => this.#overrides.settings(modelId));
    this.#admin = buildAdmin({ registry: this.metrics.registry, health: this.#health() });
  }

  /** The admin HTTP side: metrics and health, and with `api` the authenticated admin API. */
  get admin(): FastifyInstance {
    return this.#admin;
  }

  #health(): HealthSource {
    return {
      live: () => this.#phase !== 'failed',
      ready: () => (this.#phase === 'running' ? { ready: true } : { ready: false, reason: this.#failure ?? this.#phase }),
    };
  }

  /** The detector settings in force for a model (configuration file plus live override). */
  settingsFor(modelId: string): ModelSettings {
    return this.#overrides.settings(modelId);
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** The admin address when listening. */
  address(): AddressInfo | undefined {
    const address = this.admin.server.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  async start(): Promise<void> {
    this.#phase = 'starting';
    const { config, infra } = this.#options;
    const engine = config.config.engine;
    // Before any consumer of this process fetches: kafkajs's record decoding is replaced process-wide.
    if (engine.fastRecordDecoding) {
      const decoding = installFastRecords();
      if (decoding.installed) this.#log.debug('fetched records are decoded by the fast record decoder');
      else this.#log.info({ reason: decoding.reason }, "fetched records are decoded by kafkajs's own decoder");
      const batches = fastBatchOutcome();
      if (batches.installed) this.#log.debug('fetched batches of fast records are built without a Long per record');
      else this.#log.debug({ reason: batches.reason }, "fetched batches are built by kafkajs's own Batch");
    }
    // Transactional producers remember their coordinators rather than ask for them in every transaction.
    const coordinators = installCoordinatorCache();
    if (!coordinators.installed) this.#log.info({ reason: coordinators.reason }, 'transactional producers look their coordinators up in every transaction');
    const registryUrl = infra.registryUrl;
    // Every reference file named in the configuration is read now, so a bad one stops the start with
    // its name and line rather than failing batches later.
    this.#referenceFiles.loadAll();
    await this.#checkTopics();
    const [alert, audit, rollback, state] = await Promise.all([
      recordEncoder<Alert>(registryUrl, this.#topics.alerts, 'Alert'),
      recordEncoder<AuditRecord>(registryUrl, this.#topics.audit, 'AuditRecord'),
      recordEncoder<RollbackCommand>(registryUrl, this.#topics.rollback, 'RollbackCommand'),
      recordEncoder<StateRecord>(registryUrl, this.#topics.state, 'StateRecord'),
    ]);
    // Keys are needed only when something is encrypted; a bad key file stops the start, with its path.
    this.#protection = protectionFromConfig(config.config, infra.topicPrefix, process.env);
    const iolog = this.#protection.iolog === null ? null : await recordEncoder<IoLogRecord>(registryUrl, this.#protection.iolog.topic, 'IoLogRecord');
    this.#encoders = {
      alert: (r) => alert.encode(r),
      audit: (r) => audit.encode(r),
      rollback: (r) => rollback.encode(r),
      state: (r) => state.encode(r),
      ...(iolog === null ? {} : { iolog: (r: IoLogRecord) => iolog.encode(r) }),
    };
    this.#registry = new RegistryClient({ baseUrl: registryUrl });
    // The schemas producers last registered for the input topics are loaded now, not on the first batch.
    const preloading = Promise.all(
      [this.#topics.inference, this.#topics.labels].map((topic) =>
        this.#registry!.preload(`${topic}-value`).catch((error: unknown) => this.#log.info({ err: error, topic }, 'the latest schema of an input topic could not be preloaded; it is looked up when a record needs it')),
      ),
    );
    this.#pool = new ScoringPool({
      ...(this.#options.scoringWorkerFile ? { workerFile: this.#options.scoringWorkerFile } : {}),
      ...(engine.pool.threads > 0 ? { threads: engine.pool.threads } : {}),
      ...(engine.pool.maxQueue > 0 ? { maxQueue: engine.pool.maxQueue } : {}),
    });
    this.#pool.onError((error) => this.#log.error({ err: error }, 'scoring pool error'));
    this.#pool.onDrain(() => {
      this.#source?.resume();
      this.metrics.paused.set(0);
    });
    // The pool threads load their code, and the whole path of a batch is rehearsed, while the feeds
    // below start, not on the first batch.
    const clock = this.#options.clock ?? Date.now;
    const warming = this.#pool.warm(() => warmUpDecodeTask(clock())).catch((error: unknown) => this.#log.warn({ err: error }, 'warming the scoring pool failed; the first batch does it'));
    const rehearsing = this.#rehearse().catch((error: unknown) => this.#log.warn({ err: error }, 'the rehearsal of a batch failed; the first batch warms the engine up'));
    this.#transactions = new PartitionTransactions(this.#kafka, { groupId: engine.groupId, idPrefix: `vigil-engine.${engine.groupId}.` });

    await this.#startConfigWatch();
    this.#governanceFeed = new GovernanceFeed(this.#kafka, {
      topic: this.#topics.governance,
      groupId: `vigil-engine-governance-${process.pid}-${Date.now()}`,
      onEvent: (event) => {
        const result = applyGovernance(this.#governance, event);
        if (result.ok) this.#governance = result.state;
      },
    });
    await this.#governanceFeed.start();
    if (this.#options.api) {
      // The admin API (identities, RBAC, access log) on the same port as /metrics; it replaces the
      // public-only admin built with the engine, whose request metric it registers anew.
      await this.#admin.close();
      this.metrics.registry.removeSingleMetric('vigil_admin_requests_total');
      const api = await startAdminApi({ config, infra, auditKey: this.#options.auditKey, registry: this.metrics.registry, health: this.#health(), logger: this.#log });
      this.#admin = api.app;
      this.#stopApi = api.stop;
    }
    if (this.#options.listen !== false) await this.admin.listen({ host: infra.httpHost, port: infra.httpPort });
    // The consumer joins last: once it has joined, the engine is ready, and it has consumed nothing
    // before (what it does after it says it is ready is all of its work).
    await Promise.all([warming, rehearsing, preloading]);
    this.#source = new InferenceSource(this.#kafka, {
      groupId: engine.groupId,
      topics: [this.#topics.inference, this.#topics.labels],
      // Events and their labels are keyed by model id: partition p of both is one member's.
      copartitioned: true,
      // At least two partitions at once: while one waits on its transaction, another keeps the pool busy.
      concurrency: this.#options.concurrency ?? Math.max(2, this.#pool.threads),
      sessionTimeoutMs: engine.sessionTimeoutMs,
      maxBytesPerPartition: engine.fetchMaxBytesPerPartition,
    });
    await this.#source.start({
      onAssignment: (assignment) => this.#onAssignment(assignment[this.#topics.inference] ?? []),
      onCrash: (error, restart) => {
        // In-memory state may be ahead of what was committed: every partition restores from its changelog.
        // (A rewind stays: the consumer starts again from the committed offsets, at or before it, and
        // the first batch from there clears it.)
        this.#processors.clear();
        if (restart) {
          this.metrics.consumerRestarts.inc();
          this.#log.error({ err: error }, 'the consumer crashed; it rejoins its group and resumes from the committed offsets');
        } else {
          this.#phase = 'failed';
          this.#failure = `the consumer stopped: ${describeError(error)}`;
          this.#log.fatal({ err: error }, 'the consumer stopped for good');
        }
      },
      onBatch: (batch, control) => this.#pipelined(batch.partition, this.#serially(batch.partition, () => this.#onBatch(batch.topic, batch.partition, batch.messages, batch.highWatermark, control.isStale))),
    });
    this.#phase = 'running';
  }

  /** Drains in-flight batches, commits, closes everything. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopped' || this.#phase === 'stopping') return;
    this.#phase = 'stopping';
    // Both consumers at once: each waits for its fetch in flight.
    await Promise.all([
      this.#source?.stop().catch((error: unknown) => this.#log.warn({ err: error }, 'stopping the consumer')),
      this.#configFeed?.stop().catch(() => undefined),
      this.#governanceFeed?.stop().catch(() => undefined),
    ]);
    // Batches whose eachBatch already returned are still processed and committed.
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#settleCommits();
    await this.#transactions?.close();
    await this.#pool?.close();
    const kafkaAdmin = await this.#kafkaAdmin?.catch(() => undefined);
    this.#kafkaAdmin = undefined;
    await kafkaAdmin?.disconnect().catch(() => undefined);
    await this.admin.close();
    await this.#stopApi?.().catch((error: unknown) => this.#log.warn({ err: error }, 'stopping the admin API'));
    this.#processors.clear();
    this.#phase = 'stopped';
  }

  /**
   * The engine's admin client for its own look-ups (the topics at the start, a partition's floors and
   * changelog end at each restore), connected once: a restore starts with its look-ups, not with a
   * connection handshake.
   */
  #sharedAdmin(): Promise<Admin> {
    if (this.#kafkaAdmin === undefined) {
      const admin = this.#kafka.admin();
      const connecting = admin.connect().then(() => admin);
      connecting.catch(() => {
        if (this.#kafkaAdmin === connecting) this.#kafkaAdmin = undefined;
      });
      this.#kafkaAdmin = connecting;
    }
    return this.#kafkaAdmin;
  }

  /** `use` with the shared admin client. After a failure the client is dropped: the next use connects a new one. */
  async #withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const connecting = this.#sharedAdmin();
    const admin = await connecting;
    try {
      return await use(admin);
    } catch (error) {
      if (this.#kafkaAdmin === connecting) {
        this.#kafkaAdmin = undefined;
        void admin.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  async #checkTopics(): Promise<void> {
    try {
      const present = new Set(await this.#withAdmin((admin) => admin.listTopics()));
      const missing = Object.values(this.#topics).filter((t) => !present.has(t));
      if (missing.length > 0) {
        throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `topics ${missing.join(', ')} do not exist on ${this.#options.infra.brokers.join(',')}; run \`vigil topics create\` first`, { retriable: false });
      }
    } catch (error) {
      if (error instanceof VigilError) throw error;
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot reach Kafka at ${this.#options.infra.brokers.join(',')}: ${describeError(error)}`, { cause: error });
    }
  }

  #onAssignment(partitions: readonly number[]): void {
    const next = new Set(partitions);
    for (const partition of this.#assigned) {
      if (next.has(partition)) continue;
      // Revoked: its state is in the changelog (every transaction carries it) once the transaction in
      // flight settles; drop memory.
      this.#processors.delete(partition);
      // Whoever reads it next starts from the committed offsets: a rewind of ours no longer applies.
      for (const topic of [this.#topics.inference, this.#topics.labels]) this.#rewound.delete(floorKey(topic, partition));
      // Its batch in processing, if any, finds the partition revoked and commits nothing.
      void Promise.allSettled([this.#inFlight.get(partition)])
        .then(() => this.#settleCommits([partition]))
        .then(() => this.#transactions?.release(this.#topics.inference, partition));
    }
    this.#assigned = next;
    // A partition's restore (its producer fenced, its changelog read) starts now, while kafkajs
    // fetches its first batch, rather than after that batch arrives.
    for (const partition of next) {
      if (this.#processors.has(partition)) continue;
      this.#processorFor(partition).catch((error: unknown) => this.#log.warn({ err: error, partition }, 'restoring an assigned partition failed; its first batch restores it again'));
    }
  }

  /**
   * The partition's processor: the one in memory, else the restore under way (started when the
   * partition was assigned, or by its first batch), else a new restore.
   */
  #processorFor(partition: number): Promise<PartitionProcessor> {
    const existing = this.#processors.get(partition);
    if (existing) return Promise.resolve(existing);
    let restoring = this.#restoring.get(partition);
    if (restoring === undefined) {
      const started = this.#restore(partition).finally(() => {
        if (this.#restoring.get(partition) === started) this.#restoring.delete(partition);
      });
      restoring = started;
      this.#restoring.set(partition, restoring);
    }
    return restoring;
  }

  /**
   * Before the consumer joins, a throwaway processor takes made-up events through every step of a
   * batch (the decode stage and the pool's decoding, windows and a reference, scoring, the policy,
   * the state records), so that the code of the main thread and of the pool is compiled and optimised
   * when the first real batch comes, not while it waits. What the rehearsal makes is dropped: nothing
   * is written, and no state of it is kept. Its models have no settings of their own: the global ones apply.
   */
  async #rehearse(): Promise<void> {
    const started = performance.now();
    const pool = this.#pool!;
    const clock = this.#options.clock ?? Date.now;
    const settings = this.#overrides.settings(REHEARSAL_MODEL);
    const batches = rehearsalBatches({ nowMs: clock(), topic: this.#topics.inference, referenceEvents: settings.reference.events, windowCount: settings.windows.count });
    let events = 0;
    // Each pass is a new processor over the same records (a new reference, windows, duplicate memory):
    // V8 optimises the hot code after it has run a while, not after one batch.
    // (bounded in time too: with many or heavy detectors enabled, one pass does)
    for (let pass = 0; pass < REHEARSAL_PASSES && (pass === 0 || performance.now() - started < REHEARSAL_BUDGET_MS); pass++) {
      const processor = this.#rehearsalProcessor(pool, clock);
      for (const records of batches) events += (await processor.process(records)).decoded;
    }
    this.#log.debug({ events, ms: Math.round(performance.now() - started) }, 'rehearsed the path of a batch before joining');
  }

  #rehearsalProcessor(pool: ScoringPool, clock: () => number): PartitionProcessor {
    return new PartitionProcessor({
      partition: 0,
      topics: this.#topics,
      pool,
      createDecode: (initialNames) => new PooledDecodeStage({ pool, lookup: rehearsalSchemas, now: clock, initialNames }),
      referenceFor: () => undefined,
      settings: (modelId) => this.#overrides.settings(modelId),
      lastApproved: () => null,
      signer: { keyId: this.#options.auditKey.keyId, privateKey: this.#options.auditKey.privateKey },
      encoders: this.#encoders!,
      clock,
    });
  }

  /** A processor restored from the partition's changelog, kept while the partition is this member's. */
  async #restore(partition: number): Promise<PartitionProcessor> {
    const started = performance.now();
    // A restore reads what was committed: a transaction of this partition still in flight settles first.
    await this.#settleCommits([partition]);
    const transactions = this.#transactions!;
    // Fence older producers of this partition first, so their open transactions are aborted and the
    // changelog read below holds exactly what was committed.
    await transactions.producerFor(this.#topics.inference, partition);
    const latest = new Map<string, StateRecord>();
    const type = avroType('StateRecord');
    // Fenced: what the group has committed no longer moves, so the floors are read beside the changelog.
    const [floors] = await Promise.all([
      this.#floors(partition),
      this.#withAdmin((admin) => readToEnd(this.#kafka, {
        admin,
        topic: this.#topics.state,
        partitions: [partition],
        onMessage: (_p, message) => {
          const key = message.key?.toString('utf8');
          if (key === undefined) return;
          if (message.value === null) latest.delete(key);
          else latest.set(key, type.fromBuffer(message.value.subarray(5)) as StateRecord);
        },
      })),
    ]);
    const { config } = this.#options;
    const processor = new PartitionProcessor(
      {
        partition,
        topics: this.#topics,
        pool: this.#pool!,
        createDecode: (initialNames) => new PooledDecodeStage({ pool: this.#pool!, lookup: this.#registry!, now: this.#options.clock ?? Date.now, initialNames }),
        labels: new LabelDecoder(this.#registry!, this.#options.clock ?? Date.now),
        inferenceAccess: config.config.access.inference,
        ...(this.#protection?.iolog ? { iolog: this.#protection.iolog } : {}),
        ...((this.#protection?.sealState || this.#protection?.sealReferences) && this.#protection.envelope
          ? { sealState: sealWith(this.#protection.envelope, this.#topics.state, { state: this.#protection.sealState, references: this.#protection.sealReferences }) }
          : {}),
        referenceFor: (modelId) => this.#referenceFiles.forModel(modelId),
        settings: (modelId) => this.#overrides.settings(modelId),
        // The governance registry (a fold of vigil.governance) names rollback targets and approved
        // environments; without an entry there, policy.lastApproved of the configuration does.
        lastApproved: (modelId, version) => lastApprovedBefore(this.#governance, modelId, version) ?? lastApprovedVersion(config.config, modelId),
        approvedEnvironment: (modelId, version) => versionOf(this.#governance, modelId, version)?.environmentHash ?? null,
        signer: { keyId: this.#options.auditKey.keyId, privateKey: this.#options.auditKey.privateKey },
        encoders: this.#encoders!,
        clock: this.#options.clock ?? Date.now,
      },
      await Promise.all([...latest.values()].map(async (record) => (record.encrypted ? { ...record, body: await openStateRecord(this.#protection?.envelope ?? null, record, this.#topics.state), encrypted: false } : record))),
    );
    this.#restoredAt.set(floorKey(this.#topics.inference, partition), await this.#prime(processor, this.#topics.inference, partition, floors.inference, DEDUP_CAPACITY));
    this.#restoredAt.set(floorKey(this.#topics.labels, partition), await this.#prime(processor, this.#topics.labels, partition, floors.labels, LABEL_TAIL));
    this.metrics.partitionRestore.observe({}, performance.now() - started);
    // Revoked while it was restored (the restore began at assignment): another member has it now.
    if (this.#assigned.has(partition)) this.#processors.set(partition, processor);
    return processor;
  }

  /**
   * The group's committed offset (−1 when none) and the log start of the partition in each input
   * topic, in one admin session.
   */
  async #floors(partition: number): Promise<Record<'inference' | 'labels', Floor>> {
    const topics = [this.#topics.inference, this.#topics.labels] as const;
    return this.#withAdmin(async (admin) => {
      const [groups, ...starts] = await Promise.all([
        admin.fetchOffsets({ groupId: this.#options.config.config.engine.groupId, topics: [...topics] }),
        ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
      ]);
      const floor = (i: number): Floor => ({
        committed: BigInt(groups.find((g) => g.topic === topics[i])?.partitions.find((p) => p.partition === partition)?.offset ?? '-1'),
        low: BigInt(starts[i]!.find((p) => p.partition === partition)?.low ?? '0'),
      });
      return { inference: floor(0), labels: floor(1) };
    });
  }

  /**
   * Memory the changelog does not hold is re-learnt from the tail of the committed input: recent
   * eventIds (duplicate detection) and events waiting for their labels from `vigil.inference`, labels
   * waiting for their events from `vigil.labels`. Returns the committed offset: the partition's floor.
   */
  async #prime(processor: PartitionProcessor, topic: string, partition: number, { committed, low }: Floor, tail: number): Promise<bigint> {
    if (committed <= low) return committed;
    const from = committed - BigInt(tail) > low ? committed - BigInt(tail) : low;
    const records: InputRecord[] = [];
    await readRange(this.#kafka, {
      topic,
      partition,
      from,
      to: committed,
      onMessage: (m) => records.push({ key: m.key, value: m.value, topic, partition, offset: m.offset }),
    });
    if (topic === this.#topics.labels) await processor.primeLabels(records).catch((error: unknown) => this.#log.warn({ err: error, partition }, 'labels waiting for their events could not be re-read'));
    else await processor.prime(records);
    return committed;
  }

  /**
   * Lets kafkajs fetch a partition's next batch while this one is processed: kafkajs fetches again only
   * when every eachBatch of its last fetch has returned, so eachBatch returns once the partition's
   * *previous* batch is done, and that batch's failure surfaces here (kafkajs then restarts the
   * consumer from the committed offsets, as without pipelining). At most one batch per partition waits.
   */
  #pipelined(partition: number, work: Promise<void>): Promise<void> {
    const previous = this.#inFlight.get(partition);
    this.#inFlight.set(partition, work);
    // Observed by the next eachBatch of the partition or by stop(); never an unhandled rejection.
    work.catch(() => undefined).finally(() => {
      if (this.#inFlight.get(partition) === work) this.#inFlight.delete(partition);
    });
    return previous ?? Promise.resolve();
  }

  /** Sends the consumer back to `first` of a topic-partition and drops batches fetched past it meanwhile. */
  #rewind(topic: string, partition: number, first: string): void {
    this.#rewound.set(floorKey(topic, partition), BigInt(first));
    this.#source?.seek(topic, partition, first);
  }

  /** Runs `work` after every earlier batch of the partition (of either topic) has been handled. */
  #serially(partition: number, work: () => Promise<void>): Promise<void> {
    const previous = this.#locks.get(partition) ?? Promise.resolve();
    const run = previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(partition, settled);
    void settled.then(() => {
      if (this.#locks.get(partition) === settled) this.#locks.delete(partition);
    });
    return run;
  }

  async #onBatch(topic: string, partition: number, batchMessages: readonly KafkaMessage[], highWatermark: string, isStale: () => boolean): Promise<void> {
    const started = performance.now();
    let messages = batchMessages;
    const rewound = this.#rewound.get(floorKey(topic, partition));
    if (rewound !== undefined) {
      // Fetched before the consumer went back: it comes again, in order, after the batch it follows.
      if (BigInt(messages[0]!.offset) > rewound) return;
      this.#rewound.delete(floorKey(topic, partition));
    }
    // A rotated key-encryption key file is picked up without a restart.
    this.#protection?.provider?.reloadIfChanged();
    if (this.#pool!.needsDrain) {
      this.#source!.pause();
      this.metrics.paused.set(1);
    }
    // Without a processor (first batch, or memory dropped after a failure) the partition restores from
    // its changelog; a transaction of it still in flight settles first, and if it failed, the consumer
    // goes back to it.
    if (!this.#processors.has(partition) && !(await this.#previousCommitted(topic, partition, messages[0]!.offset))) return;
    const processor = await this.#processorFor(partition);
    const restoredAt = this.#restoredAt.get(floorKey(topic, partition)) ?? -1n;
    if (BigInt(messages[messages.length - 1]!.offset) < restoredAt) return;
    if (BigInt(messages[0]!.offset) < restoredAt) messages = messages.filter((m) => BigInt(m.offset) >= restoredAt);
    const records = inputRecords(topic, partition, messages);
    let outcome;
    try {
      outcome = topic === this.#topics.labels ? await processor.processLabels(records) : await processor.process(records);
    } catch (error) {
      if (!(await this.#previousCommitted(topic, partition, messages[0]!.offset))) return;
      this.#processors.delete(partition);
      try {
        if (await this.#quarantine(topic, partition, messages, error)) return;
      } catch (quarantineError) {
        this.#log.error({ err: quarantineError, topic, partition }, 'quarantine failed; the batch will be retried');
        throw retryLater(quarantineError);
      }
      this.#log.error({ err: error, topic, partition }, 'batch processing failed; the partition is restored from its changelog and the batch retried');
      // Read it again even if no later batch comes to carry the error to kafkajs.
      this.#rewind(topic, partition, messages[0]!.offset);
      throw retryLater(error);
    }
    // This batch was processed while the previous one's transaction was committing; its outputs can
    // only follow that transaction, and only if it committed.
    if (!(await this.#previousCommitted(topic, partition, messages[0]!.offset))) return;
    this.#failures.delete(partition);
    if (isStale() || !this.#assigned.has(partition)) {
      // The partition moved to another member mid-batch: commit nothing; the new owner redoes it.
      this.#processors.delete(partition);
      return;
    }
    const last = messages[messages.length - 1]!.offset;
    // The transaction commits while kafkajs fetches and the engine processes the partition's next
    // batch (one transaction per partition at a time: the next batch waits for it before its own).
    const committed = this.#transactions!.commit(this.#topics.inference, partition, outcome.outputs, (BigInt(last) + 1n).toString(), topic).then(
      () => {
        this.metrics.transactions.inc({ outcome: 'committed' });
        recordBatchMetrics(this.metrics, { topic, partition, size: messages.length, outcome, highWatermark, last, started, poolUtilization: this.#pool!.utilization });
        return undefined;
      },
      (error: unknown) => {
        this.metrics.transactions.inc({ outcome: 'aborted' });
        this.#processors.delete(partition);
        return error ?? new Error('transaction failed');
      },
    );
    this.#commits.set(partition, { topic, messages, settled: committed });
    // After a rebalance kafkajs resumes from the committed offset it fetched at the join, which may
    // predate this transaction: what follows it is the floor of the partition's next batch.
    this.#restoredAt.set(floorKey(topic, partition), BigInt(last) + 1n);
  }

  /**
   * Waits for the partition's transaction in flight, if any. When it failed, the partition's memory
   * (ahead of what was committed) is dropped, the consumer is moved back to the first record of the
   * failed transaction (or past it, when it is quarantined) and to the first record of the batch at
   * hand (`topic` from `first`), and false is returned: that batch is not committed; it is fetched and
   * processed again after the failed one.
   */
  async #previousCommitted(topic: string, partition: number, first: string): Promise<boolean> {
    const pending = this.#commits.get(partition);
    if (pending === undefined) return true;
    const error = await pending.settled;
    this.#commits.delete(partition);
    if (error === undefined) return true;
    this.#processors.delete(partition);
    const { messages } = pending;
    let from = messages[0]!.offset;
    try {
      if (await this.#quarantine(pending.topic, partition, messages, error)) from = (BigInt(messages[messages.length - 1]!.offset) + 1n).toString();
      else this.#log.error({ err: error, topic: pending.topic, partition }, 'transaction failed; the batch will be retried from the last committed offset');
    } catch (quarantineError) {
      this.#log.error({ err: quarantineError, topic: pending.topic, partition }, 'quarantine failed; the batch will be retried');
    }
    this.#rewind(pending.topic, partition, from);
    if (topic !== pending.topic) this.#rewind(topic, partition, first);
    return false;
  }

  /** Waits for every transaction in flight (a stop, a revocation or a restore must not overtake one). */
  async #settleCommits(partitions: Iterable<number> = [...this.#commits.keys()]): Promise<void> {
    await Promise.all([...partitions].map(async (partition) => {
      const pending = this.#commits.get(partition);
      if (pending === undefined) return;
      const error = await pending.settled;
      if (this.#commits.get(partition) === pending) this.#commits.delete(partition);
      if (error !== undefined) this.#log.error({ err: error, partition }, 'a transaction failed while the partition was being released; its batch is processed again from the last committed offset');
    }));
  }

  /**
   * A batch that fails the same way again and again (a bug meeting some input, not an outage) would
   * stop its partition for good. After MAX_BATCH_ATTEMPTS failures with a non-retriable error, its
   * records go to the dead-letter topic, bytes unchanged, and the partition moves on.
   */
  async #quarantine(topic: string, partition: number, messages: readonly KafkaMessage[], error: unknown): Promise<boolean> {
    const first = messages[0]!.offset;
    const previous = this.#failures.get(partition);
    const attempts = previous?.offset === first ? previous.attempts + 1 : 1;
    this.#failures.set(partition, { offset: first, attempts });
    const retriable = error instanceof VigilError && error.retriable;
    if (retriable || attempts < MAX_BATCH_ATTEMPTS) return false;
    const last = messages[messages.length - 1]!.offset;
    const failedAt = (this.#options.clock ?? Date.now)();
    const message = `the batch ${first}..${last} failed ${attempts} times: ${describeError(error)}`;
    const outputs = messages.map((m) => deadLetter(this.#topics.dlq, { topic, partition, offset: m.offset, key: m.key, value: m.value }, 'VIGIL_INTERNAL', message, failedAt));
    await this.#transactions!.commit(this.#topics.inference, partition, outputs, (BigInt(last) + 1n).toString(), topic);
    this.#failures.delete(partition);
    this.metrics.deadLettered.inc({ code: 'VIGIL_INTERNAL' }, messages.length);
    this.#log.error({ err: error, topic, partition, first, last }, 'batch quarantined to the dead-letter topic after repeated failures');
    return true;
  }

  /** Per-model detector settings and silences from the compacted `vigil.config` topic, applied without a restart. */
  async #startConfigWatch(): Promise<void> {
    const feed = new ConfigFeed(this.#kafka, {
      topic: this.#topics.config,
      groupId: `vigil-config-${process.pid}-${Date.now()}`,
      onRecord: (key, value) => {
        const json = value === null ? null : value.config;
        if (key.startsWith('silence:')) {
          const problem = this.#overrides.applySilence(key, json);
          if (problem !== null) this.#log.warn({ key, problem }, 'silence record rejected');
          return;
        }
        const result = this.#overrides.apply(key, json);
        if (!result.ok) this.#log.warn({ modelId: key, error: result.error.message }, 'detector configuration rejected');
      },
      onUnreadable: (problem) => this.#log.warn({ problem }, 'unreadable detector configuration record'),
    });
    await feed.start();
    this.#configFeed = feed;
  }
}
