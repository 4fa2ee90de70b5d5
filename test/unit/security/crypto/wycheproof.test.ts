import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../../../../src/security/crypto/aead.js';
import { VigilError } from '../../../../src/errors.js';
import { loadVectors, wycheproofCandidates, wycheproofDir } from './wycheproof.js';

interface AeadTest { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }
interface AeadFile { testGroups: { keySize: number; ivSize: number; tagSize: number; tests: AeadTest[] }[] }
interface MacTest { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' | 'acceptable' }
interface MacFile { testGroups: { keySize: number; tagSize: number; tests: MacTest[] }[] }

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('the Wycheproof vectors', () => {
  it('are present (a missing folder fails here, it is never skipped)', () => {
    expect(wycheproofDir(), `none of ${wycheproofCandidates().join(', ')} holds aes_gcm_test.json`).not.toBeNull();
  });

  it('AES-256-GCM with 96-bit nonces and 128-bit tags: every valid vector seals and opens, every invalid one is refused', () => {
    const file = loadVectors<AeadFile>('aes_gcm_test.json');
    const failures: string[] = [];
    let checked = 0;
    let invalid = 0;
    for (const group of file.testGroups) {
      if (group.keySize !== 256 || group.ivSize !== 96 || group.tagSize !== 128) continue;
      for (const t of group.tests) {
        checked++;
        const key = hex(t.key);
        const iv = hex(t.iv);
        const sealed = Buffer.concat([hex(t.ct), hex(t.tag)]);
        if (t.result === 'valid') {
          const ours = seal(key, iv, hex(t.msg), hex(t.aad));
          if (!ours.equals(sealed)) failures.push(`tcId ${t.tcId}: seal differs`);
          try {
            if (!open(key, iv, sealed, hex(t.aad)).equals(hex(t.msg))) failures.push(`tcId ${t.tcId}: open differs`);
          } catch (error) {
            failures.push(`tcId ${t.tcId}: open threw ${String(error)}`);
          }
        } else {
          invalid++;
          try {
            open(key, iv, sealed, hex(t.aad));
            failures.push(`tcId ${t.tcId} (${t.result}, ${t.flags.join(',')}): accepted`);
          } catch (error) {
            if (!(error instanceof VigilError) || error.code !== 'VIGIL_DECRYPT_FAILED') failures.push(`tcId ${t.tcId}: wrong error ${String(error)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(66);
    expect(invalid).toBeGreaterThan(10);
  });

  it('AES-GCM vectors with other key or nonce sizes are refused before any decryption', () => {
    const file = loadVectors<AeadFile>('aes_gcm_test.json');
    const accepted: number[] = [];
    let checked = 0;
    for (const group of file.testGroups) {
      if (group.keySize === 256 && group.ivSize === 96) continue;
      for (const t of group.tests) {
        checked++;
        const sealed = Buffer.concat([hex(t.ct), hex(t.tag)]);
        for (const attempt of [() => open(hex(t.key), hex(t.iv), sealed, hex(t.aad)), () => seal(hex(t.key), hex(t.iv), hex(t.msg), hex(t.aad))]) {
          try {
            attempt();
            accepted.push(t.tcId);
          } catch (error) {
            if (!(error instanceof VigilError) || !['VIGIL_KEY_INVALID', 'VIGIL_DECRYPT_FAILED'].includes(error.code)) accepted.push(t.tcId);
          }
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(checked).toBe(316 - 66);
  });

  it('HMAC-SHA256 (key ids of single base64 keys): every vector agrees', () => {
    const file = loadVectors<MacFile>('hmac_sha256_test.json');
    const failures: number[] = [];
    let checked = 0;
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        checked++;
        const full = createHmac('sha256', hex(t.key)).update(hex(t.msg)).digest();
        const matches = full.subarray(0, group.tagSize / 8).equals(hex(t.tag));
        if (matches !== (t.result === 'valid')) failures.push(t.tcId);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(174);
  });
});
