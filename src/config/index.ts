/** The engine's configuration: `vigil.yaml`, per-model overrides, and canonical JSON for hashing. */
export { canonicalHash, canonicalJson, sha256Hex } from './canonical.js';
export { CONFIG_DEFAULTS } from './defaults.js';
export { MAX_CONFIG_BYTES, buildConfig, loadConfig, parseConfigText } from './load.js';
export type { LoadConfigOptions } from './load.js';
export { ModelOverrides, effectiveConfig, lastApprovedVersion, parseModelOverride } from './models.js';
export type { OverrideResult } from './models.js';
export { CONFIG_SCHEMA, LIVE_OVERRIDE_SCHEMA, MODEL_OVERRIDE_SCHEMA } from './schema.js';
export type * from './types.js';
