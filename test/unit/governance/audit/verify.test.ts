import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../../src/contracts/records.js';
import { appendAudit, auditHash } from '../../../../src/pipeline/policy/audit.js';
import { keyIdOf } from '../../../../src/security/audit-key.js';
import { CheckpointingChain, appendSigned } from '../../../../src/governance/audit/chain.js';
import { proveInclusion, verifyInclusionProof } from '../../../../src/governance/audit/inclusion.js';
import { ed25519Signer, hmacSigner, keyringOf, type KeyringEntry } from '../../../../src/governance/audit/keys.js';
import { verifyAuditTrail, type AuditFinding } from '../../../../src/governance/audit/verify.js';

// Keys are made at test time; none is committed.
const ed = generateKeyPairSync('ed25519');
const edSigner = ed25519Signer(ed.privateKey);
const secret = randomBytes(32);
const macSigner = hmacSigner(secret, 'hmac:2026-01');
const entries: KeyringEntry[] = [
  { keyId: edSigner.keyId, algorithm: 'ed25519', key: ed.publicKey, validFrom: null, validUntil: null },
  { keyId: 'hmac:2026-01', algorithm: 'hmac-sha256', key: secret, validFrom: null, validUntil: null },
];
const keyring = keyringOf(entries);
const T0 = 1_767_225_600_000;

/** 20 decisions, a checkpoint after every 5: 24 records, checkpoints at seq 5, 11, 17, 23 (the last record). */
function chain(signer = edSigner): AuditRecord[] {
  const c = new CheckpointingChain('engine-0', signer, 5);
  const out: AuditRecord[] = [];
  for (let i = 0; i < 20; i++) out.push(...c.append({ timestamp: T0 + i * 1000, actor: i % 2 ? 'bob' : 'engine', action: i % 3 ? 'alert.firing' : 'model.approved', subject: `credit-risk@1.${i}.0`, payload: { i, note: 'x' } }));
  return out;
}
const kinds = (findings: readonly AuditFinding[]) => findings.map((f) => `${f.kind}@${f.seq}`);
const clone = (records: AuditRecord[]) => records.map((r) => ({ ...r }));

describe('an intact chain', () => {
  it('verifies with its checkpoints, Ed25519 or HMAC-SHA256', () => {
    for (const signer of [edSigner, macSigner]) {
      const records = chain(signer);
      const result = verifyAuditTrail(records, keyring);
      expect(result).toMatchObject({ ok: true, records: 24, checkpoints: 4, findings: [], keyIds: [signer.keyId] });
      expect(result.head).toEqual({ seq: 23, hash: records[23]?.hash });
    }
  });

  it('verifies records written by the engine (src/pipeline/policy/audit.ts) with the same key', () => {
    let last = null;
    const records: AuditRecord[] = [];
    for (let i = 0; i < 4; i++) {
      const r = appendAudit('engine-1', last, { timestamp: T0 + i, actor: 'engine', action: 'alert.firing', subject: 's', payload: { i } }, { keyId: keyIdOf(ed.publicKey), privateKey: ed.privateKey });
      records.push(r);
      last = { seq: r.seq, hash: r.hash };
    }
    expect(verifyAuditTrail(records, keyring).ok).toBe(true);
    expect(edSigner.keyId).toBe(keyIdOf(ed.publicKey));
  });

  it('survives a key rotation recorded in the chain', () => {
    const c = new CheckpointingChain('rot', edSigner, 4);
    const records = [...c.append({ timestamp: T0, actor: 'a', action: 'x', subject: 's', payload: {} }), c.rotate(macSigner, T0 + 1), ...c.append({ timestamp: T0 + 2, actor: 'a', action: 'x', subject: 's', payload: {} }), c.checkpoint(T0 + 3)];
    const result = verifyAuditTrail(records, keyring);
    expect(result).toMatchObject({ ok: true, keyIds: [edSigner.keyId, 'hmac:2026-01'].sort() });
    expect(records[1]).toMatchObject({ action: 'audit.key.rotated', keyId: edSigner.keyId });
  });
});

describe('tampering: every kind of change is found and located', () => {
  it('a changed field (hash left as it was): changed, and its checkpoint no longer matches', () => {
    for (const field of ['actor', 'action', 'subject', 'payload', 'timestamp', 'keyId'] as const) {
      const records = clone(chain());
      const r = records[7] as unknown as Record<string, unknown> & { timestamp: number };
      (r as Record<string, unknown>)[field] = field === 'timestamp' ? r.timestamp + 1 : field === 'payload' ? '{"i":7,"note":"y"}' : field === 'keyId' ? 'hmac:2026-01' : `${String(r[field])}!`;
      const found = kinds(verifyAuditTrail(records, keyring).findings);
      expect(found, field).toContain('changed@7');
      expect(found, field).toContain('checkpoint-mismatch@11');
    }
  });

  it('a changed record whose hash was recomputed by someone without the key: bad signature, and the next link breaks', () => {
    const records = clone(chain());
    const r = records[7] as AuditRecord;
    r.payload = '{"i":700,"note":"x"}';
    r.hash = auditHash(r);
    expect(kinds(verifyAuditTrail(records, keyring).findings)).toEqual(['bad-signature@7', 'inserted@8', 'checkpoint-mismatch@11']);
  });

  it('a record re-signed with a key not in the keyring: unknown key', () => {
    const other = ed25519Signer(generateKeyPairSync('ed25519').privateKey);
    const records = clone(chain());
    const prev = records[2] as AuditRecord;
    records[3] = appendSigned('engine-0', { seq: prev.seq, hash: prev.hash }, { timestamp: T0, actor: 'mallory', action: 'model.approved', subject: 's', payload: {} }, other);
    expect(kinds(verifyAuditTrail(records, keyring).findings)).toEqual(['unknown-key@3', 'inserted@4', 'checkpoint-mismatch@5']);
  });

  it('a signature that was altered: bad signature', () => {
    const records = clone(chain());
    const sig = Buffer.from((records[9] as AuditRecord).signature, 'base64');
    sig[0] = (sig[0] as number) ^ 1;
    (records[9] as AuditRecord).signature = sig.toString('base64');
    const result = verifyAuditTrail(records, keyring);
    expect(kinds(result.findings)).toEqual(['bad-signature@9', 'checkpoint-mismatch@11']);
    expect(result.findings[0]?.message).toMatch(/record seq 9 \(position 9\): signature does not verify with ed25519 key/);
  });

  it('a removed record', () => {
    const records = chain();
    const result = verifyAuditTrail([...records.slice(0, 8), ...records.slice(9)], keyring);
    expect(kinds(result.findings)).toEqual(['checkpoint-mismatch@11', 'removed@8']);
    expect(result.findings.find((f) => f.kind === 'removed')?.message).toBe('record seq 8 is missing (the next record read is at position 8)');
  });

  it('an inserted record (a forged second record with an existing seq)', () => {
    const records = chain();
    const forged = { ...(records[4] as AuditRecord), actor: 'mallory' };
    forged.hash = auditHash(forged);
    const result = verifyAuditTrail([...records.slice(0, 5), forged, ...records.slice(5)], keyring);
    expect(kinds(result.findings)).toEqual(['bad-signature@4', 'inserted@4']);
    expect(result.findings[1]?.message).toMatch(/second, different record claiming seq 4/);
  });

  it('a duplicated (replayed) record', () => {
    const records = chain();
    expect(kinds(verifyAuditTrail([...records.slice(0, 10), records[6] as AuditRecord, ...records.slice(10)], keyring).findings)).toEqual(['duplicated@6']);
  });

  it('reordered records', () => {
    const records = chain();
    const swapped = [...records];
    [swapped[12], swapped[13]] = [swapped[13] as AuditRecord, swapped[12] as AuditRecord];
    const result = verifyAuditTrail(swapped, keyring);
    expect(kinds(result.findings)).toEqual(['reordered@12']);
    expect(result.findings[0]?.message).toMatch(/record seq 12 \(position 13\) comes after seq 13/);
  });

  it('a truncated chain, against the head trusted before', () => {
    const records = chain();
    const trustedHead = { seq: 23, hash: (records[23] as AuditRecord).hash };
    expect(verifyAuditTrail(records, keyring, { trustedHead }).ok).toBe(true);
    const cut = verifyAuditTrail(records.slice(0, 21), keyring, { trustedHead });
    expect(kinds(cut.findings)).toEqual(['truncated@23']);
    expect(cut.findings[0]?.message).toMatch(/ends at seq 20, before the trusted head seq 23/);
    // Without a trusted head a cut-off end is indistinguishable from a chain that ended there.
    expect(verifyAuditTrail(records.slice(0, 21), keyring).ok).toBe(true);
  });

  it('a rewritten chain (re-signed by the key holder) no longer holds the trusted head', () => {
    const records = chain();
    const trustedHead = { seq: 3, hash: (records[3] as AuditRecord).hash };
    const rewritten = [records[0] as AuditRecord];
    for (let i = 1; i < 6; i++) {
      const p = rewritten[i - 1] as AuditRecord;
      rewritten.push(appendSigned('engine-0', { seq: p.seq, hash: p.hash }, { timestamp: T0 + i, actor: 'x', action: 'y', subject: 'z', payload: { i } }, edSigner));
    }
    expect(kinds(verifyAuditTrail(rewritten, keyring, { trustedHead }).findings)).toEqual(['changed@3']);
  });

  it('a record from another chain', () => {
    const records = chain();
    const other = appendSigned('engine-9', null, { timestamp: T0, actor: 'a', action: 'b', subject: 'c', payload: {} }, edSigner);
    expect(kinds(verifyAuditTrail([...records.slice(0, 3), other, ...records.slice(3)], keyring).findings)).toEqual(['wrong-chain@0']);
  });

  it('unreadable and malformed input items', () => {
    const records = chain();
    const result = verifyAuditTrail([...records.slice(0, 2), { unreadable: 'line 3 is not JSON' }, 42, { ...records[2], seq: -1 }, ...records.slice(2)], keyring);
    expect(result.findings.map((f) => `${f.kind}@${f.index}`)).toEqual(['malformed@2', 'malformed@3', 'malformed@4']);
    expect(result.findings[0]?.message).toMatch(/line 3 is not JSON/);
  });

  it('a signature by a key outside its validity window (rotated out)', () => {
    const retired = keyringOf([{ ...(entries[0] as KeyringEntry), validUntil: T0 + 4_500 }, entries[1] as KeyringEntry]);
    const found = kinds(verifyAuditTrail(chain(), retired).findings);
    expect(found[0]).toBe('key-not-valid@6');
    expect(found.every((k) => k.startsWith('key-not-valid@'))).toBe(true);
  });

  it('a checkpoint whose root was altered', () => {
    const records = clone(chain());
    const cp = records[11] as AuditRecord;
    cp.payload = cp.payload.replace(/"rootHash":"[0-9a-f]{4}/, '"rootHash":"0000');
    expect(kinds(verifyAuditTrail(records, keyring).findings)).toContain('changed@11');
  });

  it('keeps at most maxFindings and says so', () => {
    const records = clone(chain()).map((r) => ({ ...r, actor: 'x' }));
    const result = verifyAuditTrail(records, keyring, { maxFindings: 3 });
    expect(result.findings).toHaveLength(3);
    expect(result.findingsTruncated).toBe(true);
    expect(result.ok).toBe(false);
  });
});

describe('inclusion proofs against a signed checkpoint', () => {
  const records = chain();
  const checkpoint = records[11] as AuditRecord;

  it('prove every record of the checkpoint range', () => {
    for (let seq = 5; seq < 11; seq++) {
      const proof = proveInclusion(records, checkpoint, seq);
      expect(verifyInclusionProof(records[seq] as AuditRecord, proof, keyring), `seq ${seq}`).toEqual({ ok: true });
    }
  });

  it('fail for a changed record, a changed checkpoint, or a record outside the range', () => {
    const proof = proveInclusion(records, checkpoint, 8);
    expect(verifyInclusionProof({ ...(records[8] as AuditRecord), actor: 'mallory' }, proof, keyring)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not lead to the checkpoint root/) });
    expect(verifyInclusionProof(records[8] as AuditRecord, { ...proof, checkpoint: { ...checkpoint, timestamp: checkpoint.timestamp + 1 } }, keyring)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match its hash/) });
    expect(verifyInclusionProof(records[9] as AuditRecord, proof, keyring)).toMatchObject({ ok: false, reason: expect.stringMatching(/another position/) });
    expect(() => proveInclusion(records, checkpoint, 3)).toThrow(/outside checkpoint 11's range \[5, 11\)/);
  });
});

describe('keyring files', () => {
  it('read Ed25519 and HMAC keys with validity windows, and refuse bad entries naming them', async () => {
    const { readKeyring } = await import('../../../../src/governance/audit/keys.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-keyring-'));
    const write = (doc: unknown) => {
      const file = join(dir, `k${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(doc));
      return file;
    };
    const pem = ed.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const ring = readKeyring(write({ keys: [{ keyId: edSigner.keyId, algorithm: 'ed25519', publicKey: pem, validUntil: '2026-01-01T00:00:04.500Z' }, { keyId: 'hmac:2026-01', algorithm: 'hmac-sha256', secret: secret.toString('base64'), validFrom: '2026-01-01T00:00:00Z' }] }));
    expect(ring.get(edSigner.keyId)).toMatchObject({ algorithm: 'ed25519', validFrom: null, validUntil: Date.parse('2026-01-01T00:00:04.500Z') });
    expect(kinds(verifyAuditTrail(chain(), ring).findings)[0]).toBe('key-not-valid@6');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    for (const [doc, message] of [
      [{ keys: [] }, /keys must be a list of 1 to 1000 keys/],
      [{ keys: [{ keyId: 'a b', algorithm: 'ed25519', publicKey: pem }] }, /keys\[0\]\.keyId must be/],
      [{ keys: [{ keyId: 'k', algorithm: 'rsa', publicKey: pem }] }, /keys\[0\]\.algorithm must be ed25519 or hmac-sha256/],
      [{ keys: [{ keyId: 'k', algorithm: 'ed25519', publicKey: 'not a key' }] }, /keys\[0\]\.publicKey is not a PEM public key/],
      [{ keys: [{ keyId: 'k', algorithm: 'ed25519', publicKey: rsa }] }, /keys\[0\]\.publicKey is rsa, not Ed25519/],
      [{ keys: [{ keyId: 'k', algorithm: 'ed25519', publicKey: pem, validFrom: 'soon' }] }, /keys\[0\]\.validFrom must be an ISO 8601 time/],
      [{ keys: [{ keyId: 'k', algorithm: 'ed25519', publicKey: pem }, { keyId: 'k', algorithm: 'ed25519', publicKey: pem }] }, /key id k appears twice/],
    ] as const) {
      expect(() => readKeyring(write(doc))).toThrow(message);
    }
  });
});
