import { describe, it, expect } from 'vitest';
import { canonicalHash, canonicalJson, sha256Hex } from '../../../src/config/canonical.js';
import { VigilError } from '../../../src/errors.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same text whatever the key insertion order', () => {
    const one = { engine: { windows: { count: 1, timeMs: 2 } }, models: { m: {} } };
    const two = { models: { m: {} }, engine: { windows: { timeMs: 2, count: 1 } } };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(canonicalHash(one)).toBe(canonicalHash(two));
    expect(canonicalHash(one)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sorts keys by UTF-16 code units and escapes strings as JSON does', () => {
    expect(canonicalJson({ é: 1, z: 2, A: 3, '\u0001': 4 })).toBe('{"\\u0001":4,"A":3,"z":2,"é":1}');
  });

  it('writes numbers in their shortest ECMAScript form, -0 as 0', () => {
    expect(canonicalJson([1.0, 0.1, 1e21, -0, 123456789012])).toBe('[1,0.1,1e+21,0,123456789012]');
  });

  it('omits undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it.each([
    ['NaN', { a: Number.NaN }, '$.a'],
    ['Infinity', [1, Number.POSITIVE_INFINITY], '$[1]'],
    ['an undefined array item', [undefined], '$[0]'],
    ['a bigint', { n: 1n }, '$.n'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Map', new Map(), '$'],
    ['a Buffer', { b: Buffer.from('x') }, '$.b'],
  ])('rejects %s, naming where it is', (_what, value, path) => {
    let caught: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VigilError);
    expect((caught as VigilError).code).toBe('VIGIL_INPUT_INVALID');
    expect((caught as VigilError).details['path']).toBe(path);
  });

  it('rejects cycles but accepts a shared (acyclic) object twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it('hashes strings and bytes alike', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
});
