/**
 * KSWIN (Raab, Heusinger & Schleif 2020) with River's semantics (river.drift.KSWIN, 0.26): a sliding
 * window of `windowSize` values; once full, each update draws `statSize` of the older
 * `windowSize - statSize` values at random (CPython's sampling, seeded: ./python-random.ts) and runs a
 * two-sample Kolmogorov–Smirnov test against the `statSize` newest. A drift is a p-value <= `alpha`
 * with a statistic > 0.1; the window then keeps only the newest `statSize` values. The update after
 * a drift starts afresh (empty window, generator re-seeded), as River does.
 *
 * The p-value is scipy's exact two-sided one for two samples of equal size (`ks_2samp`,
 * method "auto", which is exact at these sizes): Pr(D >= h/n) by the Horner-like alternating sum.
 * One deliberate difference: where scipy's exact computation overflows or leaves [0, 1] it falls back
 * to the asymptotic distribution; here the exact value is clamped to [0, 1].
 */
import { integerIn, numberIn, parseWith } from './params.js';
import { PythonRandom } from './python-random.js';
import type { SequentialDetector, StateSections } from './sequential.js';
import { count, flag, section } from './sequential.js';

export type KswinParams = { readonly alpha: number; readonly windowSize: number; readonly statSize: number; readonly seed: number };

export const KSWIN_DEFAULTS: KswinParams = Object.freeze({ alpha: 0.005, windowSize: 100, statSize: 30, seed: 42 });

export function parseKswinParams(raw: Readonly<Record<string, unknown>> | undefined, where = 'kswin'): KswinParams {
  const p = parseWith(where, KSWIN_DEFAULTS, { alpha: numberIn(0, 1), windowSize: integerIn(2, 100_000), statSize: integerIn(1, 10_000), seed: integerIn(0, 0xffff_ffff) }, raw);
  if (p.statSize >= p.windowSize) throw new RangeError(`${where}: parameter "statSize" (${p.statSize}) must be smaller than "windowSize" (${p.windowSize})`);
  return p;
}

/**
 * scipy's `_compute_prob_outside_square(n, h)`: the exact probability that two samples of size n
 * from one continuous distribution have a KS statistic >= h/n.
 */
export function ksExactEqualSizes(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * The two-sample KS statistic of `a` and `b` (both of length n, sorted in place) as an integer
 * h = n·D: ties handled as scipy does (empirical CDFs compared at every observed value, right-continuous).
 */
export function ksStatisticCount(a: Float64Array, b: Float64Array, n: number): number {
  a.subarray(0, n).sort();
  b.subarray(0, n).sort();
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < n && j < n) {
    const x = a[i]! <= b[j]! ? a[i]! : b[j]!;
    while (i < n && a[i]! <= x) i++;
    while (j < n && b[j]! <= x) j++;
    const d = Math.abs(i - j);
    if (d > best) best = d;
  }
  return best;
}

export class Kswin implements SequentialDetector {
  readonly algorithm = 'kswin';
  readonly #p: KswinParams;
  // The window as a ring of windowSize values; #start is the oldest, #length how many are held.
  readonly #ring: Float64Array;
  #start = 0;
  #length = 0;
  #n = 0;
  #pValue = 0;
  #statistic = 0;
  #drift = false;
  #updates = 0;
  #rng: PythonRandom;
  readonly #picked: Int32Array;
  readonly #pool: Int32Array;
  readonly #seen: Uint8Array;
  readonly #older: Float64Array;
  readonly #newest: Float64Array;

  constructor(params: KswinParams = KSWIN_DEFAULTS) {
    this.#p = params;
    this.#ring = new Float64Array(params.windowSize);
    this.#rng = new PythonRandom(params.seed);
    const span = params.windowSize - params.statSize;
    this.#picked = new Int32Array(params.statSize);
    this.#pool = new Int32Array(span);
    this.#seen = new Uint8Array(span);
    this.#older = new Float64Array(params.statSize);
    this.#newest = new Float64Array(params.statSize);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }
  get warningDetected(): boolean {
    return false;
  }
  get updates(): number {
    return this.#updates;
  }
  /** p-value of the last test (0 before the first). */
  get pValue(): number {
    return this.#pValue;
  }
  /** KS statistic of the last test (0 before the first). */
  get statistic(): number {
    return this.#statistic;
  }

  update(x: number): void {
    this.#updates++;
    if (this.#drift) {
      this.#start = 0;
      this.#length = 0;
      this.#n = 0;
      this.#pValue = 0;
      this.#drift = false;
      this.#rng = new PythonRandom(this.#p.seed);
    }
    this.#n++;
    const size = this.#p.windowSize;
    if (this.#length < size) {
      this.#ring[(this.#start + this.#length) % size] = x;
      this.#length++;
    } else {
      this.#ring[this.#start] = x;
      this.#start = (this.#start + 1) % size;
    }
    if (this.#length < size) {
      this.#drift = false;
      return;
    }
    const stat = this.#p.statSize;
    const span = size - stat;
    this.#rng.sampleRange(span, stat, this.#picked, this.#pool, this.#seen);
    for (let i = 0; i < stat; i++) {
      this.#older[i] = this.#ring[(this.#start + this.#picked[i]!) % size]!;
      this.#newest[i] = this.#ring[(this.#start + span + i) % size]!;
    }
    const h = ksStatisticCount(this.#older, this.#newest, stat);
    // scipy: d = h / lcm(n, n) and p = Pr(D >= d), 1 when h = 0.
    this.#statistic = (h * 1.0) / stat;
    this.#pValue = h === 0 ? 1 : Math.min(1, Math.max(0, ksExactEqualSizes(stat, h)));
    if (this.#pValue <= this.#p.alpha && this.#statistic > 0.1) {
      this.#drift = true;
      // Keep only the newest statSize values.
      const keep = new Float64Array(stat);
      for (let i = 0; i < stat; i++) keep[i] = this.#ring[(this.#start + span + i) % size]!;
      this.#ring.set(keep);
      this.#start = 0;
      this.#length = stat;
    } else {
      this.#drift = false;
    }
  }

  snapshot(): StateSections {
    const window = new Float64Array(this.#length);
    for (let i = 0; i < this.#length; i++) window[i] = this.#ring[(this.#start + i) % this.#p.windowSize]!;
    return {
      scalars: Float64Array.of(this.#n, this.#pValue, this.#statistic, this.#drift ? 1 : 0, this.#updates),
      window,
      rng: this.#rng.snapshot(),
    };
  }

  static restore(params: KswinParams, state: StateSections): Kswin {
    const where = 'kswin restore';
    const s = section(where, state, 'scalars', 5);
    const window = section(where, state, 'window');
    if (window.length > params.windowSize) throw new RangeError(`${where}: state window holds ${window.length} values, more than windowSize ${params.windowSize}`);
    const d = new Kswin(params);
    d.#ring.set(window);
    d.#length = window.length;
    d.#n = count(where, 'n', s[0]);
    d.#pValue = s[1]!;
    d.#statistic = s[2]!;
    d.#drift = flag(where, 'drift', s[3]);
    d.#updates = count(where, 'updates', s[4]);
    d.#rng = PythonRandom.restore(section(where, state, 'rng'));
    return d;
  }
}
