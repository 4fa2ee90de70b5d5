import { transferableSymbol, valueSymbol } from 'piscina';
import { describe, expect, it } from 'vitest';
import { buildReference, scoreWindow, scoreWindows, summarize, summarizeBatch } from '../../../workers/scoring.js';
import { normalColumns } from './helpers.js';

const reference = buildReference({ columns: normalColumns(1, 1000, 3), featureNames: ['a', 'b', 'c'], id: 'ref' });

describe('scoring tasks (in-process)', () => {
  it('buildReference returns a SharedArrayBuffer-backed profile with the default 10 bins', () => {
    expect(reference.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(reference.binCount).toBe(10);
  });

  it('summarize marks every summary buffer for transfer', () => {
    const moved = summarize({ columns: normalColumns(2, 500, 4), reference, detectors: ['psi'] });
    const summaries = moved[valueSymbol];
    const buffers = moved[transferableSymbol];
    expect(Object.keys(summaries)).toEqual(['psi']);
    const psi = summaries['psi']!;
    expect(buffers).toContain(psi['counts']!.buffer);
    expect(buffers).toContain(psi['totals']!.buffer);
    expect(new Set(buffers).size).toBe(buffers.length);
  });

  it('scoreWindow scores merged summaries in detector order', () => {
    const summaries = summarizeBatch({ columns: normalColumns(3, 1000, 3, 1), reference, detectors: ['psi'] });
    const scores = scoreWindow({ summaries, reference, detectors: ['psi'] });
    expect(scores.map((s) => [s.detector, s.feature])).toEqual([
      ['psi', 'a'],
      ['psi', 'b'],
      ['psi', 'c'],
    ]);
    for (const s of scores) expect(s.score).toBeGreaterThan(0.25);
  });

  it('scoreWindows scores each window as scoreWindow would, in order, and names a malformed window', () => {
    const windows = [1, 0.1, 2].map((shift, i) => ({ summaries: summarizeBatch({ columns: normalColumns(20 + i, 800, 3, shift), reference, detectors: ['psi'] }), reference, detectors: ['psi'] }));
    const together = scoreWindows({ windows });
    expect(together).toEqual(windows.map((w) => scoreWindow(w)));
    expect(together[0]![0]!.score).toBeGreaterThan(together[1]![0]!.score);
    expect(scoreWindows({ windows: [] })).toEqual([]);
    expect(() => scoreWindows({} as never)).toThrow(/windows must be an array/);
    expect(() => scoreWindows({ windows: [windows[0]!, null as never] })).toThrow(/window 1 is not a scoreWindow task/);
    expect(() => scoreWindows({ windows: [{ ...windows[0]!, detectors: ['nope'] }] })).toThrow(/nope/);
  });

  it('passes per-detector parameters through their validation', () => {
    const summaries = summarizeBatch({ columns: normalColumns(4, 50, 3), reference, detectors: ['psi'] });
    expect(scoreWindow({ summaries, reference, detectors: ['psi'] })).toEqual([]);
    expect(scoreWindow({ summaries, reference, detectors: ['psi'], params: { psi: { minCount: 10 } } })).toHaveLength(3);
    expect(() => scoreWindow({ summaries, reference, detectors: ['psi'], params: { psi: { minCount: -1 } } })).toThrow(/"minCount"/);
  });

  it('rejects malformed tasks with messages that say what is wrong', () => {
    const columns = normalColumns(5, 10, 3);
    expect(() => summarizeBatch({ columns, reference, detectors: [] })).toThrow(/non-empty array/);
    expect(() => summarizeBatch({ columns, reference, detectors: ['psi', 'psi'] })).toThrow(/twice/);
    expect(() => summarizeBatch({ columns, reference, detectors: ['nope'] })).toThrow(/unknown detector "nope"/);
    expect(() => summarizeBatch({ columns: { ...columns, count: 11 }, reference, detectors: ['psi'] })).toThrow(/columns.features has 30 values, expected 33/);
    expect(() => scoreWindow({ summaries: {}, reference, detectors: ['psi'] })).toThrow(/no summary for detector "psi"/);
  });
});
