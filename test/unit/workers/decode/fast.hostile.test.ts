/**
 * (3) Hostile bodies: a few bytes that claim 2^30 map entries, a 2 GB string, and friends. The fast
 * decoder must refuse them at the claim, before allocating anything for it, with the code (and message)
 * the guard gives, both under the default limits and with the limits raised out of the way (then the
 * bytes-left check is what stops them).
 */
import { describe, it, expect } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { compileFastDecoder, FastEvent, FastDecoderCompileError } from '../../../../workers/decode/fast.js';
import type { FastDecoderLimits } from '../../../../workers/decode/fast.js';
import { EVENT_TYPE, MiB, avroString, currentDecode, fastDecode, headFields, heapGrowth, typeOf, varint } from './helpers.js';

const RAISED: Partial<FastDecoderLimits> = {
  maxCollectionItems: 2 ** 40,
  maxTotalItems: 2 ** 40,
  maxStringBytes: 2 ** 40,
};

const DOUBLE_ONE = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f];

/** The fields after `features` of a minimal valid event: everything empty or null, latency 1, OK. */
function tailAfterFeatures(): number[] {
  return [0, 0, 0, 0, 0, ...DOUBLE_ONE, 0, 0, 0];
}

/** Up to `embedding`'s union index: head, empty features, empty categorical. */
function upToEmbedding(): number[] {
  return [...headFields(), 0, 0];
}

/** Up to `llm`'s union index (non-null), then a prompt-less trace up to `contexts`. */
function upToLlmContexts(): number[] {
  return [...headFields(), 0, 0, 0, 0, 0, 0, ...DOUBLE_ONE, 0, 2, 0, ...avroString('answer')];
}

const CASES: Record<string, number[]> = {
  'features map claiming 2^30 entries': [...headFields(), ...varint(2 ** 30)],
  'features map claiming 2^62 entries': [...headFields(), ...varint(2n ** 62n)],
  'features block of -2^30 entries with a 2^40 byte size': [...headFields(), ...varint(-(2 ** 30)), ...varint(2 ** 40)],
  'features block of -2^30 entries with a small byte size': [...headFields(), ...varint(-(2 ** 30)), ...varint(3), 1, 2, 3],
  'eventId of 2 GB': [...varint(2 ** 31), 0x61, 0x62],
  'eventId of negative length': [...varint(-5), 0x61],
  'feature name of 2 GB': [...headFields(), 2, ...varint(2 ** 31), 0x61],
  'embedding of 2^30 floats': [...upToEmbedding(), 2, ...varint(2 ** 30), 0, 0, 0, 0],
  'categorical map of 2^31 entries': [...headFields(), 0, ...varint(2 ** 31), 2, 0x61, 0],
  'llm contexts claiming 2^30 strings': [...upToLlmContexts(), ...varint(2 ** 30), 0],
  'llm tokenLogprobs claiming 2^33 floats': [...upToLlmContexts(), 0, ...varint(2 ** 33), 0],
  'an 11-byte varint': [...headFields(), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  'a timestamp past 2^53': [...avroString('e'), ...varint(2n ** 60n), ...avroString('m')],
  'a union index of 2^40': [...avroString('e'), ...varint(1), ...avroString('m'), ...avroString('v'), ...varint(2 ** 40)],
  'an enum index of 4': [...headFields(), 0, 0, 0, 0, 0, 0, ...DOUBLE_ONE, ...varint(4), 0, 0],
  'an int (inputTokens) of 2^33': [...upToLlmContexts(), 0, 0, 0, 0, 0, ...varint(2 ** 33), 0, 0],
  'trailing bytes': [...headFields(), 0, ...tailAfterFeatures(), 7, 7],
  'cut in the middle of a double': [...headFields(), 2, ...avroString('a'), 1, 2, 3],
};

describe('fast decoder: hostile bodies', () => {
  for (const [name, bytes] of Object.entries(CASES)) {
    it(`${name}: refused like the guard refuses it, quickly and without allocating`, async () => {
      const body = Uint8Array.from(bytes);
      for (const limits of [{}, RAISED]) {
        const decoder = compileFastDecoder(schemaSource('InferenceEvent'), limits);
        const out = new FastEvent();
        const capacity = out.featureValues.length;
        const expected = currentDecode(body, EVENT_TYPE, limits);
        expect(expected.ok).toBe(false);
        let actual: ReturnType<typeof fastDecode> | undefined;
        const started = performance.now();
        const growth = await heapGrowth(() => {
          actual = fastDecode(decoder, body, out);
        });
        expect(performance.now() - started).toBeLessThan(100);
        expect(growth).toBeLessThan(4 * MiB);
        expect(out.featureValues.length).toBe(capacity);
        if (expected.ok || actual === undefined || actual.ok) throw new Error('both paths must refuse');
        expect(`${actual.code} ${actual.message}`).toBe(`${expected.code} ${expected.message}`);
      }
    });
  }

  it('the same claims inside a field the reader does not know are refused the same way', async () => {
    const writer = typeOf({
      ...JSON.parse(schemaSource('InferenceEvent')),
      fields: [{ name: 'junk', type: { type: 'map', values: { type: 'array', items: 'string' } } }, ...(JSON.parse(schemaSource('InferenceEvent')) as { fields: unknown[] }).fields],
    });
    const decoder = compileFastDecoder(writer.schema() as object, RAISED);
    for (const claim of [[...varint(2 ** 30)], [2, ...avroString('k'), ...varint(2 ** 31)], [2, ...varint(2 ** 31)]]) {
      const body = Uint8Array.from([...claim, 0]);
      const expected = currentDecode(body, writer, RAISED);
      let actual: ReturnType<typeof fastDecode> | undefined;
      const growth = await heapGrowth(() => {
        actual = fastDecode(decoder, body);
      });
      expect(growth).toBeLessThan(4 * MiB);
      if (expected.ok || actual === undefined || actual.ok) throw new Error('both paths must refuse');
      expect(`${actual.code} ${actual.message}`).toBe(`${expected.code} ${expected.message}`);
    }
  });

  it('enforces maxTotalItems across collections and maxRecordBytes over the body', () => {
    const features = (n: number): number[] => {
      const out: number[] = [...varint(n)];
      for (let i = 0; i < n; i++) out.push(...avroString(`f${i}`), ...DOUBLE_ONE);
      return [...out, 0];
    };
    // 60 features + 60 categorical entries > 100 total items.
    const categorical: number[] = [...varint(60)];
    for (let i = 0; i < 60; i++) categorical.push(...avroString(`c${i}`), ...avroString('x'));
    const body = Uint8Array.from([...headFields(), ...features(60), ...categorical, 0, 0, 0, 0, 0, ...DOUBLE_ONE, 0, 0, 0]);
    const limits = { maxTotalItems: 100 };
    const expected = currentDecode(body, EVENT_TYPE, limits);
    const actual = fastDecode(compileFastDecoder(schemaSource('InferenceEvent'), limits), body);
    expect(actual.ok ? 'ok' : actual.code).toBe('VIGIL_DECODE_OVERSIZED');
    expect(actual.ok ? 'ok' : actual.message).toBe(expected.ok ? 'ok' : expected.message);
    // Without the limit the same body is fine.
    expect(fastDecode(compileFastDecoder(schemaSource('InferenceEvent')), body).ok).toBe(true);

    const small = { maxRecordBytes: body.length - 1 };
    const tooBig = fastDecode(compileFastDecoder(schemaSource('InferenceEvent'), small), body);
    const guardSays = currentDecode(body, EVENT_TYPE, small);
    expect(tooBig.ok ? 'ok' : `${tooBig.code} ${tooBig.message}`).toBe(guardSays.ok ? 'ok' : `${guardSays.code} ${guardSays.message}`);
  });

  it('rejects limits that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      let error: unknown;
      try {
        compileFastDecoder(schemaSource('InferenceEvent'), { maxCollectionItems: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(FastDecoderCompileError);
      expect((error as FastDecoderCompileError).code).toBe('VIGIL_CONFIG_INVALID');
    }
  });
});
