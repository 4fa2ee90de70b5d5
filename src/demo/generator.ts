/**
 * Synthetic inference events for the demo, the tests and the benchmarks: a model with numeric
 * features drawn from fixed normal distributions that, from a chosen event on, drift (a mean shift of
 * `driftSigma` standard deviations on the first `driftedFeatures` features). Deterministic for a seed.
 */
import type { InferenceEvent } from '../contracts/records.js';
import { mulberry32, normal } from './random.js';

export interface GeneratorOptions {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly features: number;
  readonly seed: number;
  /** Index of the first drifted event; Infinity for a stationary stream. */
  readonly driftFrom: number;
  readonly driftSigma: number;
  readonly driftedFeatures: number;
  /** Event time of event 0 and the spacing between events. */
  readonly startTime: number;
  readonly spacingMs: number;
  /** From this event on, a share `anomalyRate` of events lie far off (every feature +8 σ); Infinity for none. */
  readonly anomalyFrom: number;
  readonly anomalyRate: number;
}

export const GENERATOR_DEFAULTS: Omit<GeneratorOptions, 'modelId' | 'modelVersion'> = {
  features: 20,
  seed: 42,
  driftFrom: Number.POSITIVE_INFINITY,
  driftSigma: 1.5,
  driftedFeatures: 5,
  startTime: Date.UTC(2026, 0, 1),
  spacingMs: 10,
  anomalyFrom: Number.POSITIVE_INFINITY,
  anomalyRate: 0,
};

export function featureName(f: number): string {
  return `f${String(f).padStart(2, '0')}`;
}

export class EventGenerator {
  readonly #options: GeneratorOptions;
  readonly #normal: () => number;
  readonly #uniform: () => number;
  #index = 0;

  constructor(options: Partial<GeneratorOptions> & Pick<GeneratorOptions, 'modelId' | 'modelVersion'>) {
    this.#options = { ...GENERATOR_DEFAULTS, ...options };
    this.#uniform = mulberry32(this.#options.seed);
    this.#normal = normal(this.#uniform);
  }

  get index(): number {
    return this.#index;
  }

  next(): InferenceEvent {
    const o = this.#options;
    const i = this.#index++;
    const drifted = i >= o.driftFrom;
    // Drawn only when anomalies are asked for, so streams without them keep their values.
    const outlier = i >= o.anomalyFrom && o.anomalyRate > 0 && this.#uniform() < o.anomalyRate;
    const features: Record<string, number> = {};
    for (let f = 0; f < o.features; f++) {
      // Feature f ~ N(10·f, (1 + f/10)²) before drift.
      const sigma = 1 + f / 10;
      const shift = drifted && f < o.driftedFeatures ? o.driftSigma * sigma : 0;
      features[featureName(f)] = 10 * f + sigma * this.#normal() + shift + (outlier ? 8 * sigma : 0);
    }
    const score = 1 / (1 + Math.exp(-((features.f00 ?? 0) - (drifted ? 1 : 0))));
    const roll = this.#uniform();
    return {
      eventId: `${o.modelId}-${o.seed}-${i}`,
      timestamp: o.startTime + i * o.spacingMs,
      modelId: o.modelId,
      modelVersion: o.modelVersion,
      endpoint: '/v1/predict',
      principal: 'svc-demo',
      features,
      categorical: {},
      embedding: null,
      score,
      predictedClass: score >= 0.5 ? 'positive' : 'negative',
      classProbabilities: null,
      latencyMs: 5 + 20 * this.#uniform() + (drifted ? 10 : 0),
      status: roll < 0.01 ? 'ERROR' : roll < 0.015 ? 'TIMEOUT' : 'OK',
      llm: null,
      attributes: {},
    };
  }

  take(n: number): InferenceEvent[] {
    return Array.from({ length: n }, () => this.next());
  }
}
