/**
 * A Mersenne Twister (MT19937) seeded and sampled the way CPython's `random.Random(seed)` and
 * `Random.sample(range(n), k)` do (3.11): seeding through `init_by_array` with the seed's 32-bit
 * words, `_randbelow` by rejection over `getrandbits(bit_length(n))`, and `sample`'s choice between a
 * pool and a rejection set. KSWIN uses it so that, with the same seed, it draws the same reference
 * sub-samples as River's KSWIN and detects at the same indices. Its whole state is 625 numbers, so it
 * serialises with the detector.
 */
const N = 624;
const M = 397;

export class PythonRandom {
  readonly #mt = new Uint32Array(N);
  #index = N;

  /** `seed` is a non-negative safe integer (CPython hashes other seeds; they are not supported). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`PythonRandom: seed must be a non-negative safe integer, got ${seed}`);
    const key: number[] = [];
    let rest = seed;
    do {
      key.push(rest % 0x1_0000_0000);
      rest = Math.floor(rest / 0x1_0000_0000);
    } while (rest > 0);
    this.#initByArray(key);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#index = N;
  }

  #initByArray(key: readonly number[]): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  #twist(): void {
    const mt = this.#mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.#index = 0;
  }

  /** The next 32-bit output. */
  nextUint32(): number {
    if (this.#index >= N) this.#twist();
    let y = this.#mt[this.#index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** CPython's `_randbelow(n)` for 1 <= n < 2^32. */
  below(n: number): number {
    const bits = 32 - Math.clz32(n);
    let r = this.nextUint32() >>> (32 - bits);
    while (r >= n) r = this.nextUint32() >>> (32 - bits);
    return r;
  }

  /**
   * CPython's `sample(range(n), k)` into `out[0..k)`; `pool` is scratch of at least n entries (used
   * when CPython uses its pool method) and `seen` scratch of at least n bytes (its set method).
   */
  sampleRange(n: number, k: number, out: Int32Array, pool: Int32Array, seen: Uint8Array): void {
    if (!(k >= 0 && k <= n)) throw new RangeError(`PythonRandom: sample larger than population (${k} of ${n})`);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = this.below(n - i);
        out[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      seen.fill(0, 0, n);
      for (let i = 0; i < k; i++) {
        let j = this.below(n);
        while (seen[j] === 1) j = this.below(n);
        seen[j] = 1;
        out[i] = j;
      }
    }
  }

  /** The generator's state: 624 words then the position. */
  snapshot(): Float64Array {
    const s = new Float64Array(N + 1);
    s.set(this.#mt);
    s[N] = this.#index;
    return s;
  }

  static restore(state: Float64Array): PythonRandom {
    if (state.length !== N + 1) throw new RangeError(`PythonRandom: state must hold ${N + 1} values, got ${state.length}`);
    const r = new PythonRandom(0);
    for (let i = 0; i < N; i++) {
      const w = state[i]!;
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new RangeError(`PythonRandom: state word ${i} is not a 32-bit unsigned integer: ${w}`);
      r.#mt[i] = w;
    }
    const index = state[N]!;
    if (!Number.isInteger(index) || index < 0 || index > N) throw new RangeError(`PythonRandom: state position must be an integer from 0 to ${N}, got ${index}`);
    r.#index = index;
    return r;
  }
}
