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
import { VigilError } from '../errors.js';
import type { ColumnarBatch } from '../contracts/batch.js';
import { enabledDetectors } from '../config/models.js';
import type { Alert, AuditRecord, IoLogRecord, RollbackCommand, StateRecord } from '../contracts/records.js';
import type { IoLogBuilder } from '../iolog/builder.js';
import { ioLogRecords } from './iolog/rows.js';
import type { ModelSettings } from '../config/types.js';
import { getDetector } from '../../workers/detectors/registry.js';
import type { DecodeResult, InputRecord } from './decode/index.js';
import type { LabelDecodeResult } from './labels/decode.js';
import type { LabelJoinOptions } from './labels/join.js';
import { LabelledStream, labelledBatches, type JoinedRow } from './labels/labelled.js';
import { AuditChain, alertAuditEntry, commandAuditEntry, type AuditSigner, type ChainCheckpoint } from './policy/audit.js';
import { decodePolicyState, encodePolicyState, initialPolicyState } from './policy/policy-state.js';
import { INITIAL_EVENT_ALERT_STATE, decodeEventAlertState, encodeEventAlertState } from './policy/event-alerts.js';
import type { InferencePolicy } from '../security/inference-access.js';
import type { ScoringPool } from './score/pool.js';
import type { OutputMessage } from './sink/transactional.js';
import { deadLetter } from './sink/dead-letter.js';
import { stateRecord, type StateKind } from './state.js';
import { VersionScoring, type Stream, type VersionState } from './version-scoring.js';
import { ModelWindows, decodeReference, encodeReference } from './window/index.js';
import type { ClosedWindow, ReferenceData } from './window/types.js';

export interface OutputTopics {
  /** The input topic (labelled rows cite their events' offsets in it). */
  readonly inference: string;
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
  /** Needed when `ProcessorDeps.iolog` is given. */
  iolog?(record: IoLogRecord): Buffer;
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
  /** The last approved version of a model before `version` (the rollback target). */
  readonly lastApproved: (modelId: string, version: string) => string | null;
  /** The environment hash approved for a model version (from its deployment manifest), null when unknown. */
  readonly approvedEnvironment?: (modelId: string, version: string) => string | null;
  readonly signer: AuditSigner;
  readonly encoders: Encoders;
  /** Decodes `vigil.labels` records (GroundTruth through the registry); without it labels are refused. */
  readonly labels?: { decode(records: readonly InputRecord[]): Promise<LabelDecodeResult> };
  /** Seals a state record before it is written (encryption at rest of vigil.state); absent: written as is. */
  readonly sealState?: (record: StateRecord) => Promise<StateRecord>;
  /** The I/O log: which events are logged, redacted and encrypted; absent when logging is off. */
  readonly iolog?: IoLogBuilder;
  /** Which principals may call which model and endpoint; calls outside it are ACCESS alerts. */
  readonly inferenceAccess?: InferencePolicy;
  /** Bounds of the join of events with their delayed labels. */
  readonly labelJoin?: LabelJoinOptions;
  /** Wall clock, only for the `vigil.failed.at` header of dead letters. */
  readonly clock: () => number;
}

export interface BatchOutcome {
  readonly outputs: OutputMessage[];
  readonly decoded: number;
  /** Calls the model access policy refused, per model version. */
  readonly deniedCalls: readonly { modelId: string; modelVersion: string; calls: number }[];
  /** Each dead letter: its position in the input, its code and why. */
  readonly deadLettered: readonly { index: number; code: string; message: string }[];
  readonly batches: readonly ColumnarBatch[];
  readonly alerts: readonly Alert[];
  readonly commands: readonly RollbackCommand[];
  readonly windowsClosed: readonly ClosedWindow[];
}

/** A state record to write once sealed (when encryption at rest is on) and encoded. */
class PendingState {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly record: StateRecord,
  ) {}

  async seal(seal: ((record: StateRecord) => Promise<StateRecord>) | undefined, encode: (record: StateRecord) => Buffer): Promise<OutputMessage> {
    const record = seal === undefined ? this.record : await seal(this.record);
    return { topic: this.topic, key: record.key, value: encode(record), partition: this.partition };
  }
}

/** What one batch (of events or of labels) produces, gathered in causal order. */
interface Run {
  readonly outputs: (OutputMessage | PendingState)[];
  readonly alerts: Alert[];
  readonly commands: RollbackCommand[];
  readonly windowsClosed: ClosedWindow[];
  readonly touched: Set<VersionState>;
  readonly deadLettered: { index: number; code: string; message: string }[];
}

/** The kinds of a version's state; the labelled stream's are the same, prefixed `labelled-`. */
type BaseKind = 'reference' | 'windows' | 'rollback';

export class PartitionProcessor {
  readonly #deps: ProcessorDeps;
  readonly #versions = new Map<string, VersionState>();
  readonly #chain: AuditChain;
  readonly #decode: RecordDecodeStage;
  readonly #labelled: LabelledStream;
  readonly #scoring: VersionScoring;
  readonly chainId: string;

  constructor(deps: ProcessorDeps, restored: readonly StateRecord[] = []) {
    this.#deps = deps;
    this.#scoring = new VersionScoring(deps);
    this.chainId = `engine/${deps.topics.audit}/p${deps.partition}`;
    let checkpoint: ChainCheckpoint | null = null;
    const references = new Map<string, ReferenceData>();
    const streamOf = (kind: string): [Stream, string] => (kind.startsWith('labelled-') ? ['labelled', kind.slice('labelled-'.length)] : ['events', kind]);
    for (const record of restored) {
      const [stream, kind] = streamOf(record.kind);
      if (kind !== 'reference') continue;
      const reference = decodeReference(record.body, record.modelId, record.modelVersion);
      references.set(reference.referenceId, reference);
      this.#version(record.modelId, record.modelVersion, stream).referenceStored = true;
    }
    for (const record of restored) {
      const [stream, kind] = streamOf(record.kind);
      if (kind === 'chain') checkpoint = JSON.parse(Buffer.from(record.body).toString('utf8')) as ChainCheckpoint;
      else if (kind === 'windows') {
        const fromFile = stream === 'events' ? deps.referenceFor(record.modelId) : undefined;
        this.#version(record.modelId, record.modelVersion, stream).windows.restore(record.body, (id) => references.get(id) ?? (fromFile?.referenceId === id ? fromFile : undefined));
      }
      else if (kind === 'rollback') this.#version(record.modelId, record.modelVersion, stream).policy = decodePolicyState(record.body, record.modelId, record.modelVersion);
      else if (kind === 'events') this.#version(record.modelId, record.modelVersion, 'events').eventAlerts = decodeEventAlertState(record.body);
    }
    this.#chain = new AuditChain(this.chainId, deps.signer, checkpoint);
    this.#labelled = new LabelledStream(deps.labelJoin);
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
    const decoded = await this.#decode.decodeRecords(records);
    const run = this.#newRun();
    this.#deadLetters(run, records, decoded.deadLetters);
    await this.#runBatches(run, decoded.batches.map((batch) => ({ state: this.#version(batch.modelId, batch.modelVersion, 'events'), batch })));
    // Events of models that judge their performance wait for their labels (or meet a label that came first).
    const joined = decoded.batches.filter((b) => this.#watchesLabels(b.modelId)).flatMap((b) => this.#labelled.offerEvents(b));
    await this.#runLabelled(run, joined, records[0]);
    await this.#logInputsAndOutputs(run, decoded.batches);
    return this.#finish(run, decoded.decoded, decoded.batches);
  }

  /**
   * A batch of `vigil.labels` records: bad ones are dead letters; each label that meets its waiting
   * event makes a row of the labelled stream, windowed and scored by the detectors that read labels.
   */
  async processLabels(records: readonly InputRecord[]): Promise<BatchOutcome> {
    const decoded = await this.#labelDecoder().decode(records);
    const run = this.#newRun();
    this.#deadLetters(run, records, decoded.deadLetters);
    const joined = this.#labelled.offerLabels(decoded.labels.filter((l) => this.#watchesLabels(l.label.modelId)));
    await this.#runLabelled(run, joined, records[0]);
    return this.#finish(run, decoded.labels.length, []);
  }

  /** Re-learns the labels of already committed `vigil.labels` records (a restore), making no rows. */
  async primeLabels(records: readonly InputRecord[]): Promise<number> {
    const decoded = await this.#labelDecoder().decode(records);
    this.#labelled.offerLabels(decoded.labels.filter((l) => this.#watchesLabels(l.label.modelId)));
    return decoded.labels.length;
  }

  /** Counters of the label join, for metrics. */
  labelCounts(): ReturnType<LabelledStream['counts']> {
    return this.#labelled.counts();
  }

  #labelDecoder(): NonNullable<ProcessorDeps['labels']> {
    if (this.#deps.labels === undefined) throw new VigilError('VIGIL_INTERNAL', 'this processor was built without a label decoder');
    return this.#deps.labels;
  }

  #watchesLabels(modelId: string): boolean {
    return enabledDetectors(this.#deps.settings(modelId).detectors).window.some((id) => getDetector(id).stream === 'labelled');
  }

  #newRun(): Run {
    this.#scoring.takeDenied();
    return { outputs: [], alerts: [], commands: [], windowsClosed: [], touched: new Set(), deadLettered: [] };
  }

  #deadLetters(run: Run, records: readonly InputRecord[], deadLetters: readonly { index: number; code: string; message: string }[]): void {
    const failedAt = this.#deps.clock();
    for (const dead of deadLetters) {
      const original = records[dead.index];
      if (!original) continue;
      run.outputs.push(deadLetter(this.#deps.topics.dlq, original, dead.code, dead.message, failedAt));
      run.deadLettered.push({ index: dead.index, code: dead.code, message: dead.message });
    }
  }

  /** I/O log records of the batches' selected events (always those that raised an alert of their own). */
  async #logInputsAndOutputs(run: Run, batches: readonly ColumnarBatch[]): Promise<void> {
    const { iolog } = this.#deps;
    const encode = this.#deps.encoders.iolog;
    if (iolog === undefined || encode === undefined) return;
    const alerted = new Set<string>();
    for (const alert of run.alerts) if (alert.evidence['eventId'] !== undefined) alerted.add(alert.evidence['eventId']);
    for (const batch of batches) {
      for (const record of await ioLogRecords(iolog, batch, alerted)) {
        run.outputs.push({ topic: iolog.topic, key: record.modelId, value: encode(record) });
      }
    }
  }

  /** Joined rows as labelled batches (they cite their events' offsets in the inference topic). */
  async #runLabelled(run: Run, joined: readonly JoinedRow[], sample: InputRecord | undefined): Promise<void> {
    if (joined.length === 0 || sample === undefined) return;
    const batches = labelledBatches(joined, { topic: this.#deps.topics.inference, partition: this.#deps.partition });
    await this.#runBatches(run, batches.map((batch) => ({ state: this.#version(batch.modelId, batch.modelVersion, 'labelled'), batch })));
  }

  /**
   * Windows batches of one or more versions and applies the policies to what they close, in causal
   * order: version by version as given, and within a version its event alerts and windows as they
   * came. The pool work is dispatched so that few round trips are waited for in sequence: versions
   * are independent, so their batches are windowed concurrently (a version's own batches one after
   * another), and every window the batches closed is scored in one dispatch.
   */
  async #runBatches(run: Run, work: readonly { state: VersionState; batch: ColumnarBatch }[]): Promise<void> {
    const { topics } = this.#deps;
    const chains = new Map<VersionState, Promise<unknown>>();
    const windowed = await Promise.all(
      work.map(({ state, batch }) => {
        const items = (chains.get(state) ?? Promise.resolve()).then(() => this.#scoring.windowBatch(state, batch));
        chains.set(state, items);
        return items;
      }),
    );
    const closed: { state: VersionState; window: ClosedWindow }[] = [];
    work.forEach(({ state }, i) => {
      for (const item of windowed[i]!) if (!Array.isArray(item)) closed.push({ state, window: item });
    });
    const results = await this.#scoring.scoreWindows(closed);
    let next = 0;
    work.forEach(({ state }, i) => {
      run.touched.add(state);
      for (const item of windowed[i]!) {
        if (Array.isArray(item)) {
          // Alerts of single events, in the order of their rows, before the window their rows close.
          for (const alert of item) this.#emitAlert(run, alert);
          continue;
        }
        run.windowsClosed.push(item);
        const result = results[next++]!;
        // Window by window (its alerts, then the command they caused), so the audit chain is the same
        // however Kafka batched the input.
        for (const alert of result.alerts) this.#emitAlert(run, alert);
        for (const command of result.commands) {
          run.commands.push(command);
          run.outputs.push({ topic: topics.rollback, key: command.modelId, value: this.#deps.encoders.rollback(command) });
          run.outputs.push(this.#audit(this.#chain.append(commandAuditEntry(command))));
        }
      }
    });
  }

  #emitAlert(run: Run, alert: Alert): void {
    run.alerts.push(alert);
    run.outputs.push({ topic: this.#deps.topics.alerts, key: alert.fingerprint, value: this.#deps.encoders.alert(alert) });
    run.outputs.push(this.#audit(this.#chain.append(alertAuditEntry(alert, alert.windowEnd))));
  }

  /** The state records of every version the run touched, then the outcome. */
  async #finish(run: Run, decoded: number, batches: readonly ColumnarBatch[]): Promise<BatchOutcome> {
    for (const state of run.touched) {
      const { modelId, modelVersion } = state.windows;
      const kind = (k: BaseKind): StateKind => (state.stream === 'labelled' ? `labelled-${k}` : k);
      const reference = state.windows.reference();
      if (reference && !state.referenceStored) {
        run.outputs.push(this.#state(kind('reference'), modelId, modelVersion, encodeReference(modelId, modelVersion, reference)));
        state.referenceStored = true;
      }
      run.outputs.push(this.#state(kind('windows'), modelId, modelVersion, state.windows.snapshot({ externalReference: state.referenceStored })));
      run.outputs.push(this.#state(kind('rollback'), modelId, modelVersion, encodePolicyState(state.policy)));
      if (state.eventAlerts !== INITIAL_EVENT_ALERT_STATE) run.outputs.push(this.#state('events', modelId, modelVersion, encodeEventAlertState(state.eventAlerts)));
    }
    if (run.alerts.length + run.commands.length > 0 && this.#chain.checkpoint) {
      run.outputs.push(this.#state('chain', '', '', Buffer.from(JSON.stringify(this.#chain.checkpoint))));
    }
    const outputs = await Promise.all(run.outputs.map((o) => (o instanceof PendingState ? o.seal(this.#deps.sealState, this.#deps.encoders.state) : o)));
    return { outputs, decoded, deadLettered: run.deadLettered, batches, alerts: run.alerts, commands: run.commands, windowsClosed: run.windowsClosed, deniedCalls: this.#scoring.takeDenied() };
  }

  #audit(record: AuditRecord): OutputMessage {
    return { topic: this.#deps.topics.audit, key: record.chainId, value: this.#deps.encoders.audit(record) };
  }

  #state(kind: StateKind, modelId: string, modelVersion: string, body: Uint8Array): PendingState {
    return new PendingState(this.#deps.topics.state, this.#deps.partition, stateRecord(this.#deps.partition, kind, modelId, modelVersion, body));
  }

  #version(modelId: string, modelVersion: string, stream: Stream): VersionState {
    const key = stream === 'events' ? `${modelId}\u0000${modelVersion}` : `${modelId}\u0000${modelVersion}\u0000labelled`;
    let state = this.#versions.get(key);
    if (!state) {
      const settings = this.#deps.settings(modelId);
      // A reference file holds events, not labelled rows: the labelled stream learns its own reference.
      const fromFile = stream === 'events' ? this.#deps.referenceFor(modelId) : undefined;
      state = {
        stream,
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
        eventAlerts: INITIAL_EVENT_ALERT_STATE,
        configHash: settings.configHash,
        // A file reference is configuration, not state: it is read again at start-up.
        referenceStored: fromFile !== undefined,
      };
      this.#versions.set(key, state);
    }
    return state;
  }
}
