export * from './types.js';
export { MANIFEST_SCHEMA } from './schema.js';
export { ENV_HASH_ATTRIBUTE, environmentHash, compareEnvironment, type EnvironmentMismatch } from './env-hash.js';
export { parseManifest, readManifest, checkManifest, manifestProblems, MAX_MANIFEST_BYTES } from './validate.js';
export { buildManifest, hashFile, configurationHash, readDeclarations, type Declarations, type CaptureInput } from './capture.js';
export { captureEnvironment, processSources, type EnvironmentSources } from './environment.js';
export { buildSbom, sbomSummary, purlOf } from './sbom.js';
export { parseLockFile, parsePackageLock, parseRequirements, parsePoetryLock, lockKindOf, type LockedPackage } from './lockfiles.js';
