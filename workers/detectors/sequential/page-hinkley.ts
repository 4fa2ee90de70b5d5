/**
 * Page–Hinkley test with River's semantics (river.drift.PageHinkley, 0.26): a running mean of the
 * stream, fading cumulative deviations `alpha·sum + (x - mean) ∓ delta` for increases and decreases,
 * and a drift when the increase sum rose more than `threshold` over its minimum (mode "up"), the
 * decrease sum fell more than `threshold` under its maximum ("down"), or either ("both"), once
 * `minInstances` values were seen. The update after a detection starts afresh.
 */
import { integerIn, numberIn, oneOf, parseWith } from './params.js';
import type { SequentialDetector, StateSections } from './sequential.js';
import { count, flag, section } from './sequential.js';

export type PageHinkleyMode = 'up' | 'down' | 'both';

export type PageHinkleyParams = {
  readonly minInstances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: PageHinkleyMode;
};

export const PAGE_HINKLEY_DEFAULTS: PageHinkleyParams = Object.freeze({ minInstances: 30, delta: 0.005, threshold: 50, alpha: 1 - 0.0001, mode: 'both' });

export function parsePageHinkleyParams(raw: Readonly<Record<string, unknown>> | undefined, where = 'page-hinkley'): PageHinkleyParams {
  return parseWith(where, PAGE_HINKLEY_DEFAULTS, {
    minInstances: integerIn(1, 1 << 30),
    delta: numberIn(0, 1e12),
    threshold: numberIn(0, 1e300),
    alpha: numberIn(0, 1),
    mode: oneOf(['up', 'down', 'both']),
  }, raw);
}

const UP = 1, DOWN = 2;
const SCALARS = 8;

export class PageHinkley implements SequentialDetector {
  readonly algorithm = 'page-hinkley';
  readonly #alpha: number;
  readonly #delta: number;
  readonly #threshold: number;
  readonly #minInstances: number;
  readonly #mode: number;
  #n = 0;
  #mean = 0;
  #sumIncrease = 0;
  #sumDecrease = 0;
  #minIncrease = Infinity;
  #maxDecrease = -1;
  #drift = false;
  #updates = 0;

  constructor(params: PageHinkleyParams = PAGE_HINKLEY_DEFAULTS) {
    this.#alpha = params.alpha;
    this.#delta = params.delta;
    this.#threshold = params.threshold;
    this.#minInstances = params.minInstances;
    this.#mode = params.mode === 'up' ? UP : params.mode === 'down' ? DOWN : UP | DOWN;
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

  update(x: number): void {
    this.#updates++;
    if (this.#drift) {
      this.#n = 0;
      this.#mean = 0;
      this.#sumIncrease = 0;
      this.#sumDecrease = 0;
      this.#minIncrease = Infinity;
      this.#maxDecrease = -1;
      this.#drift = false;
    }
    this.#n += 1;
    this.#mean += (1 / this.#n) * (x - this.#mean);
    const dev = x - this.#mean;
    this.#sumIncrease = this.#alpha * this.#sumIncrease + dev - this.#delta;
    this.#sumDecrease = this.#alpha * this.#sumDecrease + dev + this.#delta;
    if (this.#sumIncrease < this.#minIncrease) this.#minIncrease = this.#sumIncrease;
    if (this.#sumDecrease > this.#maxDecrease) this.#maxDecrease = this.#sumDecrease;
    if (this.#n >= this.#minInstances) {
      const up = (this.#mode & UP) !== 0 && this.#sumIncrease - this.#minIncrease > this.#threshold;
      const down = (this.#mode & DOWN) !== 0 && this.#maxDecrease - this.#sumDecrease > this.#threshold;
      this.#drift = up || down;
    }
  }

  updateMany(values: ArrayLike<number>, start: number, end: number, onDrift?: (index: number) => void): void {
    const alpha = this.#alpha;
    const delta = this.#delta;
    const threshold = this.#threshold;
    const minInstances = this.#minInstances;
    const up = (this.#mode & UP) !== 0;
    const down = (this.#mode & DOWN) !== 0;
    let n = this.#n;
    let mean = this.#mean;
    let sumIncrease = this.#sumIncrease;
    let sumDecrease = this.#sumDecrease;
    let minIncrease = this.#minIncrease;
    let maxDecrease = this.#maxDecrease;
    let drift = this.#drift;
    for (let i = start; i < end; i++) {
      if (drift) {
        n = 0;
        mean = 0;
        sumIncrease = 0;
        sumDecrease = 0;
        minIncrease = Infinity;
        maxDecrease = -1;
        drift = false;
      }
      const x = values[i]!;
      n += 1;
      mean += (1 / n) * (x - mean);
      const dev = x - mean;
      sumIncrease = alpha * sumIncrease + dev - delta;
      sumDecrease = alpha * sumDecrease + dev + delta;
      if (sumIncrease < minIncrease) minIncrease = sumIncrease;
      if (sumDecrease > maxDecrease) maxDecrease = sumDecrease;
      if (n >= minInstances) {
        drift = (up && sumIncrease - minIncrease > threshold) || (down && maxDecrease - sumDecrease > threshold);
        if (drift && onDrift !== undefined) onDrift(i);
      }
    }
    this.#updates += Math.max(0, end - start);
    this.#n = n;
    this.#mean = mean;
    this.#sumIncrease = sumIncrease;
    this.#sumDecrease = sumDecrease;
    this.#minIncrease = minIncrease;
    this.#maxDecrease = maxDecrease;
    this.#drift = drift;
  }

  snapshot(): StateSections {
    return { scalars: Float64Array.of(this.#n, this.#mean, this.#sumIncrease, this.#sumDecrease, this.#minIncrease, this.#maxDecrease, this.#drift ? 1 : 0, this.#updates) };
  }

  static restore(params: PageHinkleyParams, state: StateSections): PageHinkley {
    const where = 'page-hinkley restore';
    const s = section(where, state, 'scalars', SCALARS);
    const d = new PageHinkley(params);
    d.#n = count(where, 'n', s[0]);
    d.#mean = s[1]!;
    d.#sumIncrease = s[2]!;
    d.#sumDecrease = s[3]!;
    d.#minIncrease = s[4]!;
    d.#maxDecrease = s[5]!;
    d.#drift = flag(where, 'drift', s[6]);
    d.#updates = count(where, 'updates', s[7]);
    return d;
  }
}
