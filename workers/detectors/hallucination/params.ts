/**
 * Parameters of the hallucination risk and the bounds on the work done per event. Every text is cut
 * to a fixed number of characters before it is read (a 10 MB response costs what `maxResponseChars`
 * costs), and lists are cut to a fixed length, so the time per event is bounded whatever the input.
 */
import type { NumberSpec, ParamSpec } from '../anomaly/params.js';
import { parseNumberParams } from '../anomaly/params.js';

export type HallucinationParams = {
  readonly threshold: number;
  readonly weightUncertainty: number;
  readonly weightGroundedness: number;
  readonly weightEmbedding: number;
  readonly weightConsistency: number;
  /** A token is low-confidence below this natural-log probability. */
  readonly lowLogprob: number;
  /** A sentence needs this share of its content weight supported by the contexts. */
  readonly minSupport: number;
  /** Cosine at or above which response and contexts fully agree; at or below `cosineLow`, not at all. */
  readonly cosineHigh: number;
  readonly cosineLow: number;
  readonly maxResponseChars: number;
  readonly maxContextChars: number;
  readonly maxContexts: number;
  readonly maxSamples: number;
  readonly maxTokens: number;
  readonly maxEmbeddingDim: number;
};

const weight: NumberSpec = { default: 1, min: 0, max: 100 };
const chars = (d: number): NumberSpec => ({ default: d, min: 1, max: 1_000_000, integer: true });

export const HALLUCINATION_SPEC: ParamSpec = {
  // Chosen on the evaluation set (bench/results/hallucination-auroc.json lists recall and false positives per threshold).
  threshold: { default: 0.3, min: 0, max: 1 },
  weightUncertainty: weight,
  weightGroundedness: { ...weight, default: 2 },
  weightEmbedding: weight,
  weightConsistency: { ...weight, default: 1.5 },
  lowLogprob: { default: -2, min: -50, max: 0 },
  minSupport: { default: 0.6, min: 0, max: 1 },
  cosineHigh: { default: 0.9, min: -1, max: 1 },
  cosineLow: { default: 0.5, min: -1, max: 1 },
  maxResponseChars: chars(8_000),
  maxContextChars: chars(20_000),
  maxContexts: { default: 16, min: 1, max: 1000, integer: true },
  maxSamples: { default: 8, min: 1, max: 1000, integer: true },
  maxTokens: { default: 4_096, min: 1, max: 1_000_000, integer: true },
  maxEmbeddingDim: { default: 8_192, min: 1, max: 1_000_000, integer: true },
};

export function parseHallucinationParams(id: string, raw: Readonly<Record<string, unknown>> | undefined): HallucinationParams {
  const p = parseNumberParams<HallucinationParams>(id, HALLUCINATION_SPEC, raw);
  if (p.weightUncertainty + p.weightGroundedness + p.weightEmbedding + p.weightConsistency <= 0) {
    throw new RangeError(`${id}: at least one of weightUncertainty, weightGroundedness, weightEmbedding, weightConsistency must be > 0`);
  }
  if (!(p.cosineLow < p.cosineHigh)) throw new RangeError(`${id}: parameter "cosineLow" (${p.cosineLow}) must be below "cosineHigh" (${p.cosineHigh})`);
  return p;
}
