/**
 * Seeded random mutations of valid encoded events. Two properties:
 * 1. decodeRecords never throws, never allocates wildly, and gives every record exactly one fate.
 * 2. whenever the guard accepts a body, avsc reads it without throwing and ends exactly at its end:
 *    the guard and avsc agree byte for byte on what they read.
 */
import { describe, it, expect } from 'vitest';
import { ERROR_CODES } from '../../../../src/errors.js';
import type { ErrorCode } from '../../../../src/errors.js';
import { compileGuard } from '../../../reference/decode/guard.js';
import type { InputRecord } from '../../../../src/pipeline/decode/index.js';
import { EVENT_TYPE, MiB, int, makeStage, mulberry32, mutate, originals, rec } from './helpers.js';

const SEED = 0x5eed_2025;
const MUTATIONS = 2_000;
const BATCH = 100;

/** Codes a record may be dead-lettered with; VIGIL_INTERNAL (a bug) is deliberately absent. */
const RECORD_CODES = new Set<ErrorCode>([
  'VIGIL_DECODE_MAGIC',
  'VIGIL_DECODE_SHORT',
  'VIGIL_DECODE_UNKNOWN_SCHEMA',
  'VIGIL_DECODE_SCHEMA_MISMATCH',
  'VIGIL_DECODE_MALFORMED',
  'VIGIL_DECODE_TRUNCATED',
  'VIGIL_DECODE_TRAILING',
  'VIGIL_DECODE_OVERSIZED',
  'VIGIL_EVENT_INVALID',
  'VIGIL_EVENT_DUPLICATE',
]);

describe('fuzz: mutated events', () => {
  it(`${MUTATIONS} seeded mutations never throw out of decodeRecords nor allocate wildly`, async () => {
    const rng = mulberry32(SEED);
    const bases = originals();
    const { stage } = makeStage();
    let offset = 0;
    let maxGrowth = 0;
    let decoded = 0;
    const seen = new Map<string, number>();
    for (let done = 0; done < MUTATIONS; done += BATCH) {
      const records: InputRecord[] = [];
      for (let i = 0; i < BATCH; i++) records.push(rec(mutate(bases[int(rng, bases.length)]!, rng), offset++, int(rng, 3)));
      const before = process.memoryUsage().heapUsed;
      const result = await stage.decodeRecords(records);
      maxGrowth = Math.max(maxGrowth, process.memoryUsage().heapUsed - before);
      decoded += result.decoded;
      expect(result.decoded + result.deadLetters.length).toBe(records.length);
      expect(result.batches.reduce((n, b) => n + b.count, 0)).toBe(result.decoded);
      for (const letter of result.deadLetters) {
        expect(RECORD_CODES.has(letter.code), `${letter.code}: ${letter.message}`).toBe(true);
        expect(ERROR_CODES[letter.code]).toBeDefined();
        seen.set(letter.code, (seen.get(letter.code) ?? 0) + 1);
      }
    }
    // 100 records of under 2 KiB each: anything near a few tens of MB would be a claim being honoured.
    expect(maxGrowth).toBeLessThan(32 * MiB);
    // The mutations reach the interesting paths, and some survive (flipped bits inside doubles, say).
    for (const code of ['VIGIL_DECODE_TRUNCATED', 'VIGIL_DECODE_TRAILING', 'VIGIL_DECODE_OVERSIZED', 'VIGIL_DECODE_MALFORMED', 'VIGIL_DECODE_UNKNOWN_SCHEMA'] as const) {
      expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(decoded).toBeGreaterThan(0);
  });

  it('whenever the guard accepts a mutated body, avsc reads exactly that body', () => {
    const rng = mulberry32(SEED + 1);
    const bodies = originals().map((value) => value.subarray(5));
    const guard = compileGuard(EVENT_TYPE);
    let accepted = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const body = mutate(bodies[int(rng, bodies.length)]!, rng);
      try {
        guard.check(body, 0, body.length);
      } catch {
        continue; // rejected: nothing reaches avsc
      }
      accepted++;
      const { offset } = EVENT_TYPE.decode(body, 0);
      expect(offset).toBe(body.length);
    }
    expect(accepted).toBeGreaterThan(50);
  });
});
