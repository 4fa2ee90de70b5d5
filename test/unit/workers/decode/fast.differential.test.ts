/**
 * (1) Differential: for thousands of seeded random valid events, the fast decoder gives field by field
 * what avsc decodes from the same bytes, and validateFast says what validateEvent says.
 */
import { describe, it, expect } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { compileFastDecoder, FastEvent, toInferenceEvent } from '../../../../workers/decode/fast.js';
import type { PackableEvent } from '../../../../workers/decode/groups.js';
import { KeyCache } from '../../../../workers/decode/keys.js';
import { EVENT_TYPE, currentDecode, currentValidation, embedded, expectSameEvent, fastValidation, int, mulberry32, randomEvent } from './helpers.js';
import { INFERENCE_EVENT, LLM_INFERENCE_EVENT } from '../../../fixtures/samples.js';

const EVENTS = 3_000;

describe('fast decoder: differential against guard + avsc', () => {
  it('decodes the contract samples exactly as avsc does', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    expect(decoder.writerIsReader).toBe(true);
    for (const sample of [INFERENCE_EVENT, LLM_INFERENCE_EVENT]) {
      const body = EVENT_TYPE.toBuffer(sample);
      const out = new FastEvent();
      expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
      expect(decoder.lastError).toBeUndefined();
      expectSameEvent(out, sample);
      expect(toInferenceEvent(out)).toEqual(sample);
    }
  });

  it(`${EVENTS} seeded random events decode to the same values, reusing one FastEvent`, () => {
    const rng = mulberry32(0xd1ff_2025);
    const decoder = compileFastDecoder(JSON.parse(schemaSource('InferenceEvent')) as object);
    const out = new FastEvent(4); // small on purpose: featureValues must grow
    const seen = { llm: 0, embedding: 0, nullScore: 0, invalid: 0, features: 0 };
    for (let i = 0; i < EVENTS; i++) {
      const event = randomEvent(rng);
      const body = EVENT_TYPE.toBuffer(event);
      const reference = currentDecode(body);
      if (!reference.ok) throw new Error(`the current path refused a valid event: ${reference.message}`);
      // Alternate between a Buffer at 0 and a plain Uint8Array window inside junk bytes.
      const { buf, start, end } = i % 2 === 0 ? { buf: body, start: 0, end: body.length } : embedded(body, rng);
      expect(decoder.decode(buf, start, end, out), decoder.lastError?.message).toBeUndefined();
      expectSameEvent(out, reference.event);
      expect(fastValidation(out)).toBe(currentValidation(reference.event));
      if (event.llm !== null) seen.llm++;
      if (event.embedding !== null) seen.embedding++;
      if (event.score === null) seen.nullScore++;
      if (currentValidation(reference.event) !== 'valid') seen.invalid++;
      seen.features = Math.max(seen.features, out.featureCount);
    }
    // The generator reached what it should.
    expect(seen.llm).toBeGreaterThan(EVENTS / 5);
    expect(seen.embedding).toBeGreaterThan(EVENTS / 3);
    expect(seen.nullScore).toBeGreaterThan(EVENTS / 3);
    expect(seen.invalid).toBeGreaterThan(EVENTS / 20);
    expect(seen.features).toBeGreaterThan(55);
  });

  it('gives the same results whether decoders share key caches or not', () => {
    const rng = mulberry32(99);
    const keys = new KeyCache({ maxKeys: 64 }); // small: resets happen between records
    const values = new KeyCache({ maxKeys: 16 });
    const a = compileFastDecoder(schemaSource('InferenceEvent'), { keyCache: keys, valueCache: values });
    const b = compileFastDecoder(schemaSource('InferenceEvent'), { keyCache: keys, valueCache: values });
    const out = new FastEvent();
    for (let i = 0; i < 500; i++) {
      const event = randomEvent(rng);
      const body = EVENT_TYPE.toBuffer(event);
      const reference = currentDecode(body);
      if (!reference.ok) throw new Error(reference.message);
      const decoder = int(rng, 2) === 0 ? a : b;
      expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
      expectSameEvent(out, reference.event);
    }
    expect(keys.resets).toBeGreaterThan(0);
    expect(values.resets).toBeGreaterThan(0);
  });

  it('decodes records that share one ArrayBuffer, and again after release()', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const bodies = [INFERENCE_EVENT, LLM_INFERENCE_EVENT].map((e) => EVENT_TYPE.toBuffer(e));
    const pool = Buffer.concat(bodies); // like the records of one Kafka fetch
    const out = new FastEvent();
    for (let round = 0; round < 3; round++) {
      let offset = 0;
      for (const [i, body] of bodies.entries()) {
        const record = pool.subarray(offset, offset + body.length);
        offset += body.length;
        expect(decoder.decode(record, 0, record.length, out)).toBeUndefined();
        expectSameEvent(out, i === 0 ? INFERENCE_EVENT : LLM_INFERENCE_EVENT);
      }
      decoder.release();
    }
  });

  it('fills a FastEvent that is a PackableEvent, what the pool GroupPacker packs', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const body = EVENT_TYPE.toBuffer(LLM_INFERENCE_EVENT);
    const out = new FastEvent();
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    const packable: PackableEvent = out; // checked by tsc
    expect(packable.score).toBeNaN();
    expect(packable.status).toBe(3);
  });

  it('refuses a decode range outside the bytes given', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const body = EVENT_TYPE.toBuffer(INFERENCE_EVENT);
    const out = new FastEvent();
    expect(() => decoder.decode(body, -1, body.length, out)).toThrow(RangeError);
    expect(() => decoder.decode(body, 0, body.length + 1, out)).toThrow(RangeError);
    expect(() => decoder.decode(body, 5, 4, out)).toThrow(RangeError);
    expect(() => decoder.decode(body, 0.5, body.length, out)).toThrow(RangeError);
  });
});
