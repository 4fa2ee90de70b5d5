/**
 * (2) The seeded mutation corpus of test/unit/pipeline/decode/fuzz.test.ts (same `mutate`, same seeds,
 * same bases, same sequence of draws), run through both paths: the fast decoder fails exactly when the
 * current path (guard + avsc, then validation) fails, with the same code and the same message; when
 * both succeed, the values are the same.
 *
 * No divergence is expected, and none is tolerated: the fast decoder performs the guard's checks in the
 * guard's order, so even the first error found (and hence the code) is the same.
 */
import { describe, it, expect } from 'vitest';
import { isVigilError } from '../../../../src/errors.js';
import type { ErrorCode } from '../../../../src/errors.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { InferenceDecoder } from '../../../reference/decode/decoder.js';
import { WIRE_HEADER_BYTES, readSchemaId } from '../../../../src/pipeline/decode/wire.js';
import { compileFastDecoder, FastEvent } from '../../../../workers/decode/fast.js';
import type { FastDecoder } from '../../../../workers/decode/fast.js';
import { validateFast } from '../../../../workers/decode/validate.js';
import { EVENT_ID, FakeLookup, int, mutate, originals } from '../../pipeline/decode/helpers.js';
import { EVENT_TYPE, MiB, NOW, currentDecode, expectSameEvent, fastDecode, mulberry32, randomEvent } from './helpers.js';

// The same corpus as test/unit/pipeline/decode/fuzz.test.ts: same seeds, bases and draws.
const SEED = 0x5eed_2025;
const MUTATIONS = 2_000;
const BATCH = 100;

/** What a worker would do with one wire record: header, fast decode, validateFast; 'ok' or code + message. */
function fastRecord(decoder: FastDecoder, value: Buffer, out: FastEvent): string {
  let id: number;
  try {
    id = readSchemaId(value);
  } catch (err) {
    if (isVigilError(err)) return `${err.code} ${err.message}`;
    throw err;
  }
  if (id !== EVENT_ID) return 'VIGIL_DECODE_UNKNOWN_SCHEMA';
  const code = decoder.decode(value, WIRE_HEADER_BYTES, value.length, out);
  if (code !== undefined) return `${code} ${decoder.lastError!.message}`;
  const invalid = validateFast(out, NOW);
  return invalid === undefined ? 'ok' : `${invalid.code} ${invalid.message}`;
}

async function currentRecord(decoder: InferenceDecoder, value: Buffer): Promise<string> {
  const outcome = await decoder.decode(value, NOW);
  if (outcome.ok) return 'ok';
  if (outcome.error.code === 'VIGIL_DECODE_UNKNOWN_SCHEMA') return outcome.error.code;
  return `${outcome.error.code} ${outcome.error.message}`;
}

describe('fast decoder on the fuzz corpus', () => {
  it(`the ${MUTATIONS} wire records of the decodeRecords fuzz test get the same fate and message`, async () => {
    const rng = mulberry32(SEED);
    const bases = originals();
    const current = new InferenceDecoder({ lookup: new FakeLookup(), now: () => NOW });
    const fast = compileFastDecoder(schemaSource('InferenceEvent'));
    const out = new FastEvent();
    const seen = new Map<string, number>();
    let maxGrowth = 0;
    for (let done = 0; done < MUTATIONS; done += BATCH) {
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < BATCH; i++) {
        const value = mutate(bases[int(rng, bases.length)]!, rng);
        int(rng, 3); // the partition the original test draws next: keeps the sequence identical
        const expected = await currentRecord(current, value);
        const actual = fastRecord(fast, value, out);
        expect(actual, `record ${done + i}: ${value.toString('hex')}`).toBe(expected);
        const code = actual.split(' ')[0]!;
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }
      maxGrowth = Math.max(maxGrowth, process.memoryUsage().heapUsed - before);
    }
    expect(maxGrowth).toBeLessThan(32 * MiB);
    for (const code of ['ok', 'VIGIL_DECODE_TRUNCATED', 'VIGIL_DECODE_TRAILING', 'VIGIL_DECODE_OVERSIZED', 'VIGIL_DECODE_MALFORMED', 'VIGIL_EVENT_INVALID']) {
      expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });

  it(`the ${MUTATIONS} bodies of the guard/avsc agreement test: same verdict, code, message and values`, () => {
    const rng = mulberry32(SEED + 1);
    const bodies = originals().map((value) => value.subarray(5));
    const fast = compileFastDecoder(schemaSource('InferenceEvent'));
    const out = new FastEvent();
    const codes = new Map<ErrorCode | 'ok', number>();
    for (let i = 0; i < MUTATIONS; i++) {
      const body = mutate(bodies[int(rng, bodies.length)]!, rng);
      const expected = currentDecode(body);
      const actual = fastDecode(fast, body, out);
      if (expected.ok) {
        expect(actual.ok, `body ${i} ${body.toString('hex')}: ${actual.ok ? '' : actual.message}`).toBe(true);
        expectSameEvent(out, expected.event);
      } else {
        expect(actual.ok ? 'ok' : `${actual.code} ${actual.message}`, `body ${i} ${body.toString('hex')}`).toBe(`${expected.code} ${expected.message}`);
      }
      const code = expected.ok ? 'ok' : expected.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get('ok') ?? 0).toBeGreaterThan(50);
  });

  it('a wider corpus (random events as bases, 10,000 mutations): the same fate, code and message', () => {
    const rng = mulberry32(0xfa57_f022);
    // Small limits, so that OVERSIZED is reached by ordinary-looking bodies too.
    const limits = { maxCollectionItems: 500, maxTotalItems: 2_000, maxStringBytes: 4096, maxRecordBytes: 16 * 1024 };
    const fast = compileFastDecoder(schemaSource('InferenceEvent'), limits);
    const out = new FastEvent();
    const codes = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const base = EVENT_TYPE.toBuffer(randomEvent(rng, 16));
      const body = mutate(base, rng);
      const expected = currentDecode(body, EVENT_TYPE, limits);
      const actual = fastDecode(fast, body, out);
      if (expected.ok) {
        expect(actual.ok, `body ${i} ${body.toString('hex')}: ${actual.ok ? '' : actual.message}`).toBe(true);
        expectSameEvent(out, expected.event);
      } else {
        expect(actual.ok ? 'ok' : `${actual.code} ${actual.message}`, `body ${i} ${body.toString('hex')}`).toBe(`${expected.code} ${expected.message}`);
      }
      const code = expected.ok ? 'ok' : expected.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    for (const code of ['ok', 'VIGIL_DECODE_TRUNCATED', 'VIGIL_DECODE_TRAILING', 'VIGIL_DECODE_OVERSIZED', 'VIGIL_DECODE_MALFORMED']) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(20);
    }
  });
});
