/**
 * Replay: the engine's per-partition work (decode → window → score in the pool → alert and response
 * policy) over recorded events, with no Kafka. Events are encoded to the wire format with a local
 * schema source, fed to a PartitionProcessor in batches, and its outputs collected instead of
 * produced. The processor is the engine's own, and its results do not depend on how the input is
 * batched, so a replay raises the alerts (same ids) and commands the engine would on the same events.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Alert, InferenceEvent, RollbackCommand } from '../contracts/records.js';
import { avroType } from '../contracts/schemas.js';
import { topicName } from '../contracts/topics.js';
import { ModelOverrides, lastApprovedVersion } from '../config/index.js';
import type { LoadedConfig } from '../config/types.js';
import type { ErrorCode } from '../errors.js';
import type { InputRecord } from '../pipeline/decode/index.js';
import { PooledDecodeStage } from '../pipeline/decode/pooled.js';
import { PartitionProcessor, type Encoders } from '../pipeline/processor.js';
import { ScoringPool } from '../pipeline/score/pool.js';
import { frame } from '../pipeline/sink/encode.js';
import { ReferenceFiles } from '../pipeline/window/files.js';
import type { RecordedEvent } from './events.js';
import { LocalSchemaSource } from './local-schemas.js';

export const REPLAY_BATCH = 1000;
/** Dead letters listed one by one in a result (all are counted). */
export const MAX_LISTED_DEAD_LETTERS = 100;

export interface ReplayOptions {
  readonly config: LoadedConfig;
  readonly events: AsyncIterable<RecordedEvent>;
  /** Topic prefix the alerts' `source.topic` names (default `vigil.`). */
  readonly topicPrefix?: string;
  /** Pool threads (default: the configuration's, else 1). */
  readonly threads?: number;
  /** Wall clock for the decode stage's timestamp check (default Date.now). */
  readonly now?: () => number;
  /** Called after each batch with the events read so far. */
  readonly onBatch?: (events: number) => void;
}

export interface DetectorCounts {
  firing: number;
  resolved: number;
  critical: number;
  warning: number;
}

export interface ReplayResult {
  readonly events: number;
  readonly decoded: number;
  readonly deadLettered: number;
  readonly deadLettersByCode: Readonly<Record<string, number>>;
  /** The first dead letters, with where each event was read. */
  readonly deadLetters: readonly { readonly at: string; readonly code: ErrorCode; readonly message: string }[];
  readonly windows: number;
  readonly alerts: readonly Alert[];
  readonly commands: readonly RollbackCommand[];
  readonly byDetector: Readonly<Record<string, DetectorCounts>>;
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { config } = options;
  const prefix = options.topicPrefix ?? 'vigil.';
  const schemas = new LocalSchemaSource();
  const overrides = new ModelOverrides(config.config);
  const references = new ReferenceFiles(config, (modelId) => overrides.settings(modelId));
  references.loadAll();
  const configured = config.config.engine.pool.threads;
  const pool = new ScoringPool({ threads: options.threads ?? (configured > 0 ? configured : 1) });
  const id = (name: 'Alert' | 'AuditRecord' | 'RollbackCommand' | 'StateRecord' | 'InferenceEvent'): number => schemas.idOf(name);
  const encoders: Encoders = {
    alert: (r) => frame(id('Alert'), avroType('Alert').toBuffer(r)),
    audit: (r) => frame(id('AuditRecord'), avroType('AuditRecord').toBuffer(r)),
    rollback: (r) => frame(id('RollbackCommand'), avroType('RollbackCommand').toBuffer(r)),
    state: (r) => frame(id('StateRecord'), avroType('StateRecord').toBuffer(r)),
  };
  // The audit records of a replay are thrown away; a key made for the run signs them.
  const { privateKey } = generateKeyPairSync('ed25519');
  const now = options.now ?? Date.now;
  const inference = topicName(prefix, 'inference');
  const processor = new PartitionProcessor({
    partition: 0,
    topics: { inference: topicName(prefix, 'inference'), alerts: topicName(prefix, 'alerts'), audit: topicName(prefix, 'audit'), rollback: topicName(prefix, 'rollback'), state: topicName(prefix, 'state'), dlq: topicName(prefix, 'dlq') },
    pool,
    createDecode: (initialNames) => new PooledDecodeStage({ pool, lookup: schemas, now, initialNames }),
    referenceFor: (modelId) => references.forModel(modelId),
    settings: (modelId) => overrides.settings(modelId),
    lastApproved: (modelId) => lastApprovedVersion(config.config, modelId),
    signer: { keyId: 'replay', privateKey },
    encoders,
    clock: now,
  });

  const eventType = avroType('InferenceEvent');
  const alerts: Alert[] = [];
  const commands: RollbackCommand[] = [];
  const deadLettersByCode: Record<string, number> = {};
  const deadLetters: { at: string; code: ErrorCode; message: string }[] = [];
  let events = 0;
  let decoded = 0;
  let deadLettered = 0;
  let windows = 0;
  let batch: InputRecord[] = [];
  let places: string[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const outcome = await processor.process(batch);
    decoded += outcome.decoded;
    windows += outcome.windowsClosed.length;
    alerts.push(...outcome.alerts);
    commands.push(...outcome.commands);
    for (const dead of outcome.deadLettered as readonly { index: number; code: ErrorCode; message: string }[]) {
      deadLettered++;
      deadLettersByCode[dead.code] = (deadLettersByCode[dead.code] ?? 0) + 1;
      if (deadLetters.length < MAX_LISTED_DEAD_LETTERS) deadLetters.push({ at: places[dead.index] ?? '?', code: dead.code, message: dead.message });
    }
    batch = [];
    places = [];
    options.onBatch?.(events);
  };
  try {
    for await (const { event, at } of options.events) {
      batch.push(toRecord(event, events, inference, id('InferenceEvent'), eventType));
      places.push(at);
      events++;
      if (batch.length >= REPLAY_BATCH) await flush();
    }
    await flush();
  } finally {
    await pool.close();
  }
  return { events, decoded, deadLettered, deadLettersByCode, deadLetters, windows, alerts, commands, byDetector: countByDetector(alerts) };
}

function toRecord(event: InferenceEvent, offset: number, topic: string, schemaId: number, type: ReturnType<typeof avroType>): InputRecord {
  return { key: Buffer.from(event.modelId, 'utf8'), value: frame(schemaId, type.toBuffer(event)), topic, partition: 0, offset: String(offset) };
}

export function countByDetector(alerts: readonly Alert[]): Record<string, DetectorCounts> {
  const out: Record<string, DetectorCounts> = {};
  for (const alert of alerts) {
    const counts = (out[alert.detector] ??= { firing: 0, resolved: 0, critical: 0, warning: 0 });
    if (alert.status === 'RESOLVED') counts.resolved++;
    else {
      counts.firing++;
      if (alert.severity === 'CRITICAL') counts.critical++;
      if (alert.severity === 'WARNING') counts.warning++;
    }
  }
  return out;
}
