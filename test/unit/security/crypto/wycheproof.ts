/**
 * Finds the shared Wycheproof vectors: `VIGIL_WYCHEPROOF_DIR` when set (and then only there), else
 * `../shared/testdata/wycheproof` beside the repository, else one level further up (a worktree
 * checked out below the repository's parent). Missing vectors are an error with the places looked in, never a skipped test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findPackageRoot } from '../../../../src/contracts/schemas.js';

export function wycheproofCandidates(): string[] {
  const root = findPackageRoot();
  const fromEnv = process.env.VIGIL_WYCHEPROOF_DIR;
  // An explicit folder is the only place looked in: a wrong setting fails rather than falling back.
  if (fromEnv) return [resolve(fromEnv)];
  return [resolve(root, '..', 'shared', 'testdata', 'wycheproof'), resolve(root, '..', '..', 'shared', 'testdata', 'wycheproof')];
}

export function wycheproofDir(): string | null {
  return wycheproofCandidates().find((dir) => existsSync(join(dir, 'aes_gcm_test.json'))) ?? null;
}

export function loadVectors<T>(file: string): T {
  const dir = wycheproofDir();
  if (dir === null) {
    throw new Error(
      `Wycheproof test vectors not found: ${file} is in none of ${wycheproofCandidates().join(', ')}; ` +
        'put the shared testdata beside the repository or set VIGIL_WYCHEPROOF_DIR',
    );
  }
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
}
