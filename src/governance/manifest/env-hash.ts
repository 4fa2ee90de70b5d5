/**
 * The environment hash: one digest of what must not change between approval and run time (the model
 * artifact, the configuration, the container image, the platform, the language runtimes and the
 * dependency set). A running model server reports it in every inference event's attributes under
 * `vigil.env.hash`; the engine compares it with the approved manifest's.
 */
import { canonicalHash } from '../../config/canonical.js';
import type { DeploymentManifest } from './types.js';

/** The inference-event attribute that carries the running version's environment hash. */
export const ENV_HASH_ATTRIBUTE = 'vigil.env.hash';

type HashInput = Pick<DeploymentManifest, 'artifact' | 'configuration' | 'environment' | 'sbom'>;

/** Lower-case hex SHA-256 of the canonical JSON of the manifest's environment-defining parts. */
export function environmentHash(manifest: HashInput): string {
  const env = manifest.environment;
  const dependencies = (manifest.sbom.components ?? [])
    .map((c) => c.purl ?? `${c.group ? `${c.group}/` : ''}${c.name}@${c.version ?? ''}`)
    .sort();
  return canonicalHash({
    artifactSha256: manifest.artifact.sha256,
    configurationSha256: manifest.configuration.sha256,
    containerImageDigest: env.containerImageDigest,
    platform: env.os.platform,
    arch: env.arch,
    runtimes: env.runtimes,
    dependencies,
  });
}

export interface EnvironmentMismatch {
  readonly kind: 'environment-mismatch' | 'environment-unreported';
  readonly modelId: string;
  readonly modelVersion: string;
  readonly expected: string;
  readonly reported: string | null;
  readonly message: string;
}

/**
 * Compares what a running version reports with its approved manifest: null when they agree, else a
 * finding the engine turns into a GOVERNANCE alert. A missing report is a finding too: a version that
 * does not say what it runs cannot be shown to run what was approved.
 */
export function compareEnvironment(approved: DeploymentManifest, reportedHash: string | null | undefined): EnvironmentMismatch | null {
  const expected = approved.environmentHash;
  const subject = `${approved.modelId}@${approved.modelVersion}`;
  if (reportedHash === undefined || reportedHash === null || reportedHash === '') {
    return { kind: 'environment-unreported', modelId: approved.modelId, modelVersion: approved.modelVersion, expected, reported: null, message: `${subject} reports no ${ENV_HASH_ATTRIBUTE}; the approved environment is ${expected}` };
  }
  const reported = reportedHash.trim().toLowerCase();
  if (reported === expected) return null;
  return {
    kind: 'environment-mismatch',
    modelId: approved.modelId,
    modelVersion: approved.modelVersion,
    expected,
    reported: reportedHash.slice(0, 128),
    message: `${subject} runs environment ${reportedHash.slice(0, 128)}, not the approved ${expected}`,
  };
}
