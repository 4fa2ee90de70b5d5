/** Where the package lives and where the local stack keeps its downloads, data, logs and pids. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findPackageRoot } from '../contracts/schemas.js';

/** The directory holding Vigil's package.json, schemas/ and infra/. */
export const packageRoot = findPackageRoot;

export interface StackPaths {
  readonly root: string;
  readonly downloads: string;
  readonly data: string;
  readonly logs: string;
  readonly run: string;
}

/** `VIGIL_STACK_DIR`, or `.vigil/stack` inside the package. */
export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const root = resolve(env.VIGIL_STACK_DIR ?? join(packageRoot(), '.vigil', 'stack'));
  return {
    root,
    downloads: join(root, 'downloads'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
  };
}

export interface StackVersions {
  readonly kafka: string;
  readonly registry: string;
  readonly registryMinJava: number;
  readonly registryForJava17: string;
  readonly ports: { readonly kafka: number; readonly controller: number; readonly registry: number };
}

export function stackVersions(): StackVersions {
  return JSON.parse(readFileSync(join(packageRoot(), 'infra', 'versions.json'), 'utf8')) as StackVersions;
}
