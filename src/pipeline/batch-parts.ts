/**
 * The parts of a partition's work that are plain functions of a batch: copying its columns for the
 * pool, each detector's parameters, and the rows flagged outside the detectors (calls outside the
 * model access policy, a serving environment other than the approved one), laid out per window slice
 * beside the event detectors' findings.
 */
import type { ColumnarBatch, NumericColumns } from '../contracts/batch.js';
import type { ModelSettings } from '../config/types.js';
import { ACCESS_DETECTOR, checkInferenceAccess, type InferencePolicy } from '../security/inference-access.js';
import { sliceOptional } from '../../workers/detectors/optional.js';
import { detectorRegistry, getEventDetector } from '../../workers/detectors/registry.js';
import type { FlaggedEvent } from '../../workers/detectors/types.js';
import type { DetectorParamsById, EventFindings } from '../../workers/scoring.js';
import type { WindowSlice } from './window/types.js';

/** A flagged row and the detector (or check) that flagged it. */
export interface FlaggedRow {
  readonly detector: string;
  readonly flag: FlaggedEvent;
}

/** The detector id of GOVERNANCE alerts for an environment that differs from the approved manifest. */
export const ENVIRONMENT_DETECTOR = 'environment';

/** Flagged rows as findings per detector, each detector's rows in row order. */
export function groupByDetector(rows: readonly FlaggedRow[]): EventFindings[] {
  const by = new Map<string, FlaggedEvent[]>();
  for (const { detector, flag } of rows) {
    const list = by.get(detector);
    if (list === undefined) by.set(detector, [flag]);
    else list.push(flag);
  }
  return [...by].map(([detector, flagged]) => ({ detector, scored: 0, flagged }));
}

/** Most alerts of single events per detector and window of a model version (the rest are counted). */
export const EVENT_ALERTS_PER_WINDOW = 20;

/** The flagged rows of each slice, detectors in their order, rows in row order within each. */
export function flaggedBySlice(findings: readonly EventFindings[], slices: readonly WindowSlice[]): FlaggedRow[][] {
  return slices.map(({ rows: [start, end] }) => {
    const rows: FlaggedRow[] = [];
    for (const finding of findings) for (const flag of finding.flagged) if (flag.row >= start && flag.row < end) rows.push({ detector: finding.detector, flag });
    return rows.sort((a, b) => a.flag.row - b.flag.row);
  });
}

/** The score from which an event detector flags an event: its `threshold` parameter, else 0. */
export function flagThreshold(id: string, raw: Readonly<Record<string, unknown>> | undefined): number {
  const threshold = getEventDetector(id).parseParams(raw)['threshold'];
  return typeof threshold === 'number' ? threshold : 0;
}

/**
 * Every column of a batch as fresh arrays: they are transferred to the pool, and the batch is read
 * again after. Features in shared memory (as the pool decodes them) are shared, not copied: posting
 * them transfers nothing, and nothing writes a batch's features.
 */
export function copyColumns(columns: NumericColumns): NumericColumns {
  return {
    count: columns.count,
    featureCount: columns.featureCount,
    features: columns.features.buffer instanceof SharedArrayBuffer ? columns.features : columns.features.slice(),
    scores: columns.scores.slice(),
    latencies: columns.latencies.slice(),
    statuses: columns.statuses.slice(),
    timestamps: columns.timestamps.slice(),
    ...sliceOptional(columns, columns.count, 0, columns.count),
  };
}

/**
 * Each enabled detector's raw parameters (psi also takes its bin count from `bins`). A window detector
 * with `paramsFrom` gets that detector's configured parameters under its own.
 */
export function detectorParams(settings: ModelSettings): DetectorParamsById {
  const out: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [id, s] of Object.entries(settings.detectors)) {
    if (!s.enabled) continue;
    const from = detectorRegistry.get(id)?.paramsFrom;
    const inherited = from !== undefined && Object.hasOwn(settings.detectors, from) ? settings.detectors[from]!.params : undefined;
    if (inherited !== undefined) out[id] = { ...inherited, ...s.params };
    else if (s.params !== undefined) out[id] = s.params;
  }
  return out;
}


/** The rows of a batch whose caller the model access policy does not allow. */
export function deniedCalls(batch: ColumnarBatch, policy: InferencePolicy | undefined): FlaggedRow[] {
  if (policy === undefined || !policy.enabled || batch.principals === undefined) return [];
  const out: FlaggedRow[] = [];
  for (let row = 0; row < batch.count; row++) {
    const principal = batch.principals[row]!;
    const endpoint = batch.endpoints?.[row] ?? null;
    const decision = checkInferenceAccess(policy, principal, batch.modelId, endpoint);
    if (!decision.allowed) out.push({ detector: ACCESS_DETECTOR, flag: { row, score: 1, evidence: { principal: principal.slice(0, 256), endpoint: endpoint ?? '', reason: decision.reason.slice(0, 512) } } });
  }
  return out;
}

/**
 * Rows whose serving process reports an environment (attribute `vigil.env.hash`) other than the one
 * approved for the version in the governance registry (`approved`; null: nothing to compare with).
 */
export function environmentMismatches(batch: ColumnarBatch, approved: string | null): FlaggedRow[] {
  if (approved === null || batch.envHashes === undefined) return [];
  const out: FlaggedRow[] = [];
  for (let row = 0; row < batch.count; row++) {
    const reported = batch.envHashes[row] ?? null;
    if (reported === null || reported === approved) continue;
    out.push({ detector: ENVIRONMENT_DETECTOR, flag: { row, score: 1, evidence: { reported: reported.slice(0, 128), approved, reason: 'the serving environment differs from the approved deployment manifest' } } });
  }
  return out;
}
