/** Reads and checks a deployment manifest: JSON, bounded size, the schema, and its own environment hash. */
import { Ajv } from 'ajv';
import { readFileSync, statSync } from 'node:fs';
import { VigilError, describeError } from '../../errors.js';
import { schemaProblems } from '../shared/schema.js';
import { MANIFEST_SCHEMA } from './schema.js';
import { environmentHash } from './env-hash.js';
import type { DeploymentManifest } from './types.js';

/** Manifests are small; a larger file is refused before it is parsed. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true, allowUnionTypes: true });
const validator = ajv.compile(MANIFEST_SCHEMA);

export interface ManifestProblem {
  readonly path: string;
  readonly message: string;
}

/** Every problem of a parsed document, one per field path; empty when it is a valid manifest. */
export function manifestProblems(document: unknown): ManifestProblem[] {
  const problems = schemaProblems(validator, document);
  if (problems.length > 0) return problems;
  const manifest = document as DeploymentManifest;
  const expected = environmentHash(manifest);
  if (manifest.environmentHash !== expected) {
    return [{ path: 'environmentHash', message: `must be the hash of the manifest's environment, ${expected} (got ${manifest.environmentHash}): the manifest was edited after capture` }];
  }
  return [];
}

/** A valid manifest from a parsed document, or VIGIL_MANIFEST_INVALID naming the origin and each field at fault. */
export function checkManifest(document: unknown, origin: string): DeploymentManifest {
  const problems = manifestProblems(document);
  if (problems.length === 0) return document as DeploymentManifest;
  const lines = problems.slice(0, 20).map((p) => `${p.path} ${p.message}`);
  const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
  const message = lines.length === 1 ? `invalid manifest ${origin}: ${lines[0] ?? ''}` : `invalid manifest ${origin}:\n  - ${lines.join('\n  - ')}${more}`;
  return fail(message, { file: origin, path: problems[0]?.path ?? '(root)', problems: problems.length });
}

/** Parses manifest text (JSON) and checks it. */
export function parseManifest(text: string, origin: string): DeploymentManifest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return fail(`${origin} is not JSON: ${describeError(error)}`, { file: origin, path: '(root)' });
  }
  return checkManifest(document, origin);
}

export function readManifest(file: string): DeploymentManifest {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read manifest ${file}: ${describeError(error)}`, { cause: error, details: { file } });
  }
  if (size > MAX_MANIFEST_BYTES) {
    return fail(`${file} is ${size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES}`, { file, path: '(root)' });
  }
  return parseManifest(readFileSync(file, 'utf8'), file);
}

function fail(message: string, details: Record<string, string | number>): never {
  throw new VigilError('VIGIL_MANIFEST_INVALID', message, { details });
}
