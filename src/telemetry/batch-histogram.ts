/**
 * A Prometheus histogram fed a whole typed array at a time: one pass over the batch's values with a
 * binary search over the bucket bounds, instead of one `observe()` (and one label hash) per record.
 * Registered in a prom-client Registry like any other metric.
 */
import type { Registry } from 'prom-client';

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

export class BatchHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #bounds: Float64Array;
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, Series>();

  constructor(options: { name: string; help: string; buckets: readonly number[]; labelNames: readonly string[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = Float64Array.from([...options.buckets].sort((a, b) => a - b));
    this.#labelNames = options.labelNames;
    options.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Adds `length` values starting at `offset`; NaN and infinite values are skipped. */
  observeMany(labels: Readonly<Record<string, string>>, values: ArrayLike<number>, offset = 0, length = values.length - offset): void {
    const series = this.#seriesFor(labels);
    const bounds = this.#bounds;
    const buckets = series.buckets;
    for (let i = offset; i < offset + length; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) continue;
      let lo = 0;
      let hi = bounds.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v <= (bounds[mid] as number)) hi = mid;
        else lo = mid + 1;
      }
      // Index `lo` is the first bucket whose bound holds v; `bounds.length` is +Inf.
      buckets[lo] = (buckets[lo] as number) + 1;
      series.sum += v;
      series.count += 1;
    }
  }

  observe(labels: Readonly<Record<string, string>>, value: number): void {
    this.observeMany(labels, [value]);
  }

  #seriesFor(labels: Readonly<Record<string, string>>): Series {
    const key = this.#labelNames.map((n) => labels[n] ?? '').join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: { ...labels }, buckets: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** prom-client's Metric contract. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { value: number; labels: Record<string, string | number>; metricName: string }[] }> {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      for (let b = 0; b <= this.#bounds.length; b++) {
        cumulative += series.buckets[b] as number;
        const le = b < this.#bounds.length ? (this.#bounds[b] as number) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...series.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...series.labels }, value: series.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    this.#series.clear();
  }
}
