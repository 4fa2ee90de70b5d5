/**
 * Two-sided tabular CUSUM (Page 1954; Montgomery's standardised form). River has no CUSUM detector,
 * so there is no peer to match: the mean and standard deviation of the in-control process are learnt
 * (Welford) from the first `warmup` values after a start or a drift, then each value's z-score feeds
 * S+ = max(0, S+ + z - k) and S- = max(0, S- - z - k); a drift is S+ > h ("up"), S- > h ("down") or
 * either ("both"). A constant warm-up (standard deviation 0) is treated as a standard deviation of
 * `minStd`, so any later change is a drift instead of a division by zero.
 */
import { integerIn, numberIn, oneOf, parseWith } from './params.js';
import type { SequentialDetector, StateSections } from './sequential.js';
import { count, flag, section } from './sequential.js';

export type CusumParams = { readonly warmup: number; readonly k: number; readonly h: number; readonly minStd: number; readonly mode: 'up' | 'down' | 'both' };

export const CUSUM_DEFAULTS: CusumParams = Object.freeze({ warmup: 50, k: 0.5, h: 5, minStd: 1e-9, mode: 'both' });

export function parseCusumParams(raw: Readonly<Record<string, unknown>> | undefined, where = 'cusum'): CusumParams {
  return parseWith(where, CUSUM_DEFAULTS, {
    warmup: integerIn(2, 1 << 30),
    k: numberIn(0, 1e6),
    h: numberIn(0, 1e12, true),
    minStd: numberIn(0, 1e300, true),
    mode: oneOf(['up', 'down', 'both']),
  }, raw);
}

const SCALARS = 8;

export class Cusum implements SequentialDetector {
  readonly algorithm = 'cusum';
  readonly #p: CusumParams;
  readonly #up: boolean;
  readonly #down: boolean;
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #high = 0;
  #low = 0;
  #std = NaN;
  #drift = false;
  #updates = 0;

  constructor(params: CusumParams = CUSUM_DEFAULTS) {
    this.#p = params;
    this.#up = params.mode !== 'down';
    this.#down = params.mode !== 'up';
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
  /** The larger of the two cumulative sums, in standard deviations. */
  get statistic(): number {
    return Math.max(this.#high, this.#low);
  }

  update(x: number): void {
    this.#updates++;
    if (this.#drift) {
      this.#n = 0;
      this.#mean = this.#m2 = this.#high = this.#low = 0;
      this.#std = NaN;
      this.#drift = false;
    }
    if (this.#n < this.#p.warmup) {
      this.#n++;
      const d = x - this.#mean;
      this.#mean += d / this.#n;
      this.#m2 += d * (x - this.#mean);
      if (this.#n === this.#p.warmup) this.#std = Math.max(this.#p.minStd, Math.sqrt(this.#m2 / (this.#n - 1)));
      return;
    }
    const z = (x - this.#mean) / this.#std;
    this.#high = Math.max(0, this.#high + z - this.#p.k);
    this.#low = Math.max(0, this.#low - z - this.#p.k);
    this.#drift = (this.#up && this.#high > this.#p.h) || (this.#down && this.#low > this.#p.h);
  }

  snapshot(): StateSections {
    return { scalars: Float64Array.of(this.#n, this.#mean, this.#m2, this.#high, this.#low, this.#std, this.#drift ? 1 : 0, this.#updates) };
  }

  static restore(params: CusumParams, state: StateSections): Cusum {
    const where = 'cusum restore';
    const s = section(where, state, 'scalars', SCALARS);
    const d = new Cusum(params);
    d.#n = count(where, 'n', s[0], params.warmup);
    d.#mean = s[1]!;
    d.#m2 = s[2]!;
    d.#high = s[3]!;
    d.#low = s[4]!;
    d.#std = s[5]!;
    d.#drift = flag(where, 'drift', s[6]);
    d.#updates = count(where, 'updates', s[7]);
    return d;
  }
}
