/**
 * Checks a decoded InferenceEvent for values that decode fine but would poison the detectors
 * downstream: empty ids, impossible timestamps, non-finite numbers. Returns the error instead of
 * throwing, because it runs once per event on the hot path.
 */
import { VigilError } from '../../../src/errors.js';
import type { InferenceEvent } from '../../../src/contracts/records.js';

export interface ValidationOptions {
  /** How far ahead of the injected clock a timestamp may be, in ms (producers' clocks drift). */
  readonly maxFutureSkewMs: number;
  /**
   * Longest eventId, modelId and modelVersion, in UTF-16 code units. Ids are kept in memory (dedup
   * window, feature catalogue, batch grouping), so their length must be bounded like everything else.
   */
  readonly maxIdLength: number;
}

export const DEFAULT_VALIDATION: ValidationOptions = Object.freeze({ maxFutureSkewMs: 5 * 60_000, maxIdLength: 256 });

/** Names in messages are cut so a hostile 200 KiB feature name cannot bloat a dead-letter header. */
function shown(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 64)}…`;
}

function invalid(field: string, message: string): VigilError {
  return new VigilError('VIGIL_EVENT_INVALID', message, { details: { field } });
}

function checkId(field: 'eventId' | 'modelId' | 'modelVersion', value: string, max: number): VigilError | undefined {
  if (value.length === 0) return invalid(field, `${field} is empty`);
  if (value.length > max) return invalid(field, `${field} is ${value.length} characters long, over the limit of ${max}`);
  return undefined;
}

/** The first invalid value of the event, named by its field path (`features.age is NaN`), or undefined. */
export function validateEvent(event: InferenceEvent, nowMs: number, options: ValidationOptions): VigilError | undefined {
  const idError =
    checkId('eventId', event.eventId, options.maxIdLength) ??
    checkId('modelId', event.modelId, options.maxIdLength) ??
    checkId('modelVersion', event.modelVersion, options.maxIdLength);
  if (idError !== undefined) return idError;

  const ts = event.timestamp;
  if (!Number.isFinite(ts)) return invalid('timestamp', `timestamp is ${ts}`);
  if (ts < 0) return invalid('timestamp', `timestamp ${ts} is before the Unix epoch`);
  if (ts > nowMs + options.maxFutureSkewMs) {
    return invalid('timestamp', `timestamp ${ts} is ${ts - nowMs} ms ahead of the clock, over the allowed skew of ${options.maxFutureSkewMs} ms`);
  }

  if (!Number.isFinite(event.latencyMs)) return invalid('latencyMs', `latencyMs is ${event.latencyMs}`);
  if (event.score !== null && !Number.isFinite(event.score)) return invalid('score', `score is ${event.score}`);

  const features = event.features;
  // Maps decode to plain objects that own every key, so for-in sees exactly the map's entries.
  for (const name in features) {
    const value = features[name]!;
    if (!Number.isFinite(value)) return invalid(`features.${shown(name)}`, `features.${shown(name)} is ${value}`);
  }

  const embedding = event.embedding;
  if (embedding !== null) {
    for (let i = 0; i < embedding.length; i++) {
      const value = embedding[i]!;
      if (!Number.isFinite(value)) return invalid(`embedding[${i}]`, `embedding[${i}] is ${value}`);
    }
  }
  return undefined;
}
