/**
 * Per-model I/O logging settings and the deterministic sampling decision. A replay of the same
 * events with the same configuration logs exactly the same events: the choice depends only on the
 * model id, the eventId and the rate.
 */
import { createHash } from 'node:crypto';
import type { IoLogModelSettings, IoLogSettings } from '../config/types.js';

const DAY_MS = 86_400_000;

export function ioLogSettingsFor(settings: IoLogSettings, modelId: string): IoLogModelSettings {
  const override = Object.hasOwn(settings.models, modelId) ? settings.models[modelId] : undefined;
  return {
    enabled: override?.enabled ?? settings.enabled,
    sampleRate: override?.sampleRate ?? settings.sampleRate,
    alwaysOnAlert: override?.alwaysOnAlert ?? settings.alwaysOnAlert,
    retentionDays: override?.retentionDays ?? settings.retentionDays,
  };
}

/** A number in [0, 1) from SHA-256 of the model id and eventId: uniform, and the same on every replay. */
export function sampleFraction(modelId: string, eventId: string): number {
  const digest = createHash('sha256').update(modelId).update('\u0000').update(eventId).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function isSampled(modelId: string, eventId: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return sampleFraction(modelId, eventId) < rate;
}

export function retentionMs(settings: IoLogModelSettings): number {
  return settings.retentionDays * DAY_MS;
}

/**
 * `retention.ms` the iolog topic needs: the longest retention of any model. Kafka deletes by topic,
 * so shorter per-model retentions are enforced by the readers (expired records are never returned).
 */
export function topicRetentionMs(settings: IoLogSettings): number {
  const days = [settings.retentionDays, ...Object.values(settings.models).map((m) => m.retentionDays ?? settings.retentionDays)];
  return Math.max(...days) * DAY_MS;
}
