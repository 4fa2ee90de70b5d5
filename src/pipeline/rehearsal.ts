/**
 * Made-up inference events for warming the engine up before its consumer joins: written with the
 * contract's own InferenceEvent schema (the one producers write with), under a schema id that only the
 * rehearsal's own lookup knows, for a model of its own. Values vary from event to event and feature to
 * feature (a fixed hash, not a constant), so binning and quantiles take their usual paths.
 */
import type { InferenceEvent } from '../contracts/records.js';
import { avroType, schemaSource } from '../contracts/schemas.js';
import type { InputRecord } from './decode/index.js';
import type { SchemaLookup } from './decode/registry.js';
import { frameWire } from './decode/wire.js';
import { VigilError } from '../errors.js';

/** The model of made-up events (and the prefix of the two it takes turns with); no producer's. */
export const REHEARSAL_MODEL = 'vigil-rehearsal';
/** The schema id made-up events are framed with. */
export const REHEARSAL_SCHEMA_ID = 0;
/** Features per made-up event. */
export const REHEARSAL_FEATURES = 32;

/** A value in [0, 1) of event `i` and feature `f`, spread like a uniform draw. */
function spread(i: number, f: number): number {
  const x = Math.sin(i * 12.9898 + f * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/**
 * Events `from` .. `from + count` of the made-up stream, each framed for the wire (schema id
 * REHEARSAL_SCHEMA_ID). Two models take turns, and the optional fields are set in some events and not
 * in others, as in real traffic, so the decoding has run every branch it meets when real batches come
 * (V8 throws optimised code away at the first branch it has not seen run).
 */
export function madeUpValues(nowMs: number, from: number, count: number): Buffer[] {
  const type = avroType('InferenceEvent');
  const values: Buffer[] = [];
  for (let i = from; i < from + count; i++) {
    const features: Record<string, number> = {};
    for (let f = 0; f < REHEARSAL_FEATURES; f++) features[`f${f}`] = spread(i, f) * 100;
    const score = spread(i, REHEARSAL_FEATURES);
    const event: InferenceEvent = {
      eventId: `${REHEARSAL_MODEL}-${i}`,
      timestamp: nowMs - 60_000 + (i % 60_000),
      modelId: `${REHEARSAL_MODEL}-${i % 2}`,
      modelVersion: '0',
      endpoint: i % 3 === 0 ? null : '/rehearsal',
      principal: i % 5 === 0 ? 'vigil-a' : 'vigil-b',
      features,
      categorical: i % 4 === 0 ? { segment: i % 8 === 0 ? 'x' : 'y' } : {},
      embedding: null,
      score,
      predictedClass: i % 3 === 1 ? null : score >= 0.5 ? 'positive' : 'negative',
      classProbabilities: i % 6 === 0 ? { positive: score, negative: 1 - score } : null,
      latencyMs: (i % 50) + score,
      status: i % 97 === 0 ? 'ERROR' : i % 89 === 0 ? 'TIMEOUT' : 'OK',
      llm: null,
      attributes: i % 7 === 0 ? { region: 'r1' } : {},
    };
    values.push(frameWire(REHEARSAL_SCHEMA_ID, type.toBuffer(event)));
  }
  return values;
}

/** The lookup of a rehearsal's decode stage: the contract's schema under REHEARSAL_SCHEMA_ID, and nothing else. */
export const rehearsalSchemas: SchemaLookup = {
  schemaFor: (id) =>
    id === REHEARSAL_SCHEMA_ID ? Promise.resolve(schemaSource('InferenceEvent')) : Promise.reject(new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is not the rehearsal's`)),
};

/**
 * The records of a rehearsal, in batches of `batchSize`: enough events to build the model's reference
 * and then close `windows` windows of `windowCount` events, at least two batches and at most `maxEvents`.
 */
export function rehearsalBatches(
  options: { nowMs: number; topic: string; referenceEvents: number; windowCount: number; windows?: number; batchSize?: number; maxEvents?: number },
): InputRecord[][] {
  const batchSize = options.batchSize ?? 4000;
  const wanted = options.referenceEvents + (options.windows ?? 4) * options.windowCount;
  const total = Math.min(Math.max(wanted, 2 * batchSize), options.maxEvents ?? 24_000);
  const batches: InputRecord[][] = [];
  for (let from = 0; from < total; from += batchSize) {
    const values = madeUpValues(options.nowMs, from, Math.min(batchSize, total - from));
    batches.push(values.map((value, i) => ({ key: null, value, topic: options.topic, partition: 0, offset: String(from + i) })));
  }
  return batches;
}
