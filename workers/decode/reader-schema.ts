/**
 * The reader schema the fast decoder is specialised for: schemas/InferenceEvent.avsc without its `doc`
 * strings. Embedded (workers load no files and no main-thread code); a unit test checks that it is the
 * shipped file's schema, so a change to the .avsc fails the build until this copy and the decoder follow.
 */
import type { InferenceStatus } from '../../src/contracts/records.js';

export const INFERENCE_EVENT_READER_SCHEMA = {
  type: 'record',
  name: 'InferenceEvent',
  namespace: 'dev.vigil',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'modelId', type: 'string' },
    { name: 'modelVersion', type: 'string' },
    { name: 'endpoint', type: ['null', 'string'], default: null },
    { name: 'principal', type: 'string' },
    { name: 'features', type: { type: 'map', values: 'double' } },
    { name: 'categorical', type: { type: 'map', values: 'string' }, default: {} },
    { name: 'embedding', type: ['null', { type: 'array', items: 'float' }], default: null },
    { name: 'score', type: ['null', 'double'], default: null },
    { name: 'predictedClass', type: ['null', 'string'], default: null },
    { name: 'classProbabilities', type: ['null', { type: 'map', values: 'double' }], default: null },
    { name: 'latencyMs', type: 'double' },
    { name: 'status', type: { type: 'enum', name: 'InferenceStatus', symbols: ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'] } },
    {
      name: 'llm',
      type: [
        'null',
        {
          type: 'record',
          name: 'LlmTrace',
          fields: [
            { name: 'prompt', type: ['null', 'string'], default: null },
            { name: 'response', type: 'string' },
            { name: 'contexts', type: { type: 'array', items: 'string' }, default: [] },
            { name: 'tokenLogprobs', type: { type: 'array', items: 'float' }, default: [] },
            { name: 'responseEmbedding', type: ['null', { type: 'array', items: 'float' }], default: null },
            { name: 'contextEmbedding', type: ['null', { type: 'array', items: 'float' }], default: null },
            { name: 'samples', type: { type: 'array', items: 'string' }, default: [] },
            { name: 'inputTokens', type: 'int', default: 0 },
            { name: 'outputTokens', type: 'int', default: 0 },
          ],
        },
      ],
      default: null,
    },
    { name: 'attributes', type: { type: 'map', values: 'string' }, default: {} },
  ],
} as const;

/** `FastEvent.status` is the index of the status in this list (the enum's symbols, in schema order). */
export const STATUS_SYMBOLS: readonly InferenceStatus[] = Object.freeze(['OK', 'ERROR', 'TIMEOUT', 'FALLBACK'] as const);
