/**
 * Building a manifest: the artifact's SHA-256 (streamed, so a model of many gigabytes needs no more
 * memory than a small one), the configuration's hash, the captured environment, the SBOM from the lock
 * files, and what the team declares (owner, intended use, documents, rollback, monitoring, logging).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { canonicalHash, sha256Hex } from '../../config/canonical.js';
import { VigilError, describeError } from '../../errors.js';
import { readBounded } from '../shared/files.js';
import { environmentHash } from './env-hash.js';
import { lockKindOf, parseLockFile, type LockedPackage } from './lockfiles.js';
import { buildSbom } from './sbom.js';
import { checkManifest } from './validate.js';
import type { DeploymentManifest, DocumentRef, RiskClass, RuntimeEnvironment } from './types.js';

export const MAX_LOCK_BYTES = 64 * 1024 * 1024;
export const MAX_DECLARATION_BYTES = 1024 * 1024;

/** SHA-256 (hex) and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      sizeBytes += (chunk as Buffer).length;
    }
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read ${file}: ${describeError(error)}`, { cause: error, details: { file } });
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * The configuration's hash: for YAML or JSON, the hash of its canonical JSON (so reformatting or
 * reordering keys does not change it); for anything else, of its bytes.
 */
export function configurationHash(file: string): string {
  const text = readBounded(file, 16 * 1024 * 1024, 'configuration');
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    let value: unknown;
    try {
      value = ext === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
    } catch (error) {
      throw new VigilError('VIGIL_INPUT_INVALID', `configuration ${file} cannot be parsed: ${describeError(error)}`, { cause: error, details: { file } });
    }
    return canonicalHash(value ?? null);
  }
  return sha256Hex(text);
}

export function readLockFiles(files: readonly string[]): LockedPackage[] {
  return files.flatMap((file) => parseLockFile(lockKindOf(file), readBounded(file, MAX_LOCK_BYTES, 'lock file'), file));
}

/** What the team declares about a deployment (the `--declare` file). */
export type Declarations = Partial<Pick<DeploymentManifest, 'owner' | 'intendedUse' | 'modelKind' | 'rollback' | 'monitoring' | 'ioLogging' | 'auditLog'>> & {
  /** Document kind → a path (hashed when it is a local file) or a URI. */
  readonly documents?: Readonly<Record<string, string>>;
};

const DECLARATION_KEYS = ['owner', 'intendedUse', 'modelKind', 'rollback', 'monitoring', 'ioLogging', 'auditLog', 'documents'];

export function readDeclarations(file: string): Declarations {
  const text = readBounded(file, MAX_DECLARATION_BYTES, 'declarations');
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `declarations ${file} are not YAML or JSON: ${describeError(error)}`, { cause: error, details: { file } });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new VigilError('VIGIL_INPUT_INVALID', `declarations ${file} must be a mapping`, { details: { file } });
  for (const key of Object.keys(doc)) {
    if (!DECLARATION_KEYS.includes(key)) {
      throw new VigilError('VIGIL_INPUT_INVALID', `declarations ${file}: ${key} is not a known key (allowed: ${DECLARATION_KEYS.join(', ')})`, { details: { file, path: key } });
    }
  }
  const docs = (doc as { documents?: unknown }).documents;
  if (docs !== undefined && (typeof docs !== 'object' || docs === null || Array.isArray(docs) || !Object.values(docs).every((v) => typeof v === 'string'))) {
    throw new VigilError('VIGIL_INPUT_INVALID', `declarations ${file}: documents must map a kind to a path or URI`, { details: { file, path: 'documents' } });
  }
  return doc as Declarations;
}

async function documentRef(ref: string, baseDir: string): Promise<DocumentRef> {
  const path = isAbsolute(ref) ? ref : resolve(baseDir, ref);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(ref) && existsSync(path) && statSync(path).isFile()) return { uri: ref, sha256: (await hashFile(path)).sha256 };
  return { uri: ref, sha256: null };
}

export interface CaptureInput {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly riskClass: RiskClass;
  readonly artifact: string;
  readonly config: string | null;
  readonly lockFiles: readonly string[];
  readonly environment: RuntimeEnvironment;
  readonly declarations: Declarations;
  /** Folder relative document paths are read from. */
  readonly baseDir: string;
  readonly now: Date;
  readonly toolVersion: string;
  readonly owner?: string;
  readonly intendedUse?: string;
}

export async function buildManifest(input: CaptureInput): Promise<DeploymentManifest> {
  const artifact = await hashFile(input.artifact);
  const packages = readLockFiles(input.lockFiles);
  const sbom = buildSbom({ modelId: input.modelId, modelVersion: input.modelVersion, timestamp: input.now, toolVersion: input.toolVersion }, packages);
  const { documents: docPaths, ...declared } = input.declarations;
  const documents: Record<string, DocumentRef> = {};
  for (const [kind, ref] of Object.entries(docPaths ?? {})) documents[kind] = await documentRef(ref, input.baseDir);
  const base = {
    manifestVersion: 1 as const,
    modelId: input.modelId,
    modelVersion: input.modelVersion,
    capturedAt: input.now.toISOString(),
    ...declared,
    ...(input.owner !== undefined ? { owner: input.owner } : {}),
    ...(input.intendedUse !== undefined ? { intendedUse: input.intendedUse } : {}),
    riskClass: input.riskClass,
    artifact: { uri: input.artifact, ...artifact },
    configuration: { source: input.config, sha256: input.config === null ? sha256Hex('') : configurationHash(input.config) },
    environment: input.environment,
    ...(docPaths !== undefined ? { documents } : {}),
    sbom,
  };
  const manifest = { ...base, environmentHash: environmentHash(base) };
  // The declarations came from a file: the schema names the field at fault if they are wrong.
  return checkManifest(JSON.parse(JSON.stringify(manifest)) as unknown, 'the captured manifest');
}
