import { CONFIG_DEFAULTS } from '../../../src/config/defaults.js';
import type { IoLogSettings } from '../../../src/config/types.js';
import type { InferenceEvent } from '../../../src/contracts/records.js';

export function settings(patch: Partial<IoLogSettings> = {}): IoLogSettings {
  return { ...CONFIG_DEFAULTS.iolog, enabled: true, sampleRate: 1, ...patch };
}

export function tabularEvent(i: number, patch: Partial<InferenceEvent> = {}): InferenceEvent {
  const features: Record<string, number> = {};
  for (let f = 0; f < 20; f++) features[`f${f}`] = Math.round(Math.sin(i + f) * 1000) / 100;
  return {
    eventId: `evt-${i}`,
    timestamp: Date.UTC(2026, 10, 1) + i * 1000,
    modelId: 'credit-risk',
    modelVersion: '1.1.0',
    endpoint: '/v1/score',
    principal: 'svc-gateway',
    features,
    categorical: { region: 'north' },
    embedding: null,
    score: 0.42,
    predictedClass: null,
    classProbabilities: null,
    latencyMs: 12.5,
    status: 'OK',
    llm: null,
    attributes: {},
    ...patch,
  };
}

const WORDS = 'the model answered with a summary of the retrieved policy documents and cited the relevant clauses for the customer'.split(' ');

export function llmEvent(i: number, extra: { prompt?: string; contexts?: string[]; response?: string } = {}): InferenceEvent {
  const passage = (k: number): string => Array.from({ length: 200 }, (_, w) => WORDS[(w * 7 + k + i) % WORDS.length]).join(' ');
  return {
    ...tabularEvent(i, { modelId: 'support-assistant', features: {} }),
    llm: {
      prompt: extra.prompt ?? `Question ${i}: what does the policy say about refunds?`,
      response: extra.response ?? passage(99),
      contexts: extra.contexts ?? [passage(1), passage(2), passage(3)],
      tokenLogprobs: [],
      responseEmbedding: null,
      contextEmbedding: null,
      samples: [],
      inputTokens: 30,
      outputTokens: 200,
    },
  };
}
