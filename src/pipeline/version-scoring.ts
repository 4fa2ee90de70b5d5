/**
 * The scoring of one model version's stream inside a partition: windows a batch, dispatches its
 * window summaries and event scores to the pool in one task, turns flagged events (detectors', the
 * model access policy's, the environment check's) into alerts, and scores each closed window through
 * the alert and response policies. The partition processor (./processor.ts) owns the versions' state
 * and the outputs; this module only computes. Deterministic in the input, as the processor is.
 */
import type { ColumnarBatch } from '../contracts/batch.js';
import { enabledDetectors } from '../config/models.js';
import type { Alert, AlertKind, RollbackCommand } from '../contracts/records.js';
import type { ModelSettings } from '../config/types.js';
import { getDetector, getEventDetector } from '../../workers/detectors/registry.js';
import type { ReferenceProfile } from '../../workers/detectors/reference.js';
import type { DetectorScore, FlaggedEvent, Summary } from '../../workers/detectors/types.js';
import type { WindowContext } from './policy/alerts.js';
import { stepAlertPolicy } from './policy/alert-policy.js';
import type { PolicyState } from './policy/policy-state.js';
import { stepResponse } from './policy/response.js';
import { stepEventAlerts, type EventAlertState } from './policy/event-alerts.js';
import { eventThresholdsFor, testScores, thresholdsFor, type Thresholds } from './policy/thresholds.js';
import { ACCESS_DETECTOR, type InferencePolicy } from '../security/inference-access.js';
import type { ScoringPool } from './score/pool.js';
import { ENVIRONMENT_DETECTOR, EVENT_ALERTS_PER_WINDOW, copyColumns, deniedCalls, detectorParams, environmentMismatches, flagThreshold, flaggedBySlice, groupByDetector, type FlaggedRow } from './batch-parts.js';
import type { ModelWindows } from './window/index.js';
import type { ClosedWindow, ReferenceData } from './window/types.js';

/** A model version's inference events as they arrive, or those joined with their labels. */
export type Stream = 'events' | 'labelled';

export interface VersionState {
  readonly stream: Stream;
  readonly windows: ModelWindows;
  profile: ReferenceProfile | null;
  /** Alert and response policy state; in the changelog under the `rollback` kind. */
  policy: PolicyState;
  /** Alerts of single events raised in the current window (a budget per detector). */
  eventAlerts: EventAlertState;
  configHash: string;
  /** The ready reference is in the changelog under its own key (written once, not with every snapshot). */
  referenceStored: boolean;
}

export interface ScoringDeps {
  readonly pool: ScoringPool;
  readonly settings: (modelId: string) => ModelSettings;
  /** The last approved version of a model before `version` (the rollback target). */
  readonly lastApproved: (modelId: string, version: string) => string | null;
  /** The environment hash approved for a model version (from its deployment manifest), null when unknown. */
  readonly approvedEnvironment?: (modelId: string, version: string) => string | null;
  /** Which principals may call which model and endpoint; calls outside it are ACCESS alerts. */
  readonly inferenceAccess?: InferencePolicy;
}

/** Calls refused by the model access policy, per model version. */
export interface DeniedCalls {
  readonly modelId: string;
  readonly modelVersion: string;
  calls: number;
}

/** A closed window ready to score: its settings and reference are fixed before the dispatch and reused after it. */
interface PreparedWindow {
  readonly settings: ModelSettings;
  readonly profile: ReferenceProfile;
  readonly summaries: Record<string, Summary>;
  readonly detectors: readonly string[];
}

export class VersionScoring {
  readonly #deps: ScoringDeps;
  /** Calls refused by the model access policy since the last `takeDenied` (a metric). */
  readonly #denied = new Map<string, DeniedCalls>();

  constructor(deps: ScoringDeps) {
    this.#deps = deps;
  }

  /** The refused calls counted since the last call, per model version; starts counting afresh. */
  takeDenied(): DeniedCalls[] {
    const out = [...this.#denied.values()];
    this.#denied.clear();
    return out;
  }

  /**
   * Feeds a batch to the version's windows. Returns, in causal order, the windows it closed and the
   * alerts of its single events (each list before the window its rows close).
   */
  async windowBatch(state: VersionState, batch: ColumnarBatch): Promise<(ClosedWindow | Alert[])[]> {
    const settings = this.#deps.settings(batch.modelId);
    if (settings.configHash !== state.configHash) {
      state.windows.setWindowSettings(settings.windows);
      state.configHash = settings.configHash;
      // Detectors or their parameters may have changed: the profile (and each detector's reference data) is rebuilt.
      state.profile = null;
    }
    const assignment = state.windows.assign(batch);
    const out: (ClosedWindow | Alert[])[] = [...assignment.closed];
    // Calls outside the model access policy, every row (the reference's too), by row.
    const denied = state.stream === 'events' ? [...this.#deniedCalls(batch), ...this.#environmentMismatches(batch)].sort((a, b) => a.flag.row - b.flag.row) : [];
    const firstSliceRow = assignment.slices[0]?.rows[0] ?? batch.count;
    const early = denied.filter((d) => d.flag.row < firstSliceRow);
    if (early.length > 0) {
      const alerts = this.#eventAlerts(state, batch, settings, early, state.eventAlerts.windowIndex < 0 ? 0 : state.eventAlerts.windowIndex, {}, null);
      if (alerts.length > 0) out.push(alerts);
    }
    if (assignment.slices.length === 0) return out;
    const profile = await this.#profile(state, settings);
    // One dispatch for the whole batch, however many windows it spans. The columns are copied: they
    // are transferred to the worker, and the batch is still read after scoring (usage metrics).
    const enabled = enabledDetectors(settings.detectors);
    const detectors = enabled.window.filter((id) => (getDetector(id).stream ?? 'events') === state.stream);
    const eventDetectors = state.stream === 'events' ? enabled.event : [];
    const ranges = assignment.slices.map((slice) => slice.rows);
    const params = detectorParams(settings);
    const { summaries, findings } =
      detectors.length + eventDetectors.length > 0
        ? await this.#deps.pool.scoreBatch({ columns: copyColumns(batch), ranges, reference: profile, windowDetectors: detectors, eventDetectors, params })
        : { summaries: ranges.map((): Record<string, Summary> => ({})), findings: [] };
    const flagged = flaggedBySlice([...findings, ...groupByDetector(denied)], assignment.slices);
    const specs = Object.fromEntries(eventDetectors.map((id) => [id, { kind: getEventDetector(id).kind, thresholds: eventThresholdsFor(settings.detectors, id, flagThreshold(id, params[id])) }]));
    for (let i = 0; i < assignment.slices.length; i++) {
      const slice = assignment.slices[i]!;
      if (flagged[i]!.length > 0) {
        const alerts = this.#eventAlerts(state, batch, settings, flagged[i]!, slice.windowIndex, specs, profile.id);
        if (alerts.length > 0) out.push(alerts);
      }
      const encoded: Record<string, Uint8Array> = {};
      for (const [detector, summary] of Object.entries(summaries[i]!)) encoded[detector] = getDetector(detector).encode(summary);
      out.push(...state.windows.addSummary(slice, encoded));
    }
    return out;
  }

  /** Calls outside the model access policy, as flagged rows (counted per model version for the metric). */
  #deniedCalls(batch: ColumnarBatch): FlaggedRow[] {
    const out = deniedCalls(batch, this.#deps.inferenceAccess);
    if (out.length > 0) {
      const key = `${batch.modelId}\u0000${batch.modelVersion}`;
      const entry = this.#denied.get(key) ?? { modelId: batch.modelId, modelVersion: batch.modelVersion, calls: 0 };
      entry.calls += out.length;
      this.#denied.set(key, entry);
    }
    return out;
  }

  #environmentMismatches(batch: ColumnarBatch): FlaggedRow[] {
    return environmentMismatches(batch, this.#deps.approvedEnvironment?.(batch.modelId, batch.modelVersion) ?? null);
  }

  /** Alerts of flagged events of one window of a version (detectors' and the access policy's). */
  #eventAlerts(
    state: VersionState,
    batch: ColumnarBatch,
    settings: ModelSettings,
    flagged: readonly { detector: string; flag: FlaggedEvent }[],
    windowIndex: number,
    specs: Record<string, { kind: AlertKind; thresholds: Thresholds | null }>,
    referenceId: string | null,
  ): Alert[] {
    const step = stepEventAlerts(state.eventAlerts, {
      modelId: batch.modelId,
      modelVersion: batch.modelVersion,
      // A call outside the access policy is always CRITICAL.
      detectors: {
        ...specs,
        [ACCESS_DETECTOR]: { kind: 'ACCESS', thresholds: { warning: 1, critical: 1 } },
        [ENVIRONMENT_DETECTOR]: { kind: 'GOVERNANCE', thresholds: { warning: 1, critical: 1 } },
      },
      events: flagged.map(({ detector, flag }) => ({
        detector, flag, windowIndex, eventId: batch.eventIds[flag.row]!, timestamp: batch.timestamps[flag.row]!,
        topic: batch.source.topic, partition: batch.source.partition, offset: batch.offsets[flag.row]!,
      })),
      perWindow: EVENT_ALERTS_PER_WINDOW,
      silences: settings.alerting.silences,
      configHash: settings.configHash,
      referenceId: referenceId ?? '',
    });
    state.eventAlerts = step.state;
    return step.alerts;
  }

  async #profile(state: VersionState, settings: ModelSettings): Promise<ReferenceProfile> {
    if (state.profile) return state.profile;
    const reference: ReferenceData | null = state.windows.reference();
    if (!reference) throw new Error(`${state.windows.modelId}@${state.windows.modelVersion} has windows but no reference`);
    const { window, event } = enabledDetectors(settings.detectors);
    state.profile = await this.#deps.pool.buildReference({
      columns: copyColumns(reference),
      featureNames: [...reference.featureNames],
      binCount: settings.detectors.psi.bins,
      id: reference.referenceId,
      detectors: [...window, ...event],
      params: detectorParams(settings),
    });
    return state.profile;
  }

  /**
   * Scores closed windows (of one version or several) in one pool dispatch, then runs each through
   * the alert and response policies of its version, in the order given. Scores depend only on a
   * window's summaries and its version's reference, never on policy state, so computing them all
   * first gives what scoring window by window would.
   */
  async scoreWindows(windows: readonly { state: VersionState; window: ClosedWindow }[]): Promise<{ alerts: Alert[]; commands: RollbackCommand[] }[]> {
    const prepared: PreparedWindow[] = [];
    for (const { state, window } of windows) prepared.push(await this.#prepareWindow(state, window));
    const requests = prepared.filter((p) => p.detectors.length > 0).map((p) => ({ summaries: p.summaries, reference: p.profile, detectors: p.detectors, params: detectorParams(p.settings) }));
    const scored = await this.#deps.pool.scoreWindows(requests);
    let next = 0;
    return windows.map(({ state, window }, i) => {
      const p = prepared[i]!;
      return this.#judgeWindow(state, window, p, p.detectors.length > 0 ? scored[next++]! : []);
    });
  }

  /** A window's merged summaries decoded, with the settings and reference it is scored against. */
  async #prepareWindow(state: VersionState, window: ClosedWindow): Promise<PreparedWindow> {
    const settings = this.#deps.settings(window.modelId);
    const profile = await this.#profile(state, settings);
    const summaries: Record<string, Summary> = {};
    for (const [detector, bytes] of Object.entries(window.summaries)) summaries[detector] = getDetector(detector).decode(bytes);
    // Detectors enabled for the whole window: one switched on by a live override mid-window waits for the next.
    const detectors = enabledDetectors(settings.detectors).window.filter((id) => summaries[id] !== undefined);
    return { settings, profile, summaries, detectors };
  }

  /** The alert and response policies over one window's scores; advances the version's policy state. */
  #judgeWindow(state: VersionState, window: ClosedWindow, { settings, profile }: PreparedWindow, scores: readonly DetectorScore[]): { alerts: Alert[]; commands: RollbackCommand[] } {
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
    const judged = testScores(settings.detectors, scores);
    const alerting = stepAlertPolicy(state.policy.alerting, {
      window: context,
      scores: judged.scores,
      thresholdsOf: (detector) => (settings.detectors[detector]?.enabled ? judged.thresholds.get(detector) : undefined) ?? thresholdsFor(settings.detectors, detector),
      kindOf: (detector) => getDetector(detector).kind,
      settings: settings.alerting,
    });
    const response = stepResponse(state.policy.response, {
      window: context,
      firing: alerting.firing,
      settings: settings.response,
      lastApproved: this.#deps.lastApproved(window.modelId, window.modelVersion),
    });
    state.policy = { alerting: alerting.state, response: response.state };
    return { alerts: [...alerting.notifications, ...response.alerts], commands: [...response.commands] };
  }
}
