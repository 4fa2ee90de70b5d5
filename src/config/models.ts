/**
 * Per-model settings: the defaults of the file, then `models.<id>`, then a live override from the
 * compacted `vigil.config` topic. A live override is validated with the same per-model schema as the
 * file (minus `reference.file`); a bad one is rejected with a message naming the key, and the one in
 * force before it stays in force.
 */
import { VigilError } from '../errors.js';
import { canonicalHash } from './canonical.js';
import { deepFreeze, deepMerge } from './defaults.js';
import { detectorIds, detectorRegistry, eventDetectorIds, eventDetectorRegistry } from '../../workers/detectors/registry.js';
import type { AnyEventDetector, AnyWindowDetector } from '../../workers/detectors/types.js';
import { resolveAlerting, resolveResponse } from './alerting.js';
import type { MatcherSettings, SilenceSettings, DetectorSettings, DetectorsSettings, ModelOverride, ModelSettings, ReferenceSettings, VigilConfig, WindowSettings } from './types.js';
import { configError, keyPath, problemsOf, validators } from './validate.js';
import type { ConfigProblem } from './validate.js';

/**
 * Rules across fields, which the schema cannot express: every detector named is registered, its
 * parameters pass its own parseParams, and its warning threshold is not above its critical one.
 */
export function checkDetectors(detectors: DetectorsSettings, basePath: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const id of Object.keys(detectors).sort()) {
    const settings = detectors[id]!;
    const detector = anyDetector(id);
    if (detector === undefined) {
      problems.push({ path: keyPath([...basePath, id]), message: `is not a registered detector (registered: ${[...detectorIds(), ...eventDetectorIds()].join(', ')})` });
      continue;
    }
    try {
      detector.parseParams(settings.params);
    } catch (error) {
      problems.push({ path: keyPath([...basePath, id, 'params']), message: `is invalid: ${error instanceof Error ? error.message : String(error)}` });
    }
    const warning = settings.warning ?? detector.thresholds?.warning;
    const critical = settings.critical ?? detector.thresholds?.critical;
    if (warning !== undefined && critical !== undefined && warning > critical) {
      problems.push({
        path: keyPath([...basePath, id, 'warning']),
        message: `must be a number <= ${keyPath([...basePath, id, 'critical'])} (${critical}) (got ${warning})`,
      });
    }
  }
  return problems;
}

function anyDetector(id: string): AnyWindowDetector | AnyEventDetector | undefined {
  return detectorRegistry.get(id) ?? eventDetectorRegistry.get(id);
}

/** A registered detector's own default thresholds, if it has any. */
export function detectorThresholds(id: string): { readonly warning: number; readonly critical: number } | undefined {
  return anyDetector(id)?.thresholds;
}

/** The thresholds of a detector: from its settings, else its own defaults, else never crossed. */
export function thresholdsOf(id: string, settings: DetectorSettings): { warning: number; critical: number } {
  const defaults = anyDetector(id)?.thresholds;
  return {
    warning: settings.warning ?? defaults?.warning ?? Number.POSITIVE_INFINITY,
    critical: settings.critical ?? defaults?.critical ?? Number.POSITIVE_INFINITY,
  };
}

/** Enabled detectors of a model, split by registry, in id order (deterministic dispatch and output). */
export function enabledDetectors(detectors: DetectorsSettings): { window: string[]; event: string[] } {
  const ids = Object.keys(detectors).filter((id) => detectors[id]!.enabled).sort();
  return { window: ids.filter((id) => detectorRegistry.has(id)), event: ids.filter((id) => eventDetectorRegistry.has(id)) };
}

/**
 * Parses the JSON of a live override (`DetectorConfig.config`). Throws VIGIL_CONFIG_INVALID naming
 * `origin` (e.g. `vigil.config[credit-risk] revision 7`) and the key path at fault.
 */
export function parseModelOverride(json: string, origin: string): ModelOverride {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (cause) {
    throw configError(origin, [{ path: '(root)', message: 'must be a JSON document (it does not parse)' }], cause);
  }
  const problems = problemsOf(validators.liveOverride, document);
  if (problems.length > 0) throw configError(origin, problems);
  return deepFreeze(document as ModelOverride);
}

/**
 * The settings in force for `modelId`: defaults ⊕ models[modelId] ⊕ override. Throws
 * VIGIL_CONFIG_INVALID when the override is not a valid per-model document or the merged result
 * breaks a rule (e.g. psi.warning above psi.critical).
 */
export function effectiveConfig(
  config: VigilConfig,
  modelId: string,
  override?: ModelOverride | null,
  origin = `the live override of model ${JSON.stringify(modelId)}`,
): ModelSettings {
  if (override !== undefined && override !== null) {
    const problems = problemsOf(validators.liveOverride, override);
    if (problems.length > 0) throw configError(origin, problems);
  }
  const fromFile = Object.hasOwn(config.models, modelId) ? config.models[modelId] : undefined;
  let merged = { detectors: config.detectors, windows: config.engine.windows, reference: config.engine.reference } as unknown;
  merged = deepMerge(merged, fromFile);
  merged = deepMerge(merged, override ?? undefined);
  const { detectors, windows, reference } = merged as { detectors: DetectorsSettings; windows: WindowSettings; reference: ReferenceSettings };
  const alerting = resolveAlerting(
    config.alerting,
    [fromFile?.alerting, override?.alerting ?? undefined],
    [
      { silences: config.alerting.silences, path: ['alerting', 'silences'], createdBy: 'config' },
      { silences: fromFile?.alerting?.silences, path: ['models', modelId, 'alerting', 'silences'], createdBy: 'config' },
      { silences: override?.alerting?.silences, path: ['alerting', 'silences'], createdBy: 'vigil.config' },
    ],
    ['alerting'],
  );
  const problems = [...checkDetectors(detectors, ['detectors']), ...alerting.problems];
  if (problems.length > 0) throw configError(origin, problems);
  const response = resolveResponse(config.response, fromFile?.response, config.policy);
  const body = { modelId, detectors, windows, reference, rollback: config.policy.rollback, alerting: alerting.settings, response };
  return deepFreeze({ ...body, configHash: canonicalHash(body) });
}

/** The last approved version of a model known from the configuration, or null. */
export function lastApprovedVersion(config: VigilConfig, modelId: string): string | null {
  return Object.hasOwn(config.policy.lastApproved, modelId) ? (config.policy.lastApproved[modelId] ?? null) : null;
}

export type OverrideResult =
  | { readonly ok: true; readonly settings: ModelSettings }
  | { readonly ok: false; readonly error: VigilError; readonly settings: ModelSettings };

/**
 * The live overrides in force, one per model, with their effective settings cached. `apply` is what
 * the engine calls for each `vigil.config` record; it never throws for bad input.
 */
export class ModelOverrides {
  readonly #config: VigilConfig;
  readonly #overrides = new Map<string, ModelOverride>();
  readonly #settings = new Map<string, ModelSettings>();
  /** Live silences by model id and silence id, from `silence:` records of vigil.config. */
  readonly #silences = new Map<string, Map<string, SilenceSettings>>();

  constructor(config: VigilConfig) {
    this.#config = config;
  }

  /**
   * Applies the override document `json` for `modelId`; `null` (a tombstone on the compacted topic)
   * removes it. On a bad document the result carries the error and the settings still in force.
   */
  apply(modelId: string, json: string | null, origin = `vigil.config record of model ${JSON.stringify(modelId)}`): OverrideResult {
    if (json === null) {
      this.#overrides.delete(modelId);
      this.#settings.delete(modelId);
      return { ok: true, settings: this.settings(modelId) };
    }
    try {
      const override = parseModelOverride(json, origin);
      const settings = effectiveConfig(this.#config, modelId, override, origin);
      this.#overrides.set(modelId, override);
      this.#settings.set(modelId, settings);
      return { ok: true, settings };
    } catch (error) {
      if (!(error instanceof VigilError) || error.code !== 'VIGIL_CONFIG_INVALID') throw error;
      const rejected = new VigilError('VIGIL_CONFIG_INVALID', `${error.message} (override rejected; the previous settings stay in force)`, {
        cause: error,
        details: { ...error.details, file: origin, modelId },
      });
      return { ok: false, error: rejected, settings: this.settings(modelId) };
    }
  }

  /** The live override in force for `modelId`, if any. */
  override(modelId: string): ModelOverride | undefined {
    return this.#overrides.get(modelId);
  }

  /** The effective settings of `modelId` (cached until its override or its silences change). */
  settings(modelId: string): ModelSettings {
    let settings = this.#settings.get(modelId);
    if (settings === undefined) {
      settings = effectiveConfig(this.#config, modelId, this.#overrides.get(modelId));
      const live = this.#silences.get(modelId);
      // Live silences join the configured ones; they do not change the configuration hash (they
      // mute notifications, they do not change what is measured).
      if (live !== undefined && live.size > 0) {
        settings = deepFreeze({ ...settings, alerting: { ...settings.alerting, silences: [...settings.alerting.silences, ...live.values()] } });
      }
      this.#settings.set(modelId, settings);
    }
    return settings;
  }

  /**
   * Applies a silence record of `vigil.config` (key `silence:<id>`, written by the admin API): its
   * matchers on kind, severity, detector and feature, for its model, from `startsAt` until the earlier
   * of `endsAt` and `expiredAt`. `null` (a tombstone) removes it. Returns why a record is refused.
   */
  applySilence(key: string, json: string | null): string | null {
    const id = key.slice('silence:'.length);
    if (json === null) {
      for (const [modelId, silences] of this.#silences) if (silences.delete(id)) this.#settings.delete(modelId);
      return null;
    }
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return 'not JSON';
    }
    const v = value as Record<string, unknown>;
    const { modelId, matchers, startsAt, endsAt, expiredAt, comment, createdBy } = v;
    if (typeof modelId !== 'string' || modelId.length === 0) return 'modelId must be a non-empty string';
    if (typeof startsAt !== 'number' || typeof endsAt !== 'number' || !Number.isFinite(startsAt) || !Number.isFinite(endsAt)) return 'startsAt and endsAt must be times in milliseconds';
    if (matchers === null || typeof matchers !== 'object' || Array.isArray(matchers)) return 'matchers must be an object';
    const known = ['kind', 'severity', 'detector', 'feature'];
    const list: MatcherSettings[] = [{ label: 'modelId', op: '=', value: modelId }];
    for (const [label, wanted] of Object.entries(matchers)) {
      if (!known.includes(label) || typeof wanted !== 'string') return `matcher ${JSON.stringify(label)} must be one of ${known.join(', ')} with a string value`;
      list.push({ label, op: '=', value: wanted });
    }
    const end = typeof expiredAt === 'number' && Number.isFinite(expiredAt) ? Math.min(endsAt, expiredAt) : endsAt;
    let silences = this.#silences.get(modelId);
    if (silences === undefined) this.#silences.set(modelId, (silences = new Map()));
    silences.set(id, { id, matchers: list, startsAt, endsAt: end, comment: typeof comment === 'string' ? comment : '', createdBy: typeof createdBy === 'string' ? createdBy : 'admin-api' });
    this.#settings.delete(modelId);
    return null;
  }
}
