/**
 * The signature primitives of the audit trail against Google's Wycheproof vectors (Ed25519 and
 * HMAC-SHA256), read at test time from the shared test data beside the repository:
 * `../shared/testdata/wycheproof` from the repository root (VIGIL_WYCHEPROOF_DIR overrides it). A
 * missing folder fails these tests; it never skips them.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ed25519Verify, hmacSha256, hmacVerify } from '../../../../src/governance/audit/keys.js';
import { packageRoot } from '../../../../src/stack/paths.js';

const dir = resolve(process.env.VIGIL_WYCHEPROOF_DIR ?? join(packageRoot(), '..', 'shared', 'testdata', 'wycheproof'));

function vectors<T>(file: string): { numberOfTests: number; testGroups: T[] } {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new Error(`Wycheproof vectors not found at ${path}: the shared test data must be checked out beside the repository (../shared/testdata/wycheproof), or VIGIL_WYCHEPROOF_DIR must name the folder`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as { numberOfTests: number; testGroups: T[] };
}

interface Case {
  tcId: number;
  comment: string;
  msg: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

describe('Wycheproof: Ed25519 verification', () => {
  it('agrees with every vector', () => {
    const data = vectors<{ publicKeyDer: string; tests: (Case & { sig: string })[] }>('ed25519_test.json');
    const failures: string[] = [];
    let count = 0;
    for (const group of data.testGroups) {
      const key = createPublicKey({ key: Buffer.from(group.publicKeyDer, 'hex'), format: 'der', type: 'spki' });
      for (const t of group.tests) {
        count++;
        const ok = ed25519Verify(key, Buffer.from(t.msg, 'hex'), Buffer.from(t.sig, 'hex'));
        if (t.result !== 'acceptable' && ok !== (t.result === 'valid')) failures.push(`tcId ${t.tcId} (${t.comment}): expected ${t.result}, verify said ${ok}`);
      }
    }
    expect(count).toBe(data.numberOfTests);
    expect(failures).toEqual([]);
  });
});

describe('Wycheproof: HMAC-SHA256', () => {
  it('computes and verifies every vector, full and truncated tags', () => {
    const data = vectors<{ tagSize: number; tests: (Case & { key: string; tag: string })[] }>('hmac_sha256_test.json');
    const failures: string[] = [];
    let count = 0;
    for (const group of data.testGroups) {
      for (const t of group.tests) {
        count++;
        const key = Buffer.from(t.key, 'hex');
        const msg = Buffer.from(t.msg, 'hex');
        const tag = Buffer.from(t.tag, 'hex');
        const ok = hmacVerify(key, msg, tag);
        if (ok !== (t.result === 'valid')) failures.push(`tcId ${t.tcId} (${t.comment}): expected ${t.result}, verify said ${ok}`);
        if (t.result === 'valid' && !hmacSha256(key, msg).subarray(0, group.tagSize / 8).equals(tag)) failures.push(`tcId ${t.tcId}: computed tag differs`);
      }
    }
    expect(count).toBe(data.numberOfTests);
    expect(failures).toEqual([]);
  });
});
