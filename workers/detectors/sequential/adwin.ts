/**
 * ADWIN (Bifet & Gavaldà 2007), with River's semantics (river.drift.ADWIN, 0.26): an exponential
 * histogram of buckets (row r holds up to `maxBuckets` + 1 buckets of 2^r values, each a sum and a
 * variance; the oldest two of a full row merge into the next row), a cut test at every boundary every
 * `clock` updates once the window is longer than `gracePeriod`, and both sub-windows at least
 * `minWindowLength` long. A cut drops the oldest bucket and repeats until no cut holds. As in River,
 * the update after a detection starts from an empty window. The arithmetic follows River's order of
 * operations so that detection indices agree exactly (test/unit/workers/detectors/sequential).
 *
 * Buckets live in flat typed arrays (row-major, `maxBuckets + 1` slots per row), grown by doubling
 * the row capacity: no allocation per update.
 */
import { parseWith, integerIn, numberIn } from './params.js';
import type { SequentialDetector, StateSections } from './sequential.js';
import { count, flag, section } from './sequential.js';

export type AdwinParams = {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;
};

export const ADWIN_DEFAULTS: AdwinParams = Object.freeze({ delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10 });

export function parseAdwinParams(raw: Readonly<Record<string, unknown>> | undefined, where = 'adwin'): AdwinParams {
  return parseWith(where, ADWIN_DEFAULTS, {
    delta: numberIn(0, 1, true),
    clock: integerIn(1, 1 << 20),
    maxBuckets: integerIn(2, 1000),
    minWindowLength: integerIn(1, 1 << 20),
    gracePeriod: integerIn(0, 1 << 30),
  }, raw);
}

// Scalars of the state, in this order in the "scalars" section.
const S_TOTAL = 0, S_VARIANCE = 1, S_WIDTH = 2, S_TOTAL_WIDTH = 3, S_N_BUCKETS = 4, S_MAX_N_BUCKETS = 5, S_TICK = 6, S_DETECTIONS = 7, S_DRIFT = 8, S_ROWS = 9, S_UPDATES = 10;
const SCALARS = 11;

export class Adwin implements SequentialDetector {
  readonly algorithm = 'adwin';
  readonly #p: AdwinParams;
  readonly #slots: number;
  #totals: Float64Array;
  #variances: Float64Array;
  #used: Int32Array;
  #rows = 1;
  #total = 0;
  #variance = 0;
  #width = 0;
  #totalWidth = 0;
  #nBuckets = 0;
  #maxNBuckets = 0;
  #tick = 0;
  #detections = 0;
  #drift = false;
  #updates = 0;

  constructor(params: AdwinParams = ADWIN_DEFAULTS) {
    this.#p = params;
    this.#slots = params.maxBuckets + 1;
    this.#totals = new Float64Array(8 * this.#slots);
    this.#variances = new Float64Array(8 * this.#slots);
    this.#used = new Int32Array(8);
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
  /** Values in the current window. */
  get width(): number {
    return this.#width;
  }
  /** Mean of the current window (0 when empty). */
  get estimation(): number {
    return this.#width === 0 ? 0 : this.#total / this.#width;
  }
  /** Detections since the last reset (River resets after each, so 0 or 1). */
  get detections(): number {
    return this.#detections;
  }

  update(x: number): void {
    this.#updates++;
    if (this.#drift) this.#reset();
    this.#insert(x);
    this.#drift = this.#detectChange();
  }

  #reset(): void {
    this.#totals.fill(0);
    this.#variances.fill(0);
    this.#used.fill(0);
    this.#rows = 1;
    this.#total = this.#variance = this.#width = this.#totalWidth = 0;
    this.#nBuckets = this.#maxNBuckets = this.#tick = this.#detections = 0;
    this.#drift = false;
  }

  #grow(): void {
    const rows = this.#used.length * 2;
    const totals = new Float64Array(rows * this.#slots);
    totals.set(this.#totals);
    const variances = new Float64Array(rows * this.#slots);
    variances.set(this.#variances);
    const used = new Int32Array(rows);
    used.set(this.#used);
    this.#totals = totals;
    this.#variances = variances;
    this.#used = used;
  }

  #insert(value: number): void {
    const u0 = this.#used[0]!;
    this.#totals[u0] = value;
    this.#variances[u0] = 0;
    this.#used[0] = u0 + 1;
    this.#nBuckets++;
    if (this.#nBuckets > this.#maxNBuckets) this.#maxNBuckets = this.#nBuckets;
    this.#width += 1;
    let incremental = 0;
    if (this.#width > 1) {
      const d = value - this.#total / (this.#width - 1);
      incremental = ((this.#width - 1) * d * d) / this.#width;
    }
    this.#variance += incremental;
    this.#total += value;
    this.#compress();
  }

  /** Drops the first `n` buckets of row `r`, shifting the rest down and zeroing the vacated slots. */
  #dropFront(r: number, n: number): void {
    const base = r * this.#slots;
    const used = this.#used[r]!;
    const t = this.#totals;
    const v = this.#variances;
    for (let i = n; i < used; i++) {
      t[base + i - n] = t[base + i]!;
      v[base + i - n] = v[base + i]!;
    }
    for (let i = used - n; i < used; i++) {
      t[base + i] = 0;
      v[base + i] = 0;
    }
    this.#used[r] = used - n;
  }

  #compress(): void {
    const full = this.#p.maxBuckets + 1;
    for (let r = 0; this.#used[r] === full; r++) {
      const n1 = 2 ** r;
      const base = r * this.#slots;
      const t0 = this.#totals[base]!;
      const t1 = this.#totals[base + 1]!;
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      const v12 = this.#variances[base]! + this.#variances[base + 1]! + temp;
      if (r + 1 >= this.#rows) {
        if (r + 1 >= this.#used.length) this.#grow();
        this.#rows = r + 2;
      }
      const next = (r + 1) * this.#slots + this.#used[r + 1]!;
      this.#totals[next] = t0 + t1;
      this.#variances[next] = v12;
      this.#used[r + 1]!++;
      this.#nBuckets++;
      this.#dropFront(r, 2);
      if (this.#used[r + 1]! <= this.#p.maxBuckets) break;
    }
  }

  /** Removes the oldest bucket (first of the last row), updating the window's sum and variance. */
  #deleteOldest(): void {
    const last = this.#rows - 1;
    const n = 2 ** last;
    const base = last * this.#slots;
    const u = this.#totals[base]!;
    const v = this.#variances[base]!;
    const mu = u / n;
    this.#width -= n;
    this.#total -= u;
    const muWindow = this.#total / this.#width;
    this.#variance -= v + (n * this.#width * (mu - muWindow) * (mu - muWindow)) / (n + this.#width);
    this.#dropFront(last, 1);
    this.#nBuckets--;
    if (this.#used[last] === 0 && this.#rows > 1) this.#rows--;
  }

  #detectChange(): boolean {
    let change = false;
    this.#tick++;
    const { clock, minWindowLength, delta } = this.#p;
    if (this.#tick % clock === 0 && this.#width > this.#p.gracePeriod) {
      let reduce = true;
      while (reduce) {
        reduce = false;
        let n0 = 0;
        let n1 = this.#width;
        let u0 = 0;
        let u1 = this.#total;
        // The cut test's constants depend only on the window, which changes only when a bucket is dropped.
        const deltaPrime = Math.log((2 * Math.log(this.#width)) / delta);
        const varianceRatio = this.#variance / this.#width;
        // Locals for the hot loop (the arrays are replaced only by #grow, which a scan never calls).
        const totals = this.#totals;
        const usedRows = this.#used;
        const slots = this.#slots;
        scan: for (let r = this.#rows - 1; r >= 0; r--) {
          const size = 2 ** r;
          const used = usedRows[r]!;
          const base = r * slots;
          for (let k = 0; k < used; k++) {
            n0 += size;
            n1 -= size;
            const t = totals[base + k]!;
            u0 += t;
            u1 -= t;
            if (r === 0 && k === used - 1) break scan;
            if (n1 >= minWindowLength && n0 >= minWindowLength) {
              const deltaMean = Math.abs(u0 / n0 - u1 / n1);
              const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
              const a = 2 * mRecip * varianceRatio * deltaPrime;
              const b = (2 / 3) * deltaPrime * mRecip;
              // River's test is deltaMean > sqrt(a) + b. Two exact shortcuts skip the square root on
              // the common "no cut" path: deltaMean <= b is never a cut; and when b is not huge
              // against sqrt(a), (deltaMean - b)² below a by far more than rounding is never a cut.
              // Everything else is decided by River's own expression, so the outcome is the same.
              if (deltaMean <= b) continue;
              const t = deltaMean - b;
              if (b * b < 1e6 * a && t * t < a * (1 - 1e-9)) continue;
              if (deltaMean > Math.sqrt(a) + b) {
                reduce = true;
                change = true;
                if (this.#width > 0) {
                  this.#deleteOldest();
                  break scan;
                }
              }
            }
          }
        }
      }
    }
    this.#totalWidth += this.#width;
    if (change) this.#detections++;
    return change;
  }

  snapshot(): StateSections {
    const scalars = new Float64Array(SCALARS);
    scalars[S_TOTAL] = this.#total;
    scalars[S_VARIANCE] = this.#variance;
    scalars[S_WIDTH] = this.#width;
    scalars[S_TOTAL_WIDTH] = this.#totalWidth;
    scalars[S_N_BUCKETS] = this.#nBuckets;
    scalars[S_MAX_N_BUCKETS] = this.#maxNBuckets;
    scalars[S_TICK] = this.#tick;
    scalars[S_DETECTIONS] = this.#detections;
    scalars[S_DRIFT] = this.#drift ? 1 : 0;
    scalars[S_ROWS] = this.#rows;
    scalars[S_UPDATES] = this.#updates;
    const cells = this.#rows * this.#slots;
    return {
      scalars,
      used: Float64Array.from(this.#used.subarray(0, this.#rows)),
      totals: this.#totals.slice(0, cells),
      variances: this.#variances.slice(0, cells),
    };
  }

  /** A detector continuing from `snapshot()`'s state; a RangeError if the state is not one of these parameters. */
  static restore(params: AdwinParams, state: StateSections): Adwin {
    const where = 'adwin restore';
    const s = section(where, state, 'scalars', SCALARS);
    const rows = count(where, 'rows', s[S_ROWS], 64);
    if (rows < 1) throw new RangeError(`${where}: state value "rows" must be at least 1`);
    const a = new Adwin(params);
    const slots = a.#slots;
    const used = section(where, state, 'used', rows);
    const totals = section(where, state, 'totals', rows * slots);
    const variances = section(where, state, 'variances', rows * slots);
    let capacity = a.#used.length;
    while (capacity < rows + 1) capacity *= 2;
    a.#used = new Int32Array(capacity);
    a.#totals = new Float64Array(capacity * slots);
    a.#variances = new Float64Array(capacity * slots);
    for (let r = 0; r < rows; r++) a.#used[r] = count(where, `used[${r}]`, used[r], params.maxBuckets);
    a.#totals.set(totals);
    a.#variances.set(variances);
    a.#rows = rows;
    a.#total = s[S_TOTAL]!;
    a.#variance = s[S_VARIANCE]!;
    a.#width = count(where, 'width', s[S_WIDTH]);
    a.#totalWidth = s[S_TOTAL_WIDTH]!;
    a.#nBuckets = count(where, 'nBuckets', s[S_N_BUCKETS]);
    a.#maxNBuckets = count(where, 'maxNBuckets', s[S_MAX_N_BUCKETS]);
    a.#tick = count(where, 'tick', s[S_TICK]);
    a.#detections = count(where, 'detections', s[S_DETECTIONS]);
    a.#drift = flag(where, 'drift', s[S_DRIFT]);
    a.#updates = count(where, 'updates', s[S_UPDATES]);
    return a;
  }
}
