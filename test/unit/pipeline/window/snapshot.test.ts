import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { ModelWindows } from '../../../../src/pipeline/window/window.js';
import { parseReferenceLines, referenceFromRows } from '../../../../src/pipeline/window/reference.js';
import type { WindowOptions } from '../../../../src/pipeline/window/types.js';
import { VigilError } from '../../../../src/errors.js';
import { T0, batchesOf, drive, makeBatch, merge, shape, stream, summarise } from './helpers.js';

const OPTIONS: WindowOptions = { modelId: 'credit-risk', modelVersion: '3.2.0', windows: { count: 10, timeMs: 200 }, referenceEvents: 6, merge };

function error(run: () => unknown): VigilError {
  try {
    run();
  } catch (caught) {
    if (caught instanceof VigilError) return caught;
    throw caught;
  }
  throw new Error('expected a VigilError');
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Rows with irregular gaps, so both count and time closures happen. */
const ROWS = stream(120, { stepMs: 7 }).map((row, i) => ({ ts: row.ts + (i % 17 === 0 ? 150 * Math.floor(i / 17) : 0), values: [i, i % 5] }));
const FEATURES = { featureNames: ['x', 'y'] };

describe('snapshot and restore', () => {
  it.each([
    ['while collecting the reference', 4],
    ['with a window in progress', 33],
    ['right after a window closed', 26],
  ])('round-trips %s: identical bytes, identical behaviour afterwards', (_when, split) => {
    const original = new ModelWindows(OPTIONS);
    drive(original, batchesOf(ROWS.slice(0, split), [5], FEATURES));
    const bytes = original.snapshot();

    const restored = new ModelWindows(OPTIONS);
    restored.restore(bytes);
    expect(hex(restored.snapshot())).toBe(hex(bytes));
    expect(restored.phase).toBe(original.phase);
    expect(restored.reference()?.referenceId).toBe(original.reference()?.referenceId);

    const rest = batchesOf(ROWS.slice(split), [9], { ...FEATURES, firstOffset: split });
    const a = drive(original, rest);
    const b = drive(restored, rest);
    expect(b.slices).toEqual(a.slices);
    expect(b.closed).toEqual(a.closed);
    expect(a.closed.length).toBeGreaterThan(3);
    expect(hex(restored.snapshot())).toBe(hex(original.snapshot()));
  });

  it('gives the same bytes for the same state reached through different batchings', () => {
    const a = new ModelWindows(OPTIONS);
    const b = new ModelWindows(OPTIONS);
    drive(a, batchesOf(ROWS.slice(0, 50), [50], FEATURES));
    drive(b, batchesOf(ROWS.slice(0, 50), [50], FEATURES), { reverse: true });
    expect(hex(a.snapshot())).toBe(hex(b.snapshot()));
    // Batched differently, the windows are the same but the offset spans differ (batch granularity).
    const c = new ModelWindows(OPTIONS);
    const closedC = drive(c, batchesOf(ROWS.slice(0, 50), [3], FEATURES)).closed.map(shape);
    expect(closedC).toEqual(drive(new ModelWindows(OPTIONS), batchesOf(ROWS.slice(0, 50), [50], FEATURES)).closed.map(shape));
  });

  it('restores a state given a file reference', () => {
    const reference = referenceFromRows([{ features: { x: 1, y: 2 } }, { features: { x: 3 } }]);
    const original = new ModelWindows({ ...OPTIONS, reference });
    expect(original.phase).toBe('ready');
    drive(original, batchesOf(ROWS.slice(0, 15), [15], FEATURES));
    const restored = new ModelWindows(OPTIONS);
    restored.restore(original.snapshot());
    expect(restored.reference()?.referenceId).toBe(reference.referenceId);
    expect(restored.reference()?.source).toBeNull();
    expect(hex(restored.snapshot())).toBe(hex(original.snapshot()));
  });

  it('refuses to snapshot while slices await their summary', () => {
    const w = new ModelWindows({ ...OPTIONS, referenceEvents: 1 });
    const batch = makeBatch(stream(5));
    const { slices } = w.assign(batch);
    expect(w.pendingSlices).toBe(1);
    expect(error(() => w.snapshot()).message).toContain('1 slice(s) still await their summary');
    w.addSummary(slices[0]!, summarise(batch, slices[0]!));
    expect(() => w.snapshot()).not.toThrow();
  });
});

describe('corrupt snapshots are rejected with a clear error', () => {
  const source = new ModelWindows(OPTIONS);
  drive(source, batchesOf(ROWS.slice(0, 20), [7], FEATURES));
  const good = source.snapshot();

  function rejects(bytes: Uint8Array, message: RegExp, options: WindowOptions = OPTIONS): void {
    const target = new ModelWindows(options);
    const before = hex(target.snapshot());
    const caught = error(() => target.restore(bytes));
    expect(caught.code).toBe('VIGIL_INPUT_INVALID');
    expect(caught.message).toMatch(message);
    expect(hex(target.snapshot())).toBe(before); // nothing half-restored
  }

  /** A snapshot with a valid header and checksum around an arbitrary body. */
  function framed(body: unknown): Uint8Array {
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    return Buffer.concat([Buffer.from('VGWS', 'latin1'), Buffer.from([1]), createHash('sha256').update(json).digest(), json]);
  }

  it('a flipped byte fails the checksum', () => {
    const bytes = Uint8Array.from(good);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x01;
    rejects(bytes, /window snapshot of credit-risk@3\.2\.0 is corrupt: the checksum does not match/);
  });

  it('truncated bytes, a wrong magic or an unknown format version', () => {
    rejects(good.subarray(0, 20), /shorter than the 37-byte header/);
    rejects(good.subarray(0, good.length - 1), /checksum/);
    const magic = Uint8Array.from(good);
    magic[0] = 0x58;
    rejects(magic, /does not start with "VGWS"/);
    const version = Uint8Array.from(good);
    version[4] = 9;
    rejects(version, /format version 9 is not supported/);
  });

  it('a checksummed body with a missing or ill-typed field', () => {
    const body = JSON.parse(Buffer.from(good.subarray(37)).toString('utf8')) as Record<string, unknown>;
    rejects(framed({ ...body, nextIndex: -1 }), /nextIndex is not an integer >= 0/);
    rejects(framed({ ...body, reference: { ...(body['reference'] as object), scores: 'AAAA' } }), /reference\.scores holds 3 bytes, expected 48/);
    rejects(framed({ ...body, featureNames: 'x' }), /featureNames is not a list of strings/);
    rejects(framed([1, 2]), /\$ is not an object/);
    const notJson = Buffer.from('{"modelId":', 'utf8');
    rejects(Buffer.concat([Buffer.from('VGWS', 'latin1'), Buffer.from([1]), createHash('sha256').update(notJson).digest(), notJson]), /the body is not JSON/);
  });

  it('the snapshot of another model version', () => {
    rejects(good, /holds the state of credit-risk@3\.2\.0/, { ...OPTIONS, modelVersion: '3.3.0' });
  });
});

describe('reference files', () => {
  it('parses JSON lines, keeps the first N rows and orders features by first appearance', () => {
    const text = ['{"features":{"income":10,"age":40},"score":0.2}', '', '{"features":{"age":41,"tenure":3},"status":"ERROR","timestamp":5}', '{"features":{"x":1}}'].join('\n');
    const rows = parseReferenceLines(text, 'ref.jsonl', 2);
    expect(rows).toHaveLength(2);
    const reference = referenceFromRows(rows);
    expect(reference.featureNames).toEqual(['income', 'age', 'tenure']);
    expect(Array.from(reference.features)).toEqual([10, Number.NaN, 40, 41, Number.NaN, 3]);
    expect(Array.from(reference.statuses)).toEqual([0, 1]);
    expect(reference.referenceId).toBe(referenceFromRows(parseReferenceLines(text, 'other-name.jsonl', 2)).referenceId);
  });

  it.each([
    ['{"features":', 'line 1: not valid JSON'],
    ['{"features":{"a":"1"}}', 'line 1: features.a must be a finite number'],
    ['{"features":{"a":1}}\n[1]', 'line 2: must be a JSON object'],
    ['{"feature":{"a":1}}', '"features" must be an object of numbers'],
    ['{"features":{"a":1},"status":"MAYBE"}', '"status" must be one of OK, ERROR, TIMEOUT, FALLBACK'],
  ])('rejects %j naming the line', (text, message) => {
    const caught = error(() => parseReferenceLines(text, 'ref.jsonl', 10));
    expect(caught.code).toBe('VIGIL_INPUT_INVALID');
    expect(caught.message).toContain('reference file ref.jsonl');
    expect(caught.message).toContain(message);
  });

  it('starts a version with a file reference in the ready phase', () => {
    const w = new ModelWindows({ ...OPTIONS, reference: referenceFromRows([{ features: { x: 1 } }]) });
    expect(w.phase).toBe('ready');
    const { reference, slices } = w.assign(makeBatch([{ ts: T0, values: [1] }]));
    expect(reference).toBeNull();
    expect(slices).toHaveLength(1);
  });
});
