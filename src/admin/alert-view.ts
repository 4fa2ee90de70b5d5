/**
 * A materialised view of `vigil.alerts`: the latest record per alertId, at most `capacity` alerts
 * (the oldest folded first are dropped beyond that, so memory stays bounded whatever the topic holds),
 * queried by model, kind, severity, status and time (`startsAt`), newest first, a page at a time.
 * The fold is pure; src/pipeline/source/alert-view-consumer.ts feeds it from Kafka.
 */
import type { Alert, AlertKind, AlertStatus, Severity } from '../contracts/records.js';

export interface AlertQuery {
  readonly modelId?: string;
  readonly kind?: AlertKind;
  readonly severity?: Severity;
  readonly status?: AlertStatus;
  /** startsAt >= from (ms). */
  readonly from?: number;
  /** startsAt < to (ms). */
  readonly to?: number;
  readonly limit: number;
  readonly offset: number;
  /** Only models the caller may see. */
  readonly visible?: (modelId: string) => boolean;
}

export interface AlertPage {
  readonly items: Alert[];
  readonly total: number;
  readonly nextOffset: number | null;
}

export const MAX_PAGE = 500;

export class AlertView {
  readonly capacity: number;
  readonly #alerts = new Map<string, Alert>();
  #folded = 0;

  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  fold(alert: Alert): void {
    this.#alerts.delete(alert.alertId);
    this.#alerts.set(alert.alertId, alert);
    this.#folded++;
    while (this.#alerts.size > this.capacity) {
      const oldest = this.#alerts.keys().next().value;
      if (oldest === undefined) break;
      this.#alerts.delete(oldest);
    }
  }

  get size(): number {
    return this.#alerts.size;
  }

  /** Records folded since the start (including replaced and dropped ones). */
  get folded(): number {
    return this.#folded;
  }

  query(q: AlertQuery): AlertPage {
    const limit = Math.min(Math.max(1, q.limit), MAX_PAGE);
    const matching: Alert[] = [];
    for (const a of this.#alerts.values()) {
      if (q.modelId !== undefined && a.modelId !== q.modelId) continue;
      if (q.kind !== undefined && a.kind !== q.kind) continue;
      if (q.severity !== undefined && a.severity !== q.severity) continue;
      if (q.status !== undefined && a.status !== q.status) continue;
      if (q.from !== undefined && a.startsAt < q.from) continue;
      if (q.to !== undefined && a.startsAt >= q.to) continue;
      if (q.visible !== undefined && !q.visible(a.modelId)) continue;
      matching.push(a);
    }
    matching.sort((x, y) => y.startsAt - x.startsAt || (x.alertId < y.alertId ? -1 : x.alertId > y.alertId ? 1 : 0));
    const items = matching.slice(q.offset, q.offset + limit);
    const next = q.offset + items.length;
    return { items, total: matching.length, nextOffset: next < matching.length ? next : null };
  }
}
