/** Small statistics for benchmark reports: percentiles, least-squares slope, rounding. */

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function distribution(values: readonly number[], digits = 1): Distribution {
  const mean = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    count: values.length,
    min: round(values.length === 0 ? Number.NaN : Math.min(...values), digits),
    p50: round(percentile(values, 50), digits),
    p90: round(percentile(values, 90), digits),
    p99: round(percentile(values, 99), digits),
    max: round(values.length === 0 ? Number.NaN : Math.max(...values), digits),
    mean: round(mean, digits),
  };
}

/** Least-squares slope of y over x (units of y per unit of x); NaN for fewer than two points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function round(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const MiB = 1024 * 1024;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs: number | (() => number) = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(typeof everyMs === 'number' ? everyMs : everyMs());
  }
}

/**
 * Progress of a count over time: the overall rate and the steady-state rate between the moments the
 * count first reached `lo` and `hi` of the total (leaves out the start-up ramp and the tail).
 */
export class RateTrack {
  readonly #t: number[] = [];
  readonly #n: number[] = [];

  /** `t` in ms (performance.now()), `n` the count reached then; counts must not decrease. */
  add(t: number, n: number): void {
    const last = this.#n[this.#n.length - 1];
    if (last !== undefined && n === last) return;
    this.#t.push(t);
    this.#n.push(n);
  }

  /** Events per second between the first samples at or past lo·total and hi·total. */
  steady(total: number, lo = 0.1, hi = 0.9): number {
    const at = (share: number): number => this.#n.findIndex((n) => n >= share * total);
    const a = at(lo);
    const b = at(hi);
    if (a < 0 || b < 0 || b <= a) return Number.NaN;
    return ((this.#n[b] as number) - (this.#n[a] as number)) / (((this.#t[b] as number) - (this.#t[a] as number)) / 1000);
  }
}

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives the promise. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
