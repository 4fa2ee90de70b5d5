import { describe, it, expect } from 'vitest';
import { SlotIndex } from '../../../../src/pipeline/decode/slot-index.js';
import { DedupWindow } from '../../../../src/pipeline/decode/dedup.js';
import { PositionCodec, positionOf, smallOffset } from '../../../../src/pipeline/decode/position.js';
import type { InputRecord } from '../../../../src/pipeline/decode/index.js';

function at(topic: string, partition: number, offset: string): InputRecord {
  return { key: null, value: null, topic, partition, offset };
}

describe('smallOffset', () => {
  it('reads plain decimal offsets below 2^42 and refuses everything else', () => {
    expect(smallOffset('0')).toBe(0);
    expect(smallOffset('7500')).toBe(7500);
    expect(smallOffset(String(2 ** 42 - 1))).toBe(2 ** 42 - 1);
    for (const text of [String(2 ** 42), '9007199254740993', '12345678901234567890', '', '-1', '007', '1e3', '0x10', ' 12', '12 ', '1.0']) {
      expect(smallOffset(text), text).toBe(-1);
    }
  });
});

describe('PositionCodec', () => {
  it('gives a record the same safe integer each time, and equal offsets of other partitions or topics other numbers', () => {
    const codec = new PositionCodec();
    const a = codec.of(at('in', 0, '42'));
    expect(typeof a).toBe('number');
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(codec.of(at('in', 1, '42'))).not.toBe(a);
    expect(codec.of(at('other', 0, '42'))).not.toBe(a);
    expect(codec.of(at('other', 1, '42'))).not.toBe(codec.of(at('in', 1, '42')));
    expect(codec.of(at('in', 0, '43'))).not.toBe(a);
    expect(codec.of(at('in', 0, '42'))).toBe(a);
    expect(codec.of({ ...at('in', 0, '42') })).toBe(a); // another record object at the same place
    expect(codec.streams).toBe(4);
  });

  it('falls back to the text position for offsets that are not safe small integers, consistently', () => {
    const codec = new PositionCodec();
    for (const offset of ['9007199254740993', '9007199254740992', String(2 ** 42), '0042']) {
      const record = at('in', 3, offset);
      expect(codec.of(record)).toBe(positionOf(record));
    }
    // Offsets a float would merge stay apart.
    expect(codec.of(at('in', 3, '9007199254740993'))).not.toBe(codec.of(at('in', 3, '9007199254740992')));
    // The largest number-encoded offset and the smallest text one never meet.
    expect(codec.of(at('in', 3, String(2 ** 42 - 1)))).toBe(2 ** 42 - 1);
  });

  it('gives text positions to partitions beyond the 2048 it numbers, and keeps the numbers it gave', () => {
    const codec = new PositionCodec();
    const first = codec.of(at('t', 0, '5'));
    for (let p = 1; p < 2048; p++) expect(typeof codec.of(at('t', p, '5'))).toBe('number');
    const extra = at('t', 2048, '5');
    expect(codec.of(extra)).toBe(positionOf(extra));
    expect(codec.of(extra)).toBe(positionOf(extra));
    expect(codec.of(at('t', 0, '5'))).toBe(first);
    expect(codec.streams).toBe(2048);
  });
});

describe('DedupWindow with positions as numbers', () => {
  it('tells a re-read (same number) from a duplicate (another number), across partitions with equal offsets', () => {
    const codec = new PositionCodec();
    const window = new DedupWindow({ capacity: 10 });
    const p0 = codec.of(at('in', 0, '100'));
    const p1 = codec.of(at('in', 1, '100'));
    expect(window.admit('m', 'a', p0)).toBe(true);
    expect(window.admit('m', 'a', p0)).toBe(true); // re-read after an aborted transaction
    expect(window.admit('m', 'a', p1)).toBe(false); // the same id on another partition, same offset
    expect(window.isDuplicate('m', 'a', p0)).toBe(false);
    expect(window.isDuplicate('m', 'a', p1)).toBe(true);
    expect(window.size).toBe(1);
  });

  it('keeps text positions beside number ones, never equal to them, and forgets them on eviction', () => {
    const window = new DedupWindow({ capacity: 2 });
    const big = positionOf(at('in', 0, '9007199254740993'));
    expect(window.admit('m', 'a', big)).toBe(true);
    expect(window.admit('m', 'a', big)).toBe(true);
    expect(window.admit('m', 'a', 5)).toBe(false);
    expect(window.admit('m', 'b', 5)).toBe(true);
    expect(window.admit('m', 'b', '5')).toBe(false);
    expect(window.admit('m', 'c', 6)).toBe(true); // evicts a (and its text position)
    expect(window.admit('m', 'a', 7)).toBe(true); // evicts b; a is new again, now at a number
    expect(window.admit('m', 'a', big)).toBe(false);
    expect(window.isDuplicate('m', 'b', 1)).toBe(false);
    expect(window.size).toBe(2);
  });

  it('stays bounded, with the positions of the latest entries intact after many wraps', () => {
    const window = new DedupWindow({ capacity: 1500 });
    for (let i = 0; i < 20_000; i++) expect(window.admit('m', `e${i}`, i % 7 === 0 ? `t${i}` : i)).toBe(true);
    expect(window.size).toBe(1500);
    for (let i = 18_500; i < 20_000; i++) {
      const position = i % 7 === 0 ? `t${i}` : i;
      expect(window.admit('m', `e${i}`, position)).toBe(true);
      expect(window.isDuplicate('m', `e${i}`, -1)).toBe(true);
    }
    expect(window.isDuplicate('m', 'e18499', -1)).toBe(false);
  });

  it('refuses a NaN position, naming the event', () => {
    expect(() => new DedupWindow().admit('m', 'evt-9', Number.NaN)).toThrow(/evt-9.*NaN/);
  });
});

/** The window's rules written plainly: a Map of model + id to position, evicted in arrival order. */
class PlainWindow {
  readonly #seen = new Map<string, number | string>();
  readonly #order: string[] = [];
  constructor(
    readonly capacity: number,
    readonly scope: 'model' | 'global',
  ) {}
  admit(model: string, id: string, position: number | string): boolean {
    const key = `${this.scope === 'global' ? '' : model}\u0000${id}`;
    const first = this.#seen.get(key);
    if (first !== undefined) return first === position;
    if (this.#order.length === this.capacity) this.#seen.delete(this.#order.shift()!);
    this.#order.push(key);
    this.#seen.set(key, position);
    return true;
  }
}

describe('DedupWindow against the plain rules', () => {
  for (const scope of ['model', 'global'] as const) {
    it(`agrees on every admit of a long random stream with many repeats (scope ${scope})`, () => {
      let state = 12345;
      const next = (n: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const window = new DedupWindow({ capacity: 700, scope });
      const plain = new PlainWindow(700, scope);
      for (let i = 0; i < 60_000; i++) {
        const model = `m${next(3)}`;
        const id = `e${next(1500)}`;
        const position = next(10) === 0 ? `t${next(3)}` : next(4);
        expect(window.admit(model, id, position), `admit ${i}`).toBe(plain.admit(model, id, position));
      }
      expect(window.size).toBe(700);
    });
  }

  it('agrees on ids of every length and alphabet: kept in place, kept aside, and ids alike but for a character beyond Latin-1', () => {
    const long = 'x'.repeat(47);
    const stems = [
      '',
      'a',
      'A',
      '\u0141', // Ł: its low byte is A's
      '\u00e9t\u00e9', // Latin-1
      '\u03a9mega',
      '\ud83d\ude00',
      long,
      `${long}y`, // 48: the last length kept in place
      `${long}yz`, // 49: kept aside
      `${long}y\u0141`,
      `${long}\u0141`,
      'z'.repeat(300),
    ];
    let state = 99;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const window = new DedupWindow({ capacity: 40 });
    const plain = new PlainWindow(40, 'model');
    for (let i = 0; i < 20_000; i++) {
      const id = `${stems[next(stems.length)]!}${next(6)}`;
      const position = next(8) === 0 ? `t${next(2)}` : next(3);
      const admitted = window.admit('m', id, position);
      expect(admitted, `admit ${i} of ${JSON.stringify(id)}`).toBe(plain.admit('m', id, position));
      expect(window.isDuplicate('m', id, position)).toBe(!admitted);
    }
    expect(window.size).toBe(40);
  });
});

describe('SlotIndex', () => {
  it('finds every slot it holds and none it gave up, through growth and removals that wrap around the table', () => {
    const index = new SlotIndex(5000);
    const keys = new Map<number, string>();
    const holds = { holds: (slot: number, _model: string, id: string) => keys.get(slot) === id };
    for (let slot = 0; slot < 5000; slot++) {
      keys.set(slot, `id-${slot}`);
      index.add(slot, index.hash('m', `id-${slot}`));
      if (slot % 3 === 0 && slot > 0) {
        const gone = slot - 1;
        index.remove(gone);
        keys.delete(gone);
      }
    }
    for (let slot = 0; slot < 5000; slot++) {
      const expected = keys.has(slot) ? slot : -1;
      expect(index.find(index.hash('m', `id-${slot}`), 'm', `id-${slot}`, holds)).toBe(expected);
    }
  });
});
