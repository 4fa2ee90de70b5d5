/**
 * Bottom-k sampling by content hash: each row gets a priority from a hash of its own values, and a
 * sample keeps the k rows of smallest priority. The sample of a union is the bottom k of the two
 * samples, so per-batch samples merge into the window's sample exactly, associatively and whatever
 * the batch boundaries, and the same rows always give the same sample (deterministic, no seed to
 * carry). A sample is stored as `priorities` (ascending) and `rows` (k × width, row-major).
 */

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

function mix(h: number, x: number): number {
  let k = Math.imul(x, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: every input bit reaches every output bit; an unsigned 32-bit result. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Adds one double to a pair of running hashes (two seeds), returned packed in `state`. */
export function hashValue(state: Uint32Array, value: number): void {
  bits[0] = value === 0 ? 0 : value; // -0 and 0 hash alike
  const lo = words[0]!;
  const hi = words[1]!;
  state[0] = mix(mix(state[0]!, lo), hi);
  state[1] = mix(mix(state[1]!, hi), lo);
}

/** Starts a pair of running hashes. */
export function hashStart(state: Uint32Array): void {
  state[0] = 0x9747b28c;
  state[1] = 0x5bd1e995;
}

/** A priority in [0, 2^53) from the pair: 53 bits of hash, exactly representable. */
export function hashPriority(state: Uint32Array, length: number): number {
  const a = finish(state[0]! ^ length);
  const b = finish(state[1]! ^ Math.imul(length, 0x27d4eb2d));
  return a * 2 ** 21 + (b >>> 11);
}

/** Lexicographic order of two rows (NaN after every number), for priority ties. */
function compareRows(a: Float64Array, ai: number, b: Float64Array, bi: number, width: number): number {
  for (let d = 0; d < width; d++) {
    const x = a[ai + d]!;
    const y = b[bi + d]!;
    if (x === y || (x !== x && y !== y)) continue;
    if (x !== x) return 1;
    if (y !== y) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export interface BottomK {
  readonly priorities: Float64Array;
  readonly rows: Float64Array;
}

/** The bottom k of candidate rows (priorities[i], rows[i*width..]) in canonical order. */
export function bottomK(priorities: Float64Array, rows: Float64Array, width: number, k: number): BottomK {
  const n = priorities.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => priorities[i]! - priorities[j]! || compareRows(rows, i * width, rows, j * width, width));
  const keep = Math.min(k, n);
  const outP = new Float64Array(keep);
  const outR = new Float64Array(keep * width);
  for (let r = 0; r < keep; r++) {
    const i = order[r]!;
    outP[r] = priorities[i]!;
    outR.set(rows.subarray(i * width, (i + 1) * width), r * width);
  }
  return { priorities: outP, rows: outR };
}

/** The bottom k of the union of two samples of the same width. */
export function mergeBottomK(a: BottomK, b: BottomK, width: number, k: number): BottomK {
  const priorities = new Float64Array(a.priorities.length + b.priorities.length);
  priorities.set(a.priorities);
  priorities.set(b.priorities, a.priorities.length);
  const rows = new Float64Array(a.rows.length + b.rows.length);
  rows.set(a.rows);
  rows.set(b.rows, a.rows.length);
  return bottomK(priorities, rows, width, k);
}
