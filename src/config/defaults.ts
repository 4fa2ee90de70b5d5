/** Every default of `vigil.yaml`, in one place; the schema only says what values may be. */
import type { VigilConfig } from './types.js';

export const CONFIG_DEFAULTS: VigilConfig = deepFreeze({
  engine: {
    groupId: 'vigil-engine',
    sessionTimeoutMs: 30_000,
    fetchMaxBytesPerPartition: 4_194_304,
    fastRecordDecoding: true,
    framedReads: true,
    windows: { count: 1000, timeMs: 60_000 },
    reference: { events: 1000, file: null },
    pool: { threads: 0, maxQueue: 0 },
  },
  detectors: {
    psi: { enabled: true, bins: 10, warning: 0.1, critical: 0.25 },
  },
  policy: {
    rollback: { consecutiveCriticalWindows: 3, enabled: true },
    lastApproved: {},
  },
  // One FIRING alert per crossing score and window, RESOLVED at the first clean window: what the
  // engine did before alert semantics were configurable.
  alerting: {
    hysteresis: { fireAfter: 1, of: 1, resolveAfter: 1 },
    grouping: { waitMs: 0, intervalMs: 0, repeatMs: 0 },
    rateLimit: { maxAlerts: 0, perMs: 3_600_000 },
    inhibition: { enabled: false },
    silences: [],
  },
  response: {},
  models: {},
  iolog: {
    enabled: false,
    sampleRate: 0.01,
    alwaysOnAlert: true,
    retentionDays: 30,
    maxTextChars: 65_536,
    redaction: { fields: [], patterns: [] },
    models: {},
  },
  encryption: {
    keyFile: null,
    keyEnv: 'VIGIL_KEK',
    maxUsesPerDataKey: 16_777_216,
    state: false,
    references: false,
  },
  access: {
    tokens: { file: '.vigil/tokens.json' },
    oidc: null,
    bindings: [],
    limits: {
      bodyBytes: 65_536,
      perPrincipal: { requests: 600, perSeconds: 60 },
      perAddress: { requests: 1200, perSeconds: 60 },
      authFailures: { max: 20, windowSec: 3600 },
    },
    cors: { origins: [] },
    inference: { enabled: false, rules: [] },
  },
});

/** Freezes a plain JSON value and everything inside it; returns it with a readonly view. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `base` with every key of `patch` laid over it, recursing into objects. Inputs are validated
 * documents (no `__proto__` keys survive validation), and the result is a fresh object.
 */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return clone(base);
  if (!isPlainObject(base) || !isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(base)) out[key] = clone(base[key]);
  for (const key of Object.keys(patch)) out[key] = deepMerge(base[key], patch[key]);
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clone(value[key]);
  return out;
}
