/**
 * (5) Interning: a steady stream of events with the same feature names creates no key strings after the
 * first event; the byte-level cache keeps identity, survives collisions and growth, stays bounded, and
 * merges duplicate map keys the way avsc's object does.
 */
import { describe, it, expect } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { compileFastDecoder, FastEvent } from '../../../../workers/decode/fast.js';
import { KeyCache } from '../../../../workers/decode/keys.js';
import { EVENT_TYPE, currentDecode, expectSameEvent, fastDecode, headFields, mulberry32, varint } from './helpers.js';
import { INFERENCE_EVENT } from '../../../fixtures/samples.js';

const DOUBLE_ONE = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f];

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'utf8'));
}

describe('fast decoder: interned feature names', () => {
  it('10,000 events with the same 32 keys create no key strings after the first event', () => {
    const keys = new KeyCache();
    const values = new KeyCache();
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'), { keyCache: keys, valueCache: values });
    const rng = mulberry32(32);
    const names = Array.from({ length: 32 }, (_, i) => `feature_${i}_${'αβγ'[i % 3]!}`);
    const out = new FastEvent();
    let first: string[] | undefined;
    let wrong = 0;
    for (let n = 0; n < 10_000; n++) {
      const features: Record<string, number> = {};
      // The same names, mostly in the same order, sometimes shuffled (then prediction misses, the hash hits).
      const order = n % 10 === 9 ? [...names].sort(() => rng() - 0.5) : names;
      for (const name of order) features[name] = rng();
      const body = EVENT_TYPE.toBuffer({ ...INFERENCE_EVENT, eventId: `e-${n}`, features });
      expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
      expect(out.featureCount).toBe(32);
      if (first === undefined) {
        first = out.featureKeys.slice(0, 32);
        expect(keys.misses).toBe(32);
      } else if (order === names) {
        expect(out.featureKeys.slice(0, 32)).toEqual(first);
      }
      for (let i = 0; i < 32; i++) if (features[out.featureKeys[i]!] !== out.featureValues[i]) wrong++;
    }
    expect(wrong).toBe(0);
    // A miss is the only place the cache makes a string: none after the first event.
    expect(keys.misses).toBe(32);
    expect(keys.size).toBe(32);
    expect(keys.resets).toBe(0);
    // modelId, modelVersion, principal, endpoint, predictedClass, and the keys and values of the small maps.
    const valueMisses = values.misses;
    const body = EVENT_TYPE.toBuffer({ ...INFERENCE_EVENT, eventId: 'again' });
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    expect(values.misses).toBe(valueMisses);
  });

  it('returns the same InternedKey object for the same bytes, wherever they sit', () => {
    const cache = new KeyCache();
    const a = cache.lookup(Uint8Array.from([0, ...bytesOf('income'), 0]), 1, 6);
    const b = cache.lookup(Uint8Array.from([9, 9, 9, ...bytesOf('income')]), 3, 6);
    expect(b).toBe(a); // object identity: the same instance, so the same string
    expect(a.key).toBe('income');
    expect(cache.lookup(bytesOf('incomf'), 0, 6)).not.toBe(a);
    expect(cache.lookup(bytesOf(''), 0, 0).key).toBe('');
    expect(cache.misses).toBe(3);
  });

  it('keeps identity across table growth and with thousands of keys', () => {
    const cache = new KeyCache({ maxKeys: 100_000 });
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i.toString(36)}`);
    const first = keys.map((k) => cache.lookup(bytesOf(k), 0, Buffer.byteLength(k)));
    const again = keys.map((k) => cache.lookup(bytesOf(k), 0, Buffer.byteLength(k)));
    for (let i = 0; i < keys.length; i++) {
      expect(again[i]).toBe(first[i]);
      expect(first[i]!.key).toBe(keys[i]);
    }
    expect(cache.size).toBe(5000);
    expect(cache.misses).toBe(5000);
  });

  it('is bounded: past maxKeys it is emptied at the start of the next map, never in the middle of one', () => {
    const cache = new KeyCache({ maxKeys: 10 });
    cache.nextEpoch();
    for (let i = 0; i < 25; i++) cache.lookup(bytesOf(`key-${i}`), 0, Buffer.byteLength(`key-${i}`));
    expect(cache.size).toBe(25); // one record may exceed the bound
    expect(cache.resets).toBe(0);
    cache.nextEpoch();
    expect(cache.size).toBe(0);
    expect(cache.resets).toBe(1);
  });

  it('does not keep keys longer than maxKeyBytes across records, but still merges them within one', () => {
    const cache = new KeyCache({ maxKeyBytes: 8 });
    const long = bytesOf('a-rather-long-name');
    cache.nextEpoch();
    const a = cache.lookup(long, 0, long.length);
    expect(cache.lookup(long, 0, long.length)).toBe(a);
    expect(cache.size).toBe(0);
    cache.nextEpoch();
    expect(cache.lookup(long, 0, long.length)).not.toBe(a);
  });

  it('gives one key to different bytes that decode to the same text (invalid UTF-8)', () => {
    const cache = new KeyCache();
    const a = cache.lookup(Uint8Array.from([0x61, 0xff]), 0, 2); // 'a' + U+FFFD
    const b = cache.lookup(Uint8Array.from([0x61, 0xfe]), 0, 2); // also 'a' + U+FFFD
    expect(a.key).toBe('a\uFFFD');
    expect(b).toBe(a);
  });

  it('rejects options that are not positive integers', () => {
    expect(() => new KeyCache({ maxKeys: 0 })).toThrow(RangeError);
    expect(() => new KeyCache({ maxKeyBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('fast decoder: duplicate and special map keys, as avsc decodes them', () => {
  /** An event whose features map is written by hand: entries [key bytes, value], in one or two blocks. */
  function withFeatures(entries: [number[], number][], split = false): Uint8Array {
    const entry = ([key, value]: [number[], number]): number[] => {
      const d = Buffer.alloc(8);
      d.writeDoubleLE(value);
      return [...varint(key.length), ...key, ...d];
    };
    const blocks = split ? [entries.slice(0, 1), entries.slice(1)] : [entries];
    const map: number[] = [];
    for (const block of blocks) if (block.length > 0) map.push(...varint(block.length), ...block.flatMap(entry));
    return Uint8Array.from([...headFields(), ...map, 0, 0, 0, 0, 0, 0, ...DOUBLE_ONE, 0, 0, 0]);
  }

  const ascii = (s: string): number[] => [...Buffer.from(s, 'utf8')];

  it('merges duplicate keys: first position, last value', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    for (const split of [false, true]) {
      const body = withFeatures(
        [
          [ascii('a'), 1],
          [ascii('b'), 2],
          [ascii('a'), 3],
          [ascii('c'), 4],
          [ascii('b'), 5],
        ],
        split,
      );
      const expected = currentDecode(body);
      const out = new FastEvent();
      expect(fastDecode(decoder, body, out).ok).toBe(true);
      if (!expected.ok) throw new Error(expected.message);
      expectSameEvent(out, expected.event);
      expect(out.featureKeys.slice(0, out.featureCount)).toEqual(['a', 'b', 'c']);
      expect(Array.from(out.featureValues.subarray(0, 3))).toEqual([3, 5, 4]);
    }
  });

  it('merges keys whose different bytes decode to the same text', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const body = withFeatures([
      [[0x61, 0xff], 1],
      [[0x62], 2],
      [[0x61, 0xfe], 3],
      [[0x61, 0xef, 0xbf, 0xbd], 4], // a valid U+FFFD: the same text again
    ]);
    const expected = currentDecode(body);
    const out = new FastEvent();
    expect(fastDecode(decoder, body, out).ok).toBe(true);
    if (!expected.ok) throw new Error(expected.message);
    expectSameEvent(out, expected.event);
    expect(out.featureCount).toBe(2);
  });

  it('drops `__proto__` like avsc (assigning it on a plain object creates no entry) and keeps `constructor`', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const body = withFeatures([
      [ascii('__proto__'), 1],
      [ascii('constructor'), 2],
      [ascii('toString'), 3],
      [ascii('17'), 4],
      [ascii('x'), 5],
    ]);
    const expected = currentDecode(body);
    const out = new FastEvent();
    expect(fastDecode(decoder, body, out).ok).toBe(true);
    if (!expected.ok) throw new Error(expected.message);
    expectSameEvent(out, expected.event);
    expect(out.featureKeys.slice(0, out.featureCount)).toEqual(['constructor', 'toString', '17', 'x']);
  });

  it('keys of the small maps are interned too and decode like avsc', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const event = { ...INFERENCE_EVENT, categorical: { region: 'EU', tier: 'gold' }, attributes: { '0': 'zero', tenant: 'acme', __x: '' } };
    const body = EVENT_TYPE.toBuffer(event);
    const out = new FastEvent();
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    expect(out.categorical).toEqual(event.categorical);
    expect(out.attributes).toEqual(event.attributes);
    expect(Object.keys(out.attributes)).toEqual(Object.keys(event.attributes));
  });

  it('reads the ids of interleaved models, more of them than a place remembers, and makes no new strings for them', () => {
    const values = new KeyCache();
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'), { valueCache: values });
    const out = new FastEvent();
    for (const models of [3, 4, 5, 7]) {
      for (let n = 0; n < 60; n++) {
        const modelId = `model-${n % models}`;
        const body = EVENT_TYPE.toBuffer({ ...INFERENCE_EVENT, modelId, endpoint: n % 2 === 0 ? '/a' : '/b', categorical: { region: `r${n % 5}` } });
        expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
        expect(out.modelId).toBe(modelId);
        expect(out.endpoint).toBe(n % 2 === 0 ? '/a' : '/b');
        expect(out.categorical).toEqual({ region: `r${n % 5}` });
      }
    }
    const misses = values.misses;
    const body = EVENT_TYPE.toBuffer({ ...INFERENCE_EVENT, modelId: 'model-6', endpoint: '/a', categorical: { region: 'r4' } });
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    expect(values.misses).toBe(misses);
  });

  it('gives every empty small map as one shared frozen object, and each non-empty one its own', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const decode = (event: typeof INFERENCE_EVENT) => {
      const out = new FastEvent();
      const body = EVENT_TYPE.toBuffer(event);
      expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
      return out;
    };
    const a = decode({ ...INFERENCE_EVENT, categorical: {}, attributes: {}, classProbabilities: {} });
    const b = decode({ ...INFERENCE_EVENT, categorical: {}, attributes: {} });
    expect(a.categorical).toEqual({});
    expect(a.classProbabilities).toEqual({});
    expect(a.categorical).toBe(b.attributes);
    expect(Object.isFrozen(a.attributes)).toBe(true);
    const c = decode({ ...INFERENCE_EVENT, categorical: { k: 'v' }, attributes: {} });
    const d = decode({ ...INFERENCE_EVENT, categorical: { k: 'v' }, attributes: {} });
    expect(c.categorical).toEqual({ k: 'v' });
    expect(c.categorical).not.toBe(d.categorical);
    expect(Object.isFrozen(c.categorical)).toBe(false);
  });
});
