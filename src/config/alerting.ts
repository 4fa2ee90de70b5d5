/**
 * The `alerting` and `response` blocks of a model's settings: defaults, then `models.<id>`, then (for
 * alerting only) the live override. Rules the schema cannot express are checked here and reported
 * with the key path: `fireAfter` at most `of`, silence times that parse and end after they start,
 * regular expressions that compile and cannot backtrack for exponential time.
 */
import type { MatcherSettings } from './types.js';
import { matcherProblem } from '../pipeline/policy/matchers.js';
import { deepMerge } from './defaults.js';
import type { AlertingConfig, AlertingSettings, ModelOverride, PolicySettings, ResponseConfig, ResponseRule, ResponseSettings, SilenceConfig, SilenceSettings } from './types.js';
import { keyPath, type ConfigProblem } from './validate.js';

/** ISO 8601 date-time with a zone: `2026-11-26T10:00:00Z`, `2026-11-26T10:00:00.5+01:00`. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds of a configured instant, or null when it is not one. */
export function instantMs(value: number | string): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (!ISO.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export interface SilenceSource {
  readonly silences: readonly SilenceConfig[] | undefined;
  /** Key path of the list, e.g. ['models', 'credit-risk', 'alerting', 'silences']. */
  readonly path: readonly string[];
  /** SilenceSettings.createdBy. */
  readonly createdBy: string;
}

export interface Resolved<T> {
  readonly settings: T;
  readonly problems: ConfigProblem[];
}

function withoutSilences(alerting: ModelOverride['alerting'] | AlertingConfig | undefined): unknown {
  if (alerting === undefined) return undefined;
  const copy: Record<string, unknown> = { ...alerting };
  delete copy['silences'];
  return copy;
}

/** Alerting settings from the global block and the model's layers; silences of every layer apply. */
export function resolveAlerting(
  global: AlertingConfig,
  layers: readonly (ModelOverride['alerting'] | undefined)[],
  sources: readonly SilenceSource[],
  basePath: readonly string[],
): Resolved<AlertingSettings> {
  let merged = withoutSilences(global);
  for (const layer of layers) merged = deepMerge(merged, withoutSilences(layer));
  const base = merged as Omit<AlertingSettings, 'silences'>;
  const problems: ConfigProblem[] = [];
  if (base.hysteresis.fireAfter > base.hysteresis.of) {
    problems.push({
      path: keyPath([...basePath, 'hysteresis', 'fireAfter']),
      message: `must be <= ${keyPath([...basePath, 'hysteresis', 'of'])} (${base.hysteresis.of}) (got ${base.hysteresis.fireAfter})`,
    });
  }
  const silences: SilenceSettings[] = [];
  for (const source of sources) {
    (source.silences ?? []).forEach((silence, i) => {
      const at = [...source.path, String(i)];
      const resolved = resolveSilence(silence, source.createdBy, at, problems);
      if (resolved !== null) silences.push(resolved);
    });
  }
  return { settings: { ...base, silences }, problems };
}

function resolveSilence(silence: SilenceConfig, createdBy: string, at: readonly string[], problems: ConfigProblem[]): SilenceSettings | null {
  const path = (...rest: string[]): string => keyPath([...at, ...rest]);
  const startsAt = silence.startsAt === undefined ? 0 : instantMs(silence.startsAt);
  const endsAt = instantMs(silence.endsAt);
  let ok = true;
  if (startsAt === null) {
    problems.push({ path: path('startsAt'), message: `must be milliseconds since the epoch or an ISO 8601 date-time with a zone (got ${JSON.stringify(silence.startsAt)})` });
    ok = false;
  }
  if (endsAt === null) {
    problems.push({ path: path('endsAt'), message: `must be milliseconds since the epoch or an ISO 8601 date-time with a zone (got ${JSON.stringify(silence.endsAt)})` });
    ok = false;
  }
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    problems.push({ path: path('endsAt'), message: `must be after startsAt (got ${JSON.stringify(silence.endsAt)})` });
    ok = false;
  }
  silence.matchers.forEach((matcher: MatcherSettings, j) => {
    const problem = matcherProblem(matcher);
    if (problem !== null) {
      problems.push({ path: path('matchers', String(j), 'value'), message: `must be a usable regular expression: ${problem}` });
      ok = false;
    }
  });
  if (!ok || startsAt === null || endsAt === null) return null;
  return { id: silence.id, matchers: silence.matchers.map((m) => ({ label: m.label, op: m.op, value: m.value })), startsAt, endsAt, comment: silence.comment ?? '', createdBy };
}

/** The response settings: the model's rules, else the global ones, else one rule from `policy.rollback`. */
export function resolveResponse(global: ResponseConfig, model: ResponseConfig | undefined, policy: PolicySettings): ResponseSettings {
  const rules: readonly Partial<ResponseRule>[] | undefined = model?.rules ?? global.rules;
  const legacy: ResponseRule[] = policy.rollback.enabled
    ? [{ action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: policy.rollback.consecutiveCriticalWindows, kinds: [], approval: 'auto' }]
    : [];
  return {
    rules:
      rules === undefined
        ? legacy
        : rules.map((r) => ({
            action: r.action ?? 'ROLLBACK',
            severity: r.severity ?? 'CRITICAL',
            consecutiveWindows: r.consecutiveWindows ?? 1,
            kinds: [...(r.kinds ?? [])],
            approval: r.approval ?? 'auto',
          })),
    fallbackModel: model?.fallbackModel !== undefined ? model.fallbackModel : (global.fallbackModel ?? null),
  };
}
