import { describe, expect, it } from 'vitest';
import { decodeSections, encodeSections, summaryBuffers, sumSections } from '../../../../workers/detectors/summary.js';

const NAMES = ['a', 'b'] as const;

describe('summary sections', () => {
  it('round-trip through bytes, also from an unaligned view', () => {
    const summary = { a: Float64Array.from([1, -2.5, NaN, Infinity]), b: Float64Array.from([3]) };
    const bytes = encodeSections('t', 2, NAMES, summary);
    expect(bytes.byteLength).toBe(16 + 8 * 5);
    const back = decodeSections('t', 2, NAMES, bytes);
    expect(Array.from(back['a']!)).toEqual([1, -2.5, NaN, Infinity]);
    expect(Array.from(back['b']!)).toEqual([3]);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeSections('t', 2, NAMES, shifted.subarray(1))['a']!)).toEqual([1, -2.5, NaN, Infinity]);
  });

  it('reject corrupt bytes with a RangeError before allocating what they declare', () => {
    const bytes = encodeSections('t', 1, NAMES, { a: new Float64Array(2), b: new Float64Array(1) });
    expect(() => decodeSections('t', 1, NAMES, bytes.subarray(0, 7))).toThrow(/shorter than the 8-byte header/);
    expect(() => decodeSections('t', 1, NAMES, bytes.subarray(0, bytes.length - 8))).toThrow(/declares/);
    expect(() => decodeSections('t', 2, NAMES, bytes)).toThrow(/state version 1, expected 2/);
    expect(() => decodeSections('t', 1, ['a'], bytes)).toThrow(/2 sections, expected 1/);
    const huge = Uint8Array.from(bytes);
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true); // claims 4 billion values
    expect(() => decodeSections('t', 1, NAMES, huge)).toThrow(RangeError);
    const badMagic = Uint8Array.from(bytes);
    badMagic[0] = 0;
    expect(() => decodeSections('t', 1, NAMES, badMagic)).toThrow(/magic/);
  });

  it('sum element-wise into new arrays and refuse different shapes', () => {
    const x = { a: Float64Array.from([1, 2]), b: Float64Array.from([3]) };
    const y = { a: Float64Array.from([10, 20]), b: Float64Array.from([30]) };
    const z = sumSections('t', NAMES, x, y);
    expect(Array.from(z['a']!)).toEqual([11, 22]);
    expect(Array.from(x.a)).toEqual([1, 2]);
    expect(() => sumSections('t', NAMES, x, { ...y, a: new Float64Array(3) })).toThrow(/different shapes/);
  });

  it('list each distinct buffer once for a transfer list', () => {
    const buffer = new ArrayBuffer(32);
    const summary = { a: new Float64Array(buffer, 0, 2), b: new Float64Array(buffer, 16, 2), c: new Float64Array(1) };
    expect(summaryBuffers(summary)).toHaveLength(2);
    expect(summaryBuffers({ s: new Float64Array(new SharedArrayBuffer(8)) })).toEqual([]);
  });
});
