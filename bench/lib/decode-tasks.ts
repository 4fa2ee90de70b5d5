/**
 * decodeBatch tasks as the engine sends them to the pool: the Confluent-framed values of one Kafka
 * batch back to back, several models interleaved round-robin (EventGenerator each), encoded with the
 * project's InferenceEvent type. `optional` adds what richer producers send: a few categorical
 * features on every event and an LLM trace on every tenth.
 */
import type { InferenceEvent } from '../../src/contracts/records.js';
import { avroType, schemaSource } from '../../src/contracts/schemas.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { frame } from '../../src/pipeline/sink/encode.js';
import type { DecodeBatchTask } from '../../workers/decode/batch.js';
import { decodeLimits } from '../../src/pipeline/decode/pooled.js';

export interface DecodeTaskOptions {
  readonly records: number;
  readonly models: number;
  readonly features: number;
  readonly optional: boolean;
  readonly seed?: number;
}

const SCHEMA_ID = 1;
const REGIONS = ['north', 'south', 'east', 'west'];
const PLANS = ['free', 'pro', 'gold'];

function enrich(event: InferenceEvent, i: number): InferenceEvent {
  const categorical = { region: REGIONS[i % REGIONS.length]!, plan: PLANS[i % PLANS.length]!, channel: i % 2 === 0 ? 'web' : 'app' };
  if (i % 10 !== 0) return { ...event, categorical };
  return {
    ...event,
    categorical,
    llm: {
      prompt: `question ${i}`,
      response: `answer ${i}`,
      contexts: ['a retrieved passage'],
      tokenLogprobs: [-0.25, -0.5, -1],
      responseEmbedding: null,
      contextEmbedding: null,
      samples: [],
      inputTokens: 12,
      outputTokens: 3,
    },
  };
}

/** One task of `records` events; timestamps lie an hour before `nowMs`. */
export function decodeTask(options: DecodeTaskOptions, nowMs: number): DecodeBatchTask {
  const generators = Array.from(
    { length: options.models },
    (_, k) =>
      new EventGenerator({
        modelId: `bench-model-${k}`,
        modelVersion: '1.0.0',
        features: options.features,
        seed: (options.seed ?? 1000) + k,
        startTime: nowMs - 3_600_000,
        spacingMs: 1,
      }),
  );
  const type = avroType('InferenceEvent');
  const values: Buffer[] = [];
  for (let i = 0; i < options.records; i++) {
    const event = generators[i % options.models]!.next();
    values.push(frame(SCHEMA_ID, type.toBuffer(options.optional ? enrich(event, i) : event)));
  }
  const bounds = new Uint32Array(values.length + 1);
  let total = 0;
  values.forEach((v, i) => {
    bounds[i] = total;
    total += v.length;
  });
  bounds[values.length] = total;
  const bytes = new Uint8Array(total);
  values.forEach((v, i) => bytes.set(v, bounds[i]!));
  return {
    bytes,
    bounds,
    nulls: new Uint8Array(values.length),
    schemas: { [SCHEMA_ID]: schemaSource('InferenceEvent') },
    unknownIds: [],
    nowMs,
    limits: decodeLimits(4 * 1024 * 1024),
  };
}
