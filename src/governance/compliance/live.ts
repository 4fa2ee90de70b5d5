/**
 * Compliance against what the running system is configured to do, not only what the manifest
 * declares. The live facts of a model come from its effective configuration (vigil.yaml plus the
 * `vigil.config` records folded on top by the engine's own `ModelOverrides`): the detectors that are
 * enabled, and its I/O logging settings. They replace the manifest's `monitoring` and `ioLogging`, and
 * the same rule packs run over the result with the one engine (`evaluate`); the findings on those
 * fields are the live ones, relabelled so that they name the live configuration.
 */
import { ModelOverrides } from '../../config/models.js';
import type { IoLogModelSettings, ModelSettings, VigilConfig } from '../../config/types.js';
import { ioLogSettingsFor } from '../../iolog/settings.js';
import { detectorRegistry, eventDetectorRegistry } from '../../../workers/detectors/registry.js';
import type { DeploymentManifest, DetectorKind, MonitoringDeclaration } from '../manifest/types.js';
import { evaluate } from './evaluate.js';
import type { EvaluationContext, Finding, RulePack } from './types.js';

/**
 * Window drift detectors that score each feature on its own (two-sample tests over numeric or
 * categorical columns). The other drift detectors (sequential, multivariate, embedding) score the
 * model as a whole and so cover no single feature.
 */
export const PER_FEATURE_DRIFT: ReadonlySet<string> = new Set(['psi', 'ks', 'cvm', 'wasserstein', 'jensen-shannon', 'hellinger', 'chi-square', 'z-test']);

/** Findings from live facts carry this prefix on their path (`live-configuration.monitoring.detectors`). */
export const LIVE_PATH_PREFIX = 'live-configuration.';

/** The manifest fields the live facts replace. */
const OVERLAID = ['monitoring', 'ioLogging'] as const;

export interface LiveDetector {
  readonly id: string;
  readonly kind: DetectorKind;
  readonly perFeature: boolean;
}

/** What the running configuration of one model monitors and logs. */
export interface LiveFacts {
  readonly modelId: string;
  /** Enabled detectors, in id order. */
  readonly detectors: readonly LiveDetector[];
  readonly ioLogging: { readonly enabled: boolean; readonly encrypted: boolean; readonly retentionDays: number };
  /** The configuration hash of the settings the facts were read from. */
  readonly configHash: string;
}

const KINDS: Readonly<Record<string, DetectorKind>> = { DRIFT: 'drift', PERFORMANCE: 'performance', ANOMALY: 'anomaly', HALLUCINATION: 'hallucination' };

/** The live facts of a model from its effective settings and I/O log settings. Pure. */
export function liveFacts(settings: ModelSettings, iolog: IoLogModelSettings): LiveFacts {
  const detectors: LiveDetector[] = [];
  for (const id of Object.keys(settings.detectors).sort()) {
    if (settings.detectors[id]?.enabled !== true) continue;
    const kind = KINDS[detectorRegistry.get(id)?.kind ?? eventDetectorRegistry.get(id)?.kind ?? ''];
    if (kind !== undefined) detectors.push({ id, kind, perFeature: kind === 'drift' && PER_FEATURE_DRIFT.has(id) });
  }
  // A sample rate of 0 without logging on alerts writes nothing; every record written is sealed
  // with envelope encryption (src/iolog/builder.ts), so logging on is logging encrypted.
  const enabled = iolog.enabled && (iolog.sampleRate > 0 || iolog.alwaysOnAlert);
  return { modelId: settings.modelId, detectors, ioLogging: { enabled, encrypted: enabled, retentionDays: iolog.retentionDays }, configHash: settings.configHash };
}

/**
 * The manifest's monitoring with the live detectors in place of the declared ones. A per-feature drift
 * detector covers the features the manifest assigns to a detector of that name, or every feature when
 * it assigns none; a model-level drift detector covers no feature.
 */
function liveMonitoring(manifest: DeploymentManifest, facts: LiveFacts): MonitoringDeclaration {
  const declared = manifest.monitoring;
  const features = declared?.features ?? [];
  const detectors = facts.detectors.map((d) => {
    if (d.kind !== 'drift') return { name: d.id, kind: d.kind };
    if (!d.perFeature) return { name: d.id, kind: d.kind, features: [] };
    const scoped = declared?.detectors.find((x) => x.name === d.id && x.features !== undefined);
    return scoped?.features === undefined ? { name: d.id, kind: d.kind } : { name: d.id, kind: d.kind, features: scoped.features };
  });
  return { features, detectors };
}

/** The manifest with its monitoring and I/O logging replaced by the live facts. Pure. */
export function overlayLive(manifest: DeploymentManifest, facts: LiveFacts): DeploymentManifest {
  return { ...manifest, monitoring: liveMonitoring(manifest, facts), ioLogging: { ...facts.ioLogging } };
}

function overlaid(path: string): boolean {
  return OVERLAID.some((field) => path === field || path.startsWith(`${field}.`));
}

/**
 * The findings of the packs over the manifest overlaid with the live facts, on the overlaid fields
 * only (the others are the manifest's own), each naming the live configuration in its path and message.
 */
export function evaluateLive(manifest: DeploymentManifest, context: EvaluationContext, packs: readonly RulePack[], facts: LiveFacts): Finding[] {
  const report = evaluate(overlayLive(manifest, facts), context, packs);
  return report.findings
    .filter((f) => overlaid(f.path))
    .map((f) => ({ ...f, path: `${LIVE_PATH_PREFIX}${f.path}`, message: `live configuration of ${facts.modelId} (config ${facts.configHash.slice(0, 12)}): ${f.message}` }));
}

/**
 * The configuration in force as the engine applies it: the file, then every `vigil.config` record
 * folded on top (per-model overrides; silence records change nothing that is monitored). A record the
 * engine would reject leaves the settings in force unchanged.
 */
export class LiveConfiguration {
  readonly #config: VigilConfig;
  readonly #overrides: ModelOverrides;

  constructor(config: VigilConfig) {
    this.#config = config;
    this.#overrides = new ModelOverrides(config);
  }

  /**
   * Folds one record (`json` null: a tombstone). Returns the model it changed, `null` when it changes no
   * monitoring fact (a silence), or a problem (the record is refused, as the engine refuses it).
   */
  fold(key: string, json: string | null): { readonly modelId: string | null } | { readonly problem: string } {
    if (key.length === 0) return { problem: 'a vigil.config record without a key' };
    if (key.startsWith('silence:')) {
      const problem = this.#overrides.applySilence(key, json);
      return problem === null ? { modelId: null } : { problem: `silence record ${key}: ${problem}` };
    }
    const result = this.#overrides.apply(key, json);
    return result.ok ? { modelId: key } : { problem: result.error.message };
  }

  facts(modelId: string): LiveFacts {
    return liveFacts(this.#overrides.settings(modelId), ioLogSettingsFor(this.#config.iolog, modelId));
  }
}
