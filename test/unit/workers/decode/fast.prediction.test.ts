/**
 * The features map's predicted keys (the key read at the same entry of the previous record, checked by
 * its length byte and first bytes in one word, then the rest): whatever the next record holds, one
 * decoder fed a sequence of records decodes each exactly as the reference (guard + avsc) does, with
 * avsc's duplicate-key rule, and fails a cut record with the guard's error.
 */
import { describe, expect, it } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { compileFastDecoder, FastEvent } from '../../../../workers/decode/fast.js';
import { KeyCache } from '../../../../workers/decode/keys.js';
import { currentDecode, expectSameEvent, headFields, varint } from './helpers.js';

type Entry = readonly [string, number];
/** A block of entries; `sized` writes it with a negative count and its byte size. */
interface Block {
  readonly entries: readonly Entry[];
  readonly sized?: boolean;
}

function double(v: number): number[] {
  const d = Buffer.alloc(8);
  d.writeDoubleLE(v);
  return [...d];
}

/** A body whose features map is written exactly as these blocks say. */
function body(blocks: readonly Block[]): Uint8Array {
  const map: number[] = [];
  for (const block of blocks) {
    const items = block.entries.flatMap(([key, value]) => {
      const k = [...Buffer.from(key, 'utf8')];
      return [...varint(k.length), ...k, ...double(value)];
    });
    if (block.sized === true) map.push(...varint(-block.entries.length), ...varint(items.length), ...items);
    else map.push(...varint(block.entries.length), ...items);
  }
  map.push(0);
  return Uint8Array.from([...headFields(), ...map, 0, 0, 0, 0, 0, ...double(1), 0, 0, 0]);
}

const one = (...entries: Entry[]): Block[] => [{ entries }];
const keyed = (keys: string, base: number): Entry[] => keys.split(',').map((k, i) => [k, base + i]);

/** Decodes every body with one decoder and one event, each checked against the reference. */
function decodeAll(bodies: readonly Uint8Array[], keys = new KeyCache()): string[][] {
  const decoder = compileFastDecoder(schemaSource('InferenceEvent'), { keyCache: keys });
  const out = new FastEvent();
  return bodies.map((b, n) => {
    const reference = currentDecode(b);
    if (!reference.ok) throw new Error(`body ${n}: ${reference.message}`);
    expect(decoder.decode(b, 0, b.length, out), `body ${n}`).toBeUndefined();
    expectSameEvent(out, reference.event);
    return out.featureKeys.slice(0, out.featureCount);
  });
}

describe('fast decoder: predicted feature keys', () => {
  it('follows a key order that changes mid-stream and changes back', () => {
    const abc = (base: number) => body(one(...keyed('alpha,beta,gamma', base)));
    const keys = new KeyCache();
    const got = decodeAll([abc(0), abc(10), body(one(...keyed('gamma,alpha,beta', 20))), body(one(...keyed('alpha,gamma', 30))), abc(40)], keys);
    expect(got).toEqual([['alpha', 'beta', 'gamma'], ['alpha', 'beta', 'gamma'], ['gamma', 'alpha', 'beta'], ['alpha', 'gamma'], ['alpha', 'beta', 'gamma']]);
    expect(keys.misses).toBe(3);
  });

  it('merges a key repeated where another was predicted: first position, last value', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const out = new FastEvent();
    for (const entries of [keyed('a,b,c', 1), [['a', 1], ['b', 2], ['a', 3], ['c', 4], ['b', 5]] as Entry[], keyed('a,b,c', 7)]) {
      const b = body(one(...entries));
      expect(decoder.decode(b, 0, b.length, out)).toBeUndefined();
      const reference = currentDecode(b);
      if (!reference.ok) throw new Error(reference.message);
      expectSameEvent(out, reference.event);
    }
    expect(out.featureKeys.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect([...out.featureValues.subarray(0, 3)]).toEqual([7, 8, 9]);
  });

  it('finds a repeated key that is itself the predicted one, and drops `__proto__` where another key was', () => {
    const got = decodeAll([
      body(one(...keyed('a,b,c,d', 0))),
      body(one(['a', 1], ['b', 2], ['a', 3], ['c', 4])),
      body(one(['a', 1], ['b', 2], ['a', 3], ['c', 4])), // the repeat at entry 2 is now the prediction
      body(one(['a', 1], ['__proto__', 2], ['b', 3])),
      body(one(['a', 1], ['__proto__', 2], ['b', 3])),
      body(one(...keyed('a,b,c,d', 0))),
    ]);
    expect(got.map((k) => k.join(','))).toEqual(['a,b,c,d', 'a,b,c', 'a,b,c', 'a,b', 'a,b', 'a,b,c,d']);
  });

  it('keeps keysVersion while the keys stay, and gives a new one when they change or a decode fails', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const out = new FastEvent();
    expect(out.keysVersion).toBe(-1);
    const versions = [
      body(one(...keyed('a,b,c', 0))),
      body(one(...keyed('a,b,c', 5))),
      body(one(...keyed('a,c,b', 0))),
      body(one(...keyed('a,c', 0))),
      body(one(...keyed('a,c,b', 0))),
      body([{ entries: keyed('a,c', 0) }, { entries: keyed('b', 2) }]),
    ].map((b) => {
      expect(decoder.decode(b, 0, b.length, out)).toBeUndefined();
      return out.keysVersion;
    });
    expect(versions[0]).toBeGreaterThan(0);
    expect(versions[1]).toBe(versions[0]);
    expect(new Set(versions.slice(1, 5)).size).toBe(4);
    expect(versions[5]).toBe(versions[4]);
    // A decode that fails among the features leaves the keys half written: the version says unknown.
    const cut = body(one(...keyed('x,y,z', 0)));
    expect(decoder.decode(cut, 0, headFields().length + 14, out)).toBe('VIGIL_DECODE_TRUNCATED');
    expect(out.keysVersion).toBe(-1);
    const again = body(one(...keyed('a,c,b', 0)));
    expect(decoder.decode(again, 0, again.length, out)).toBeUndefined();
    expect(versions).not.toContain(out.keysVersion);
    expect(out.featureKeys.slice(0, 3)).toEqual(['a', 'c', 'b']);
  });

  it('tells apart keys of the predicted length with other bytes, in the first word or after it', () => {
    const got = decodeAll([
      body(one(...keyed('income,x,ab,abc', 0))),
      body(one(...keyed('incomf,y,ac,abd', 0))), // last byte, a one-byte key, the second byte of two, the third of three
      body(one(...keyed('jncome,x,ab,abc', 0))), // first byte
      body(one(...keyed('incomf,y,ac,abd', 5))),
      body(one(['', 1], ['a', 2])), // an empty key, then one where it stood
      body(one(['a', 1], ['', 2])),
    ]);
    expect(got).toEqual([
      ['income', 'x', 'ab', 'abc'],
      ['incomf', 'y', 'ac', 'abd'],
      ['jncome', 'x', 'ab', 'abc'],
      ['incomf', 'y', 'ac', 'abd'],
      ['', 'a'],
      ['a', ''],
    ]);
  });

  it('predicts keys by entry across map blocks, counted or sized', () => {
    const entries = keyed('first,second,third,fourth', 0);
    const got = decodeAll([
      body(one(...entries)),
      body([{ entries: entries.slice(0, 2) }, { entries: entries.slice(2) }]),
      body([{ entries: entries.slice(0, 1), sized: true }, { entries: entries.slice(1), sized: true }]),
      body([{ entries: entries.slice(0, 3) }, { entries: [entries[0]!] }]), // a repeat across the boundary
      body(one(...entries)),
    ]);
    expect(got.map((k) => k.join(','))).toEqual(['first,second,third,fourth', 'first,second,third,fourth', 'first,second,third,fourth', 'first,second,third', 'first,second,third,fourth']);
  });

  it('does not read a predicted key past the end of a cut record, even when the bytes after it match', () => {
    const decoder = compileFastDecoder(schemaSource('InferenceEvent'));
    const out = new FastEvent();
    const full = body(one(...keyed('a_long_feature_name,b', 0)));
    expect(decoder.decode(full, 0, full.length, out)).toBeUndefined();
    const keyAt = headFields().length + 1; // the map's count, then the first key's length byte
    for (const cut of [keyAt + 2, keyAt + 4, keyAt + 10, keyAt + 19]) {
      const reference = currentDecode(full.subarray(0, cut));
      expect(reference.ok).toBe(false);
      const code = decoder.decode(full, 0, cut, out);
      expect(code, `cut at ${cut}`).toBe('VIGIL_DECODE_TRUNCATED');
      if (!reference.ok) expect(decoder.lastError?.message).toBe(reference.message);
    }
    expect(decoder.decode(full, 0, full.length, out)).toBeUndefined();
    expect(out.featureKeys.slice(0, 2)).toEqual(['a_long_feature_name', 'b']);
  });
});
