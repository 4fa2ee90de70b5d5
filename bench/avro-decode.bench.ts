/**
 * Baseline for the decode stage: how fast avsc reads a 32-feature InferenceEvent (about 300 bytes)
 * on one core, against JSON.parse of the same event. Sizes the rest of the pipeline.
 */
import { avroType } from '../src/contracts/schemas.js';
import type { InferenceEvent } from '../src/contracts/records.js';
import type { Scenario } from './run.js';

function event(i: number): InferenceEvent {
  const features: Record<string, number> = {};
  for (let f = 0; f < 32; f++) features[`f${f}`] = Math.sin(i + f) * 100;
  return {
    eventId: `evt-${i}`,
    timestamp: 1_790_000_000_000 + i,
    modelId: 'bench-model',
    modelVersion: '1.0.0',
    endpoint: '/predict',
    principal: 'svc-bench',
    features,
    categorical: {},
    embedding: null,
    score: 0.5,
    predictedClass: null,
    classProbabilities: null,
    latencyMs: 12.5,
    status: 'OK',
    llm: null,
    attributes: {},
  };
}

function rate(n: number, body: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const scenario: Scenario = {
  name: 'avro-decode',
  description: 'avsc decode of a 32-feature InferenceEvent vs JSON.parse, one core',
  async run() {
    const type = avroType('InferenceEvent');
    const buffers = Array.from({ length: 1000 }, (_, i) => type.toBuffer(event(i)));
    const texts = Array.from({ length: 1000 }, (_, i) => JSON.stringify(event(i)));
    const n = 300_000;
    rate(50_000, (i) => type.fromBuffer(buffers[i % 1000] as Buffer)); // warm-up
    const avroPerSec = rate(n, (i) => type.fromBuffer(buffers[i % 1000] as Buffer));
    rate(50_000, (i) => JSON.parse(texts[i % 1000] as string));
    const jsonPerSec = rate(n, (i) => JSON.parse(texts[i % 1000] as string));
    return {
      recordBytes: buffers[0]?.length,
      avroDecodesPerSecond: Math.round(avroPerSec),
      jsonParsesPerSecond: Math.round(jsonPerSec),
      avroOverJson: Math.round((avroPerSec / jsonPerSec) * 100) / 100,
    };
  },
};
export default scenario;
