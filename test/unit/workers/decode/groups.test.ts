/**
 * The pool's column packer against its definition: for every model version, rows in input order, each
 * chunk's features column-major in order of first appearance within the chunk, NaN where a row lacks a
 * feature, and chunks cut where rows × features would pass the cell limit. Random streams mix the
 * common case (every event with the same keys in the same order) with changed orders, missing and
 * extra keys, empty events, several versions and a first event with a repeated key.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src/demo/random.js';
import { GroupPacker, type DecodedGroup, type PackableEvent } from '../../../../workers/decode/groups.js';
import { encodeDictionary } from '../../../../workers/decode/dictionary.js';

function event(i: number, modelVersion: string, keys: string[], values: number[]): PackableEvent {
  return {
    eventId: `e${i}`,
    timestamp: 1_700_000_000_000 + i,
    modelId: 'm',
    modelVersion,
    featureCount: keys.length,
    // The decoder reuses (and over-allocates) its arrays: only the first featureCount entries count.
    featureKeys: [...keys, 'stale'],
    featureValues: Float64Array.from([...values, 999]),
    score: i / 10,
    latencyMs: i,
    status: i % 4,
    principal: 'p',
    endpoint: null,
  };
}

/** The definition, written plainly: what the packer must produce. */
function expected(events: readonly PackableEvent[], maxCells: number): DecodedGroup[] {
  const byVersion = new Map<string, number[]>();
  events.forEach((e, i) => {
    const rows = byVersion.get(e.modelVersion) ?? [];
    rows.push(i);
    byVersion.set(e.modelVersion, rows);
  });
  const out: DecodedGroup[] = [];
  for (const rows of byVersion.values()) {
    const featuresOf = (i: number): Map<string, number> => {
      const m = new Map<string, number>();
      const e = events[i]!;
      for (let k = 0; k < e.featureCount; k++) {
        const key = e.featureKeys[k]!;
        if (!m.has(key)) m.set(key, 0);
        m.set(key, e.featureValues[k]!);
      }
      return m;
    };
    let start = 0;
    while (start < rows.length) {
      const names: string[] = [];
      let end = start;
      while (end < rows.length) {
        const added = [...featuresOf(rows[end]!).keys()].filter((k) => !names.includes(k));
        if (end > start && (end - start + 1) * (names.length + added.length) > maxCells) break;
        names.push(...added);
        end++;
      }
      const chunk = rows.slice(start, end);
      const features = new Float64Array(chunk.length * names.length).fill(Number.NaN);
      chunk.forEach((row, i) => {
        for (const [key, value] of featuresOf(row)) features[names.indexOf(key) * chunk.length + i] = value;
      });
      const first = events[chunk[0]!]!;
      out.push({
        modelId: first.modelId,
        modelVersion: first.modelVersion,
        rows: Uint32Array.from(chunk),
        featureNames: names,
        features,
        scores: Float64Array.from(chunk, (r) => events[r]!.score),
        latencies: Float64Array.from(chunk, (r) => events[r]!.latencyMs),
        statuses: Uint8Array.from(chunk, (r) => events[r]!.status),
        timestamps: Float64Array.from(chunk, (r) => events[r]!.timestamp),
        eventIds: chunk.map((r) => events[r]!.eventId),
        principals: encodeDictionary(chunk.map(() => 'p')),
        endpoints: encodeDictionary(chunk.map(() => null)),
        envHashes: encodeDictionary(chunk.map(() => null)),
      } as DecodedGroup);
      start = end;
    }
  }
  return out;
}

function pack(events: readonly PackableEvent[], maxCells: number): DecodedGroup[] {
  const packer = new GroupPacker();
  events.forEach((e, i) => packer.add(i, e));
  return packer.build(maxCells);
}

function core(groups: readonly DecodedGroup[]): unknown[] {
  return groups.map((g) => ({
    modelVersion: g.modelVersion,
    rows: [...g.rows],
    featureNames: g.featureNames,
    features: [...g.features].map((v) => (Number.isNaN(v) ? 'NaN' : v)),
    scores: [...g.scores],
    latencies: [...g.latencies],
    statuses: [...g.statuses],
    timestamps: [...g.timestamps],
    eventIds: g.eventIds,
  }));
}

const BASE = Array.from({ length: 12 }, (_, k) => `f${k}`);

function stream(seed: number, n: number, variation: number): PackableEvent[] {
  const rnd = mulberry32(seed);
  const events: PackableEvent[] = [];
  for (let i = 0; i < n; i++) {
    let keys = BASE.slice();
    if (rnd() < variation) {
      const kind = Math.floor(rnd() * 4);
      if (kind === 0) keys = keys.reverse();
      else if (kind === 1) keys = keys.filter(() => rnd() < 0.7);
      else if (kind === 2) keys = [...keys, `extra${Math.floor(rnd() * 3)}`];
      else keys = [];
    }
    const version = rnd() < 0.2 ? 'v2' : 'v1';
    events.push(event(i, version, keys, keys.map(() => Math.round(rnd() * 1000) / 10)));
  }
  return events;
}

describe('GroupPacker', () => {
  it('packs streams with the same keys in every event as the definition does, across chunk limits', () => {
    for (const maxCells of [1, 11, 12, 100, 1_000_000]) {
      const events = stream(1, 300, 0);
      expect(core(pack(events, maxCells))).toEqual(core(expected(events, maxCells)));
    }
  });

  it('packs streams whose keys change (order, missing, extra, none) as the definition does', () => {
    for (const [seed, variation] of [
      [2, 0.01],
      [3, 0.1],
      [4, 0.5],
      [5, 1],
    ] as const) {
      for (const maxCells of [5, 60, 1_000, 1_000_000]) {
        const events = stream(seed, 400, variation);
        expect(core(pack(events, maxCells)), `seed ${seed}, maxCells ${maxCells}`).toEqual(core(expected(events, maxCells)));
      }
    }
  });

  it('keeps the last value of a key repeated in the first event, in the key’s first position', () => {
    const events = [event(0, 'v1', ['a', 'b', 'a'], [1, 2, 3]), event(1, 'v1', ['a', 'b', 'a'], [4, 5, 6]), event(2, 'v1', ['a', 'b'], [7, 8])];
    const groups = pack(events, 1_000);
    expect(core(groups)).toEqual(core(expected(events, 1_000)));
    expect(groups[0]!.featureNames).toEqual(['a', 'b']);
    expect([...groups[0]!.features]).toEqual([3, 6, 7, 2, 5, 8]);
  });

  it('packs a group that leaves the uniform layout after many rows, and returns to its keys, as the definition does', () => {
    const uniform = (i: number) => event(i, 'v1', BASE, BASE.map((_, k) => i * 100 + k));
    const events = [
      ...Array.from({ length: 50 }, (_, i) => uniform(i)),
      event(50, 'v1', [...BASE].reverse(), BASE.map((_, k) => -k)),
      ...Array.from({ length: 20 }, (_, i) => uniform(51 + i)),
      event(71, 'v1', ['new', ...BASE], [7, ...BASE.map((_, k) => k)]),
      uniform(72),
    ];
    for (const maxCells of [12, 130, 1_000_000]) expect(core(pack(events, maxCells)), `maxCells ${maxCells}`).toEqual(core(expected(events, maxCells)));
    const [group] = pack(events, 1_000_000);
    expect(group!.featureNames).toEqual([...BASE, 'new']);
    // row 50 wrote its keys in reverse (f11 first, with -0; f0 last, with -11)
    expect(group!.features[0 * 73 + 50]).toBe(-11);
    expect(group!.features[11 * 73 + 50]).toBe(-0);
    expect(group!.features[3 * 73 + 49]).toBe(4903);
    expect(group!.features[12 * 73 + 71]).toBe(7);
    expect(group!.features[12 * 73 + 72]).toBeNaN();
  });

  it('packs only its own rows when it reuses the buffers of a bigger packer before it', () => {
    const big = stream(6, 500, 0.3);
    expect(core(pack(big, 1_000_000))).toEqual(core(expected(big, 1_000_000)));
    for (const variation of [0, 1]) {
      const small = stream(7, 5, variation);
      expect(core(pack(small, 1_000_000))).toEqual(core(expected(small, 1_000_000)));
    }
  });

  it('packs a uniform group of events without features, then one with', () => {
    const events = [event(0, 'v1', [], []), event(1, 'v1', [], []), event(2, 'v1', ['x'], [5])];
    expect(core(pack(events, 100))).toEqual(core(expected(events, 100)));
    expect([...pack(events, 100)[0]!.features].map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 'NaN', 5]);
  });

  it('gives NaN for a feature a row lacks, and an empty matrix for events without features', () => {
    const none = pack([event(0, 'v1', [], []), event(1, 'v1', [], [])], 100);
    expect(none[0]!.featureNames).toEqual([]);
    expect(none[0]!.features.length).toBe(0);
    const mixed = pack([event(0, 'v1', ['x'], [1]), event(1, 'v1', ['y'], [2])], 100);
    expect(mixed[0]!.featureNames).toEqual(['x', 'y']);
    expect([...mixed[0]!.features].map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual([1, 'NaN', 'NaN', 2]);
  });
});
