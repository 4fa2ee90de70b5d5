/**
 * validateFast says what test/reference/decode/validate.ts says about the same record: the same code,
 * field and message, including which bad feature is named first.
 */
import { describe, it, expect } from 'vitest';
import type { InferenceEvent } from '../../../../src/contracts/records.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { validateEvent } from '../../../reference/decode/validate.js';
import { compileFastDecoder, FastEvent } from '../../../../workers/decode/fast.js';
import { DEFAULT_FAST_VALIDATION, validateFast } from '../../../../workers/decode/validate.js';
import type { FastValidationLimits } from '../../../../workers/decode/validate.js';
import { DEFAULT_VALIDATION } from '../../../reference/decode/validate.js';
import { EVENT_TYPE, NOW, currentDecode, headFields, varint } from './helpers.js';
import { INFERENCE_EVENT } from '../../../fixtures/samples.js';

const decoder = compileFastDecoder(schemaSource('InferenceEvent'));

/** [code field: message] or 'valid', from each path, for the same body. */
function both(body: Uint8Array, limits: FastValidationLimits = DEFAULT_FAST_VALIDATION): [string, string] {
  const reference = currentDecode(body);
  if (!reference.ok) throw new Error(reference.message);
  const current = validateEvent(reference.event, NOW, limits);
  const out = new FastEvent();
  expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
  const fast = validateFast(out, NOW, limits);
  return [
    current === undefined ? 'valid' : `${current.code} ${String(current.details['field'])}: ${current.message}`,
    fast === undefined ? 'valid' : `${fast.code} ${fast.field}: ${fast.message}`,
  ];
}

function event(overrides: Partial<InferenceEvent>): Uint8Array {
  return EVENT_TYPE.toBuffer({ ...INFERENCE_EVENT, ...overrides });
}

/** A body whose features are written in exactly this order (avsc's encoder would put index keys first). */
function featuresInOrder(entries: [string, number][]): Uint8Array {
  const map: number[] = [...varint(entries.length)];
  for (const [key, value] of entries) {
    const k = Buffer.from(key, 'utf8');
    const d = Buffer.alloc(8);
    d.writeDoubleLE(value);
    map.push(...varint(k.length), ...k, ...d);
  }
  const latency = Buffer.alloc(8);
  latency.writeDoubleLE(1);
  return Uint8Array.from([...headFields(), ...map, 0, 0, 0, 0, 0, 0, ...latency, 0, 0, 0]);
}

describe('validateFast', () => {
  it('has the current defaults', () => {
    expect(DEFAULT_FAST_VALIDATION).toEqual(DEFAULT_VALIDATION);
  });

  const CASES: Record<string, Uint8Array> = {
    'a valid event': event({}),
    'an empty eventId': event({ eventId: '' }),
    'an empty modelId': event({ modelId: '' }),
    'a modelVersion over the limit': event({ modelVersion: 'v'.repeat(300) }),
    'an eventId over the limit in UTF-16 units': event({ eventId: '😀'.repeat(129) }),
    'a timestamp before the epoch': event({ timestamp: -1 }),
    'a timestamp too far ahead': event({ timestamp: NOW + 5 * 60_000 + 1 }),
    'a timestamp just within the skew': event({ timestamp: NOW + 5 * 60_000 }),
    'a NaN latency': event({ latencyMs: Number.NaN }),
    'an infinite latency': event({ latencyMs: Number.NEGATIVE_INFINITY }),
    'a NaN score': event({ score: Number.NaN }),
    'a null score': event({ score: null }),
    'an infinite score': event({ score: Number.POSITIVE_INFINITY }),
    'a NaN feature': event({ features: { a: 1, b: Number.NaN, c: Number.NaN } }),
    'an infinite feature with a long name': event({ features: { ['n'.repeat(100)]: Number.POSITIVE_INFINITY } }),
    'a NaN embedding item': event({ embedding: [0, 1, Number.NaN, Number.NaN] }),
    'bad index keys after a bad name in the bytes: the smallest index is named': featuresInOrder([
      ['b', Number.NaN],
      ['12', 1],
      ['5', Number.NaN],
      ['3', Number.POSITIVE_INFINITY],
      ['4294967295', Number.NaN],
    ]),
    'a bad name and a bad non-index number key: insertion order': featuresInOrder([
      ['b', 1],
      ['4294967295', Number.NaN],
      ['01', Number.NaN],
      ['a', Number.NaN],
    ]),
    'a bad largest index key': featuresInOrder([
      ['z', 1],
      ['4294967294', Number.NaN],
      ['x', Number.NaN],
    ]),
    'a duplicate key whose last value is bad': featuresInOrder([
      ['a', 1],
      ['a', Number.NaN],
    ]),
    'a duplicate key whose last value is fine': featuresInOrder([
      ['a', Number.NaN],
      ['a', 1],
    ]),
  };

  for (const [name, body] of Object.entries(CASES)) {
    it(`${name}: the same verdict and message`, () => {
      const [current, fast] = both(body);
      expect(fast).toBe(current);
    });
  }

  it('uses the limits given', () => {
    const limits = { maxIdLength: 4, maxFutureSkewMs: 0 };
    expect(both(event({ eventId: 'e', modelId: 'abcde' }), limits)[1]).toMatch(/modelId is 5 characters long, over the limit of 4/);
    const [current, fast] = both(event({ timestamp: NOW + 1, eventId: 'e', modelId: 'm', modelVersion: 'v' }), limits);
    expect(fast).toBe(current);
    expect(fast).toMatch(/ahead of the clock/);
  });

  it('checks a FastEvent built by hand', () => {
    const out = new FastEvent();
    out.eventId = 'e';
    out.modelId = 'm';
    out.modelVersion = 'v';
    out.timestamp = Number.NaN;
    expect(validateFast(out, NOW)?.message).toBe('timestamp is NaN');
    out.timestamp = NOW;
    expect(validateFast(out, NOW)).toBeUndefined();
    out.hasScore = false;
    out.score = Number.NaN; // null score
    expect(validateFast(out, NOW)).toBeUndefined();
  });

  it('looks at the features itself unless the decoder has found every value finite', () => {
    const out = new FastEvent();
    const decode = (features: Record<string, number>) => {
      const body = event({ features });
      expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
      return validateFast(out, NOW)?.message ?? 'valid';
    };
    expect(decode({ a: 1, b: -0, c: 1e308 })).toBe('valid');
    expect(out.featuresFinite).toBe(true);
    expect(decode({ a: 1, b: Number.NEGATIVE_INFINITY })).toBe('features.b is -Infinity');
    expect(out.featuresFinite).toBe(false);
    expect(decode({ a: 2 })).toBe('valid');
    expect(out.featuresFinite).toBe(true);
    // Built by hand: nobody has checked, so validateFast does.
    const hand = new FastEvent();
    Object.assign(hand, { eventId: 'e', modelId: 'm', modelVersion: 'v', timestamp: NOW, featureCount: 2, featureKeys: ['x', 'y'] });
    hand.featureValues[1] = Number.NaN;
    expect(hand.featuresFinite).toBe(false);
    expect(validateFast(hand, NOW)?.message).toBe('features.y is NaN');
  });
});
