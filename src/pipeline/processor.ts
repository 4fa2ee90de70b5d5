/**
 * The work of one input partition, in flow order: decode, window, score in the pool, apply the
 * policy, and gather every output of the batch (dead letters, alerts, audit records, rollback
 * commands, state changelog records) for the sink to commit in one transaction with the offsets.
 *
 * A processor holds the partition's state in memory; the state it would write is derived from that
 * memory after every batch, so what is committed is always consistent with the committed offset.
 * If a transaction fails, the engine throws the processor away and restores a new one from the
 * changelog. Everything here is deterministic in the input: times come from event time, ids from
 * content, so a replay after a crash writes the same records with the same ids.
 */
import type { IHeaders } from 'kafkajs';
import type { ColumnarBatch } from '../contracts/batch.js';
import type { Alert, AuditRecord, RollbackCommand, StateRecord } from '../contracts/records.js';
import type { ModelSettings } from '../config/types.js';
import { getDetector } from '../../workers/detectors/registry.js';
import type { ReferenceProfile } from '../../workers/detectors/reference.js';
import type { DetectorScore } from '../../workers/detectors/types.js';
import type { DecodeResult, InputRecord } from './decode/index.js';
import { AuditChain, alertAuditEntry, commandAuditEntry, type AuditSigner, type ChainCheckpoint } from './policy/audit.js';
import type { WindowContext } from './policy/alerts.js';
import { stepAlertPolicy } from './policy/alert-policy.js';
import { decodePolicyState, encodePolicyState, initialPolicyState, type PolicyState } from './policy/policy-state.js';
import { stepResponse } from './policy/response.js';
import { thresholdsFor } from './policy/thresholds.js';
import type { ScoringPool } from './score/pool.js';
import type { OutputMessage } from './sink/transactional.js';
import { stateRecord, type StateKind } from './state.js';
import { ModelWindows, decodeReference, encodeReference } from './window/index.js';
import type { ClosedWindow, ReferenceData } from './window/types.js';

export interface OutputTopics {
  readonly alerts: string;
  readonly audit: string;
  readonly rollback: string;
  readonly state: string;
  readonly dlq: string;
}

export interface Encoders {
  alert(record: Alert): Buffer;
  audit(record: AuditRecord): Buffer;
  rollback(record: RollbackCommand): Buffer;
  state(record: StateRecord): Buffer;
}

/** What the processor needs of a decode stage (in-thread or pooled). */
export interface RecordDecodeStage {
  decodeRecords(records: readonly InputRecord[]): Promise<DecodeResult>;
  prime(records: readonly InputRecord[]): Promise<number>;
}

export interface ProcessorDeps {
  readonly partition: number;
  readonly topics: OutputTopics;
  readonly pool: ScoringPool;
  /** Builds the partition's decode stage; `initialNames` fixes the feature columns a version starts with. */
  readonly createDecode: (initialNames: (modelId: string, modelVersion: string) => readonly string[] | undefined) => RecordDecodeStage;
  /** A model's reference from its configured reference file, if it has one. */
  readonly referenceFor: (modelId: string) => ReferenceData | undefined;
  readonly settings: (modelId: string) => ModelSettings;
  readonly lastApproved: (modelId: string) => string | null;
  readonly signer: AuditSigner;
  readonly encoders: Encoders;
  /** Wall clock, only for the `vigil.failed.at` header of dead letters. */
  readonly clock: () => number;
}

export interface BatchOutcome {
  readonly outputs: OutputMessage[];
  readonly decoded: number;
  readonly deadLettered: readonly { code: string }[];
  readonly batches: readonly ColumnarBatch[];
  readonly alerts: readonly Alert[];
  readonly commands: readonly RollbackCommand[];
  readonly windowsClosed: readonly ClosedWindow[];
}

interface VersionState {
  readonly windows: ModelWindows;
  profile: ReferenceProfile | null;
  /** Alert and response policy state; in the changelog under the `rollback` kind. */
  policy: PolicyState;
  configHash: string;
  /** The ready reference is in the changelog under its own key (written once, not with every snapshot). */
  referenceStored: boolean;
}

const DETECTORS = ['psi'] as const;

export class PartitionProcessor {
  readonly #deps: ProcessorDeps;
  readonly #versions = new Map<string, VersionState>();
  readonly #chain: AuditChain;
  readonly #decode: RecordDecodeStage;
  readonly chainId: string;

  constructor(deps: ProcessorDeps, restored: readonly StateRecord[] = []) {
    this.#deps = deps;
    this.chainId = `engine/${deps.topics.audit}/p${deps.partition}`;
    let checkpoint: ChainCheckpoint | null = null;
    const references = new Map<string, ReferenceData>();
    for (const record of restored) {
      if (record.kind !== 'reference') continue;
      const reference = decodeReference(record.body, record.modelId, record.modelVersion);
      references.set(reference.referenceId, reference);
      this.#version(record.modelId, record.modelVersion).referenceStored = true;
    }
    for (const record of restored) {
      if (record.kind === 'chain') checkpoint = JSON.parse(Buffer.from(record.body).toString('utf8')) as ChainCheckpoint;
      else if (record.kind === 'windows') {
        const fromFile = deps.referenceFor(record.modelId);
        this.#version(record.modelId, record.modelVersion).windows.restore(record.body, (id) => references.get(id) ?? (fromFile?.referenceId === id ? fromFile : undefined));
      }
      else if (record.kind === 'rollback') this.#version(record.modelId, record.modelVersion).policy = decodePolicyState(record.body, record.modelId, record.modelVersion);
    }
    this.#chain = new AuditChain(this.chainId, deps.signer, checkpoint);
    // Restored windows (or a reference file) fix a version's feature columns; new events must map
    // onto the same columns whatever order their features arrive in.
    this.#decode = deps.createDecode((modelId, modelVersion) => {
      const known = this.#versions.get(`${modelId}\u0000${modelVersion}`)?.windows.featureNames;
      return known !== undefined && known.length > 0 ? known : deps.referenceFor(modelId)?.featureNames;
    });
  }

  /** Model versions this processor holds state for. */
  get versions(): number {
    return this.#versions.size;
  }

  /** Re-learns the eventIds of already committed input (see DecodeStage.prime). */
  prime(records: readonly InputRecord[]): Promise<number> {
    return this.#decode.prime(records);
  }

  async process(records: readonly InputRecord[]): Promise<BatchOutcome> {
    const { topics } = this.#deps;
    const decoded = await this.#decode.decodeRecords(records);
    const outputs: OutputMessage[] = [];
    const failedAt = String(this.#deps.clock());
    for (const dead of decoded.deadLetters) {
      const original = records[dead.index];
      if (!original) continue;
      const headers: IHeaders = {
        'vigil.error.code': dead.code,
        'vigil.error.message': dead.message.slice(0, 1000),
        'vigil.source.topic': original.topic,
        'vigil.source.partition': String(original.partition),
        'vigil.source.offset': original.offset,
        'vigil.failed.at': failedAt,
      };
      outputs.push({ topic: topics.dlq, key: original.key, value: original.value, headers });
    }

    const alerts: Alert[] = [];
    const commands: RollbackCommand[] = [];
    const windowsClosed: ClosedWindow[] = [];
    const touched = new Set<VersionState>();
    for (const batch of decoded.batches) {
      const state = this.#version(batch.modelId, batch.modelVersion);
      touched.add(state);
      for (const window of await this.#windowBatch(state, batch)) {
        windowsClosed.push(window);
        const result = await this.#scoreWindow(state, window);
        // In causal order, window by window (its alerts, then the command they caused), so the audit
        // chain is the same however Kafka batched the input.
        for (const alert of result.alerts) {
          alerts.push(alert);
          outputs.push({ topic: topics.alerts, key: alert.fingerprint, value: this.#deps.encoders.alert(alert) });
          outputs.push(this.#audit(this.#chain.append(alertAuditEntry(alert, alert.windowEnd))));
        }
        for (const command of result.commands) {
          commands.push(command);
          outputs.push({ topic: topics.rollback, key: command.modelId, value: this.#deps.encoders.rollback(command) });
          outputs.push(this.#audit(this.#chain.append(commandAuditEntry(command))));
        }
      }
    }
    for (const state of touched) {
      const { modelId, modelVersion } = state.windows;
      const reference = state.windows.reference();
      if (reference && !state.referenceStored) {
        outputs.push(this.#state('reference', modelId, modelVersion, encodeReference(modelId, modelVersion, reference)));
        state.referenceStored = true;
      }
      outputs.push(this.#state('windows', modelId, modelVersion, state.windows.snapshot({ externalReference: state.referenceStored })));
      outputs.push(this.#state('rollback', modelId, modelVersion, encodePolicyState(state.policy)));
    }
    if (alerts.length + commands.length > 0 && this.#chain.checkpoint) {
      outputs.push(this.#state('chain', '', '', Buffer.from(JSON.stringify(this.#chain.checkpoint))));
    }
    return { outputs, decoded: decoded.decoded, deadLettered: decoded.deadLetters, batches: decoded.batches, alerts, commands, windowsClosed };
  }

  #audit(record: AuditRecord): OutputMessage {
    return { topic: this.#deps.topics.audit, key: record.chainId, value: this.#deps.encoders.audit(record) };
  }

  #state(kind: StateKind, modelId: string, modelVersion: string, body: Uint8Array): OutputMessage {
    const record = stateRecord(this.#deps.partition, kind, modelId, modelVersion, body);
    return { topic: this.#deps.topics.state, key: record.key, value: this.#deps.encoders.state(record), partition: this.#deps.partition };
  }

  #version(modelId: string, modelVersion: string): VersionState {
    const key = `${modelId}\u0000${modelVersion}`;
    let state = this.#versions.get(key);
    if (!state) {
      const settings = this.#deps.settings(modelId);
      const fromFile = this.#deps.referenceFor(modelId);
      state = {
        windows: new ModelWindows({
          modelId,
          modelVersion,
          windows: settings.windows,
          referenceEvents: settings.reference.events,
          ...(fromFile ? { reference: fromFile } : {}),
          merge: (detector, earlier, later) => {
            const d = getDetector(detector);
            return d.encode(d.merge(d.decode(earlier), d.decode(later)));
          },
        }),
        profile: null,
        policy: initialPolicyState(modelId, modelVersion),
        configHash: settings.configHash,
        // A file reference is configuration, not state: it is read again at start-up.
        referenceStored: fromFile !== undefined,
      };
      this.#versions.set(key, state);
    }
    return state;
  }

  /** Feeds a batch to the version's windows; returns the windows it closed, in order. */
  async #windowBatch(state: VersionState, batch: ColumnarBatch): Promise<ClosedWindow[]> {
    const settings = this.#deps.settings(batch.modelId);
    if (settings.configHash !== state.configHash) {
      state.windows.setWindowSettings(settings.windows);
      state.configHash = settings.configHash;
    }
    const assignment = state.windows.assign(batch);
    const closed: ClosedWindow[] = [...assignment.closed];
    if (assignment.slices.length === 0) return closed;
    const profile = await this.#profile(state, settings);
    // One dispatch for the whole batch, however many windows it spans. The columns are copied: they
    // are transferred to the worker, and the batch is still read after scoring (usage metrics).
    const summaries = await this.#deps.pool.summarizeRanges({
      columns: {
        count: batch.count,
        featureCount: batch.featureCount,
        features: batch.features.slice(),
        scores: batch.scores.slice(),
        latencies: batch.latencies.slice(),
        statuses: batch.statuses.slice(),
        timestamps: batch.timestamps.slice(),
      },
      ranges: assignment.slices.map((slice) => slice.rows),
      reference: profile,
      detectors: [...DETECTORS],
    });
    for (let i = 0; i < assignment.slices.length; i++) {
      const slice = assignment.slices[i]!;
      const encoded: Record<string, Uint8Array> = {};
      for (const [detector, summary] of Object.entries(summaries[i]!)) encoded[detector] = getDetector(detector).encode(summary);
      closed.push(...state.windows.addSummary(slice, encoded));
    }
    return closed;
  }

  async #profile(state: VersionState, settings: ModelSettings): Promise<ReferenceProfile> {
    if (state.profile) return state.profile;
    const reference: ReferenceData | null = state.windows.reference();
    if (!reference) throw new Error(`${state.windows.modelId}@${state.windows.modelVersion} has windows but no reference`);
    state.profile = await this.#deps.pool.buildReference({
      columns: {
        count: reference.count,
        featureCount: reference.featureCount,
        features: reference.features.slice(),
        scores: reference.scores.slice(),
        latencies: reference.latencies.slice(),
        statuses: reference.statuses.slice(),
        timestamps: reference.timestamps.slice(),
      },
      featureNames: [...reference.featureNames],
      binCount: settings.detectors.psi.bins,
      id: reference.referenceId,
    });
    return state.profile;
  }

  async #scoreWindow(state: VersionState, window: ClosedWindow): Promise<{ alerts: Alert[]; commands: RollbackCommand[] }> {
    const settings = this.#deps.settings(window.modelId);
    const profile = await this.#profile(state, settings);
    const summaries: Record<string, ReturnType<ReturnType<typeof getDetector>['decode']>> = {};
    for (const [detector, bytes] of Object.entries(window.summaries)) summaries[detector] = getDetector(detector).decode(bytes);
    const scores: DetectorScore[] = settings.detectors.psi.enabled
      ? await this.#deps.pool.scoreWindow({ summaries, reference: profile, detectors: [...DETECTORS] })
      : [];
    const context: WindowContext = {
      modelId: window.modelId,
      modelVersion: window.modelVersion,
      windowStart: window.windowStart,
      windowEnd: window.windowEnd,
      source: window.source,
      configHash: settings.configHash,
      referenceId: profile.id,
    };
    // Both policies run on event time (the window's end), not wall time: a replay gives the same records.
    const alerting = stepAlertPolicy(state.policy.alerting, {
      window: context,
      scores,
      thresholdsOf: (detector) => thresholdsFor(settings.detectors, detector),
      kindOf: (detector) => getDetector(detector).kind,
      settings: settings.alerting,
    });
    const response = stepResponse(state.policy.response, {
      window: context,
      firing: alerting.firing,
      settings: settings.response,
      lastApproved: this.#deps.lastApproved(window.modelId),
    });
    state.policy = { alerting: alerting.state, response: response.state };
    return { alerts: [...alerting.notifications, ...response.alerts], commands: [...response.commands] };
  }
}
