/**
 * Every detector, by id. Adding a detector is adding it to DETECTORS (window detectors) or
 * EVENT_DETECTORS (per-event detectors): the scoring tasks, the configuration and the contract test
 * suites all read these lists. Ids are unique across both.
 */
import { dataQualityDetector } from './anomaly/data-quality.js';
import { isolationForestDetector } from './anomaly/isolation-forest.js';
import { mahalanobisDetector } from './anomaly/mahalanobis.js';
import { operationalDetector } from './anomaly/operational.js';
import { robustZDetector } from './anomaly/robust-z.js';
import { chiSquareDetector } from './drift/chi-square.js';
import { cvmDetector } from './drift/cvm.js';
import { embeddingDriftDetector } from './drift/embedding.js';
import { hellingerDetector } from './drift/hellinger.js';
import { jensenShannonDetector } from './drift/jensen-shannon.js';
import { ksDetector } from './drift/ks.js';
import { mmdDetector } from './drift/mmd.js';
import { pcaDriftDetector } from './drift/pca-drift.js';
import { performanceDetector } from './drift/performance.js';
import { psiDetector } from './drift/psi.js';
import { wassersteinDetector } from './drift/wasserstein.js';
import { zTestDetector } from './drift/z-test.js';
import { answerQualityDetector } from './hallucination/answer-quality.js';
import { hallucinationRateDetector } from './hallucination/hallucination-rate.js';
import { hallucinationDetector } from './hallucination/risk.js';
import { streamErrorsDetector, streamLatencyDetector, streamScoreDetector } from './sequential/stream-drift.js';
import type { AnyEventDetector, AnyWindowDetector } from './types.js';

const DETECTORS: readonly AnyWindowDetector[] = [
  // Per-feature two-sample drift.
  psiDetector,
  ksDetector,
  cvmDetector,
  wassersteinDetector,
  jensenShannonDetector,
  hellingerDetector,
  chiSquareDetector,
  zTestDetector,
  // Sequential drift of scores, latencies and errors.
  streamScoreDetector,
  streamLatencyDetector,
  streamErrorsDetector,
  // Multivariate and embedding drift.
  mmdDetector,
  pcaDriftDetector,
  embeddingDriftDetector,
  // Performance from delayed labels.
  performanceDetector,
  // Hallucination rate of LLM answers against the reference's.
  hallucinationRateDetector,
];

const EVENT_DETECTORS: readonly AnyEventDetector[] = [
  robustZDetector,
  mahalanobisDetector,
  isolationForestDetector,
  dataQualityDetector,
  operationalDetector,
  hallucinationDetector,
  answerQualityDetector,
];

export const detectorRegistry: ReadonlyMap<string, AnyWindowDetector> = new Map(DETECTORS.map((d) => [d.id, d]));

export const eventDetectorRegistry: ReadonlyMap<string, AnyEventDetector> = new Map(EVENT_DETECTORS.map((d) => [d.id, d]));

if (detectorRegistry.size !== DETECTORS.length || eventDetectorRegistry.size !== EVENT_DETECTORS.length) throw new Error('detector ids must be unique');
for (const id of eventDetectorRegistry.keys()) if (detectorRegistry.has(id)) throw new Error(`detector id "${id}" is both a window and an event detector`);

/** The registered window detector ids, in registration order. */
export function detectorIds(): string[] {
  return [...detectorRegistry.keys()];
}

/** The registered event detector ids, in registration order. */
export function eventDetectorIds(): string[] {
  return [...eventDetectorRegistry.keys()];
}

/** The window detector with this id; a RangeError listing the known ids otherwise. */
export function getDetector(id: string): AnyWindowDetector {
  const detector = detectorRegistry.get(id);
  if (detector === undefined) throw new RangeError(`unknown detector "${id}"; registered: ${detectorIds().join(', ')}`);
  return detector;
}

/** The event detector with this id; a RangeError listing the known ids otherwise. */
export function getEventDetector(id: string): AnyEventDetector {
  const detector = eventDetectorRegistry.get(id);
  if (detector === undefined) throw new RangeError(`unknown event detector "${id}"; registered: ${eventDetectorIds().join(', ') || 'none'}`);
  return detector;
}
