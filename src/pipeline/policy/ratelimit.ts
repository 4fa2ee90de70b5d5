/**
 * A per-model limit on FIRING notifications: at most `maxAlerts` in any `perMs` of event time
 * (a sliding window over the times of the notifications sent; 0 means no limit). The state is the
 * list of those times, so it holds at most `maxAlerts` entries.
 */
import type { RateLimitSettings } from '../../config/types.js';

/** Notifications that may still be sent at `now`. */
export function allowance(sent: readonly number[], now: number, settings: RateLimitSettings): number {
  if (settings.maxAlerts === 0) return Number.POSITIVE_INFINITY;
  const recent = sent.filter((t) => t > now - settings.perMs).length;
  return Math.max(0, settings.maxAlerts - recent);
}

/** The times to keep after sending `count` notifications at `now`. */
export function recordSent(sent: readonly number[], now: number, count: number, settings: RateLimitSettings): number[] {
  if (settings.maxAlerts === 0) return [];
  const kept = sent.filter((t) => t > now - settings.perMs);
  for (let i = 0; i < count; i++) kept.push(now);
  return kept.slice(-settings.maxAlerts);
}
