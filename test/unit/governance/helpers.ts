import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentHash } from '../../../src/governance/manifest/env-hash.js';
import type { DeploymentManifest } from '../../../src/governance/manifest/types.js';
import type { CommandIo } from '../../../src/cli/io.js';
import { main } from '../../../src/main.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A manifest that passes every shipped rule once approved; `patch` changes it and the hash is recomputed. */
export function makeManifest(patch: (m: Mutable<DeploymentManifest> & Record<string, unknown>) => void = () => undefined): DeploymentManifest {
  const m: Mutable<DeploymentManifest> & Record<string, unknown> = {
    manifestVersion: 1,
    modelId: 'credit-risk',
    modelVersion: '1.1.0',
    capturedAt: '2026-01-02T03:04:05.000Z',
    owner: 'risk-team@example.org',
    intendedUse: 'credit scoring of retail loan applications',
    riskClass: 'high',
    modelKind: 'classifier',
    artifact: { uri: 'model.bin', sha256: 'a'.repeat(64), sizeBytes: 1234 },
    configuration: { source: 'vigil.yaml', sha256: 'b'.repeat(64) },
    environment: {
      os: { platform: 'linux', release: '6.1.0', type: 'Linux' },
      arch: 'x64',
      cpuModel: 'Test CPU',
      cpuCount: 2,
      memoryBytes: 1024,
      runtimes: { node: '20.11.0', python: '3.11.9' },
      containerImageDigest: `sha256:${'c'.repeat(64)}`,
      gitCommit: 'd'.repeat(40),
      envVarNames: ['HOME', 'VIGIL_BROKERS'],
    },
    documents: {
      modelCard: { uri: 'docs/model-card.md', sha256: 'e'.repeat(64) },
      dataProtectionAssessment: { uri: 'docs/dpia.pdf', sha256: null },
      riskAssessment: { uri: 'docs/risk.md', sha256: null },
    },
    rollback: { targetVersion: '1.0.0' },
    monitoring: { features: ['age', 'income'], detectors: [{ name: 'psi', kind: 'drift' }] },
    ioLogging: { enabled: true, encrypted: true, retentionDays: 365 },
    sbom: {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        { type: 'library', name: 'numpy', version: '1.26.4', purl: 'pkg:pypi/numpy@1.26.4', licenses: [{ license: { id: 'BSD-3-Clause' } }] },
        { type: 'library', group: '@acme', name: 'tool', version: '2.0.0', purl: 'pkg:npm/%40acme/tool@2.0.0', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
      ],
    },
    environmentHash: '',
  };
  patch(m);
  m.environmentHash = environmentHash(m);
  return m;
}

export function tempDir(prefix = 'vigil-gov-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export function expectVigilError(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: string; message: string; details?: Record<string, unknown> };
    if (typeof e.code === 'string') return { code: e.code, message: e.message, details: e.details ?? {} };
    throw error;
  }
  throw new Error('expected a VigilError, nothing was thrown');
}
