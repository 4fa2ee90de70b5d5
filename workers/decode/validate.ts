/**
 * validateFast: test/reference/decode/validate.ts's checks for a FastEvent, with the same codes, field
 * names and messages (so a dead letter reads the same whichever path decoded the record). Returns a plain
 * description instead of a VigilError: workers do not load main-thread code; the caller wraps it.
 */
import type { FastEvent } from './fast.js';

export interface FastValidationLimits {
  /** How far ahead of the injected clock a timestamp may be, in ms. */
  readonly maxFutureSkewMs: number;
  /** Longest eventId, modelId and modelVersion, in UTF-16 code units. */
  readonly maxIdLength: number;
}

/** The current path's defaults (DEFAULT_VALIDATION). */
export const DEFAULT_FAST_VALIDATION: FastValidationLimits = Object.freeze({ maxFutureSkewMs: 5 * 60_000, maxIdLength: 256 });

export interface FastValidationError {
  readonly code: 'VIGIL_EVENT_INVALID';
  /** The field path, as the VigilError's `details.field`. */
  readonly field: string;
  readonly message: string;
}

function shown(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 64)}…`;
}

function invalid(field: string, message: string): FastValidationError {
  return { code: 'VIGIL_EVENT_INVALID', field, message };
}

function checkId(field: 'eventId' | 'modelId' | 'modelVersion', value: string, max: number): FastValidationError | undefined {
  if (value.length === 0) return invalid(field, `${field} is empty`);
  if (value.length > max) return invalid(field, `${field} is ${value.length} characters long, over the limit of ${max}`);
  return undefined;
}

const MAX_ARRAY_INDEX = 4294967294; // 2^32 - 2

/** The key as a JavaScript array index (an "integer index" own property), or -1 when it is not one. */
function arrayIndex(key: string): number {
  if (key.length === 0 || key.length > 10) return -1;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n <= MAX_ARRAY_INDEX && String(n) === key ? n : -1;
}

/**
 * The feature the current path would report first among the non-finite ones. It walks a plain object
 * with for-in, which visits array-index keys ("0", "17") in ascending numeric order before the other keys
 * in insertion order; featureKeys are in insertion order. Only runs when some feature is bad.
 */
function firstBadFeature(event: FastEvent, first: number): number {
  let best = first;
  let bestIndex = arrayIndex(event.featureKeys[first]!);
  for (let i = first + 1; i < event.featureCount; i++) {
    if (Number.isFinite(event.featureValues[i]!)) continue;
    const index = arrayIndex(event.featureKeys[i]!);
    if (index >= 0 && (bestIndex < 0 || index < bestIndex)) {
      best = i;
      bestIndex = index;
    }
  }
  return best;
}

/**
 * The common case in one expression: ids within their limits, a timestamp in range, finite numbers,
 * features the decoder found finite, no embedding. False sends the event through every check in order
 * (NaN and infinite values fail the comparisons here, so they take that path too).
 */
function plainlyValid(event: FastEvent, nowMs: number, limits: FastValidationLimits): boolean {
  const max = limits.maxIdLength;
  const e = event.eventId.length;
  const m = event.modelId.length;
  const v = event.modelVersion.length;
  const ts = event.timestamp;
  return (
    e > 0 && e <= max && m > 0 && m <= max && v > 0 && v <= max &&
    ts >= 0 && ts <= nowMs + limits.maxFutureSkewMs &&
    event.latencyMs - event.latencyMs === 0 &&
    (!event.hasScore || event.score - event.score === 0) &&
    event.featuresFinite && event.embedding === null
  );
}

/** The first invalid value of the event, named by its field path (`features.age is NaN`), or undefined. */
export function validateFast(event: FastEvent, nowMs: number, limits: FastValidationLimits = DEFAULT_FAST_VALIDATION): FastValidationError | undefined {
  if (plainlyValid(event, nowMs, limits)) return undefined;
  const idError =
    checkId('eventId', event.eventId, limits.maxIdLength) ??
    checkId('modelId', event.modelId, limits.maxIdLength) ??
    checkId('modelVersion', event.modelVersion, limits.maxIdLength);
  if (idError !== undefined) return idError;

  const ts = event.timestamp;
  if (!Number.isFinite(ts)) return invalid('timestamp', `timestamp is ${ts}`);
  if (ts < 0) return invalid('timestamp', `timestamp ${ts} is before the Unix epoch`);
  if (ts > nowMs + limits.maxFutureSkewMs) {
    return invalid('timestamp', `timestamp ${ts} is ${ts - nowMs} ms ahead of the clock, over the allowed skew of ${limits.maxFutureSkewMs} ms`);
  }

  if (!Number.isFinite(event.latencyMs)) return invalid('latencyMs', `latencyMs is ${event.latencyMs}`);
  if (event.hasScore && !Number.isFinite(event.score)) return invalid('score', `score is ${event.score}`);

  const values = event.featureValues;
  // (the decoder has already checked the values when it says they are all finite)
  for (let i = 0; !event.featuresFinite && i < event.featureCount; i++) {
    if (Number.isFinite(values[i]!)) continue;
    const bad = firstBadFeature(event, i);
    const name = shown(event.featureKeys[bad]!);
    return invalid(`features.${name}`, `features.${name} is ${values[bad]!}`);
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
