import { describe, it, expect } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { AuditRecord } from '../../../../src/contracts/records.js';
import { avroType } from '../../../../src/contracts/schemas.js';
import { canonicalJson } from '../../../../src/config/canonical.js';
import { buildAlert } from '../../../../src/pipeline/policy/alerts.js';
import {
  AuditChain,
  GENESIS_HASH,
  alertAuditEntry,
  appendAudit,
  auditHash,
  commandAuditEntry,
  verifyChain,
} from '../../../../src/pipeline/policy/audit.js';
import { INITIAL_RESPONSE_STATE, stepResponse } from '../../../../src/pipeline/policy/response.js';
import { WINDOW } from './fixtures.js';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const signer = { keyId: 'engine-2025-03', privateKey: keys.privateKey };
const PUBLIC = { 'engine-2025-03': keys.publicKey };
const NOW = WINDOW.windowEnd + 5;

/** A chain of 3 alert records and 1 command record, as the engine writes them. */
function sampleChain(): AuditRecord[] {
  const alerts = ['income', 'age', 'tenure'].map((f) => buildAlert({ ...WINDOW }, { detector: 'psi', feature: f, score: 0.4, evidence: {} }, 'CRITICAL', 0.25));
  let state = INITIAL_RESPONSE_STATE;
  let command = null;
  const rule = { action: 'ROLLBACK', severity: 'CRITICAL', consecutiveWindows: 3, kinds: [], approval: 'auto' } as const;
  for (let i = 0; i < 3 && command === null; i++) {
    const a = alerts[i]!;
    const step = stepResponse(state, {
      window: { ...WINDOW, windowStart: WINDOW.windowStart + i, windowEnd: NOW },
      firing: [{ fingerprint: a.fingerprint, detector: a.detector, feature: a.feature, kind: a.kind, severity: a.severity, alertId: a.alertId, silenced: false }],
      settings: { rules: [rule], fallbackModel: null },
      lastApproved: '3.1.0',
    });
    state = step.state;
    command = step.commands[0] ?? null;
  }
  const chain = new AuditChain('vigil-engine', signer);
  const records = alerts.map((a) => chain.append(alertAuditEntry(a, NOW)));
  records.push(chain.append(commandAuditEntry(command!)));
  return records;
}

/** Re-hash and re-sign a record with `key`, as a forger holding some key would. */
function resign(record: AuditRecord, privateKey = other.privateKey, keyId = record.keyId): AuditRecord {
  const unsigned = { ...record, keyId };
  const hash = auditHash(unsigned);
  return { ...unsigned, hash, signature: sign(null, Buffer.from(hash, 'hex'), privateKey).toString('base64') };
}

describe('audit chain', () => {
  it('links, hashes and signs records that verify and fit the Avro schema', () => {
    const records = sampleChain();
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
    expect(records[3]).toMatchObject({ actor: 'policy:rollback', action: 'rollback.rollback', subject: 'credit-risk@3.2.0', timestamp: NOW });
    expect(records[0]).toMatchObject({ actor: 'engine', action: 'alert.firing', chainId: 'vigil-engine', keyId: 'engine-2025-03' });
    expect(JSON.parse(records[0]!.payload)).toMatchObject({ feature: 'income', severity: 'CRITICAL' });
    expect(canonicalJson(JSON.parse(records[3]!.payload))).toBe(records[3]!.payload);
    for (const record of records) expect(avroType('AuditRecord').isValid(record)).toBe(true);
    const result = verifyChain(records, PUBLIC, { expectedLast: { seq: 3, hash: records[3]!.hash } });
    expect(result).toEqual({ ok: true, count: 4, last: { seq: 3, hash: records[3]!.hash } });
    expect(verifyChain(records, new Map(Object.entries(PUBLIC))).ok).toBe(true);
  });

  it('is deterministic: the same entries give the same hashes (Ed25519 signatures too)', () => {
    expect(sampleChain()).toEqual(sampleChain());
  });

  it('continues from a checkpoint and verifies a segment after it', () => {
    const records = sampleChain();
    const resumed = new AuditChain('vigil-engine', signer, { seq: 3, hash: records[3]!.hash });
    const next = resumed.append({ timestamp: NOW + 1, actor: 'engine', action: 'engine.started', subject: 'vigil-engine', payload: { b: 1, a: [1, 2] } });
    expect(next.seq).toBe(4);
    expect(next.payload).toBe('{"a":[1,2],"b":1}');
    expect(verifyChain([...records, next], PUBLIC).ok).toBe(true);
    expect(verifyChain([next], PUBLIC, { after: { seq: 3, hash: records[3]!.hash } }).ok).toBe(true);
    expect(resumed.checkpoint).toEqual({ seq: 4, hash: next.hash });
  });

  const tamperings: [string, (records: AuditRecord[]) => AuditRecord[], RegExp][] = [
    ['a changed payload', (r) => r.map((x, i) => (i === 1 ? { ...x, payload: x.payload.replace('"age"', '"AGE"') } : x)), /hash does not match/],
    ['a changed actor', (r) => r.map((x, i) => (i === 3 ? { ...x, actor: 'admin' } : x)), /hash does not match/],
    ['a changed timestamp', (r) => r.map((x, i) => (i === 0 ? { ...x, timestamp: x.timestamp + 1 } : x)), /hash does not match/],
    ['a record re-hashed without the signing key', (r) => r.map((x, i) => (i === 2 ? resign({ ...x, subject: 'other' }) : x)), /signature does not verify/],
    ['a record signed by an unknown key', (r) => r.map((x, i) => (i === 2 ? resign(x, other.privateKey, 'rogue') : x)), /no public key for keyId "rogue"/],
    ['a garbled signature', (r) => r.map((x, i) => (i === 0 ? { ...x, signature: 'AAAA' } : x)), /signature does not verify/],
    ['a removed record', (r) => r.filter((_, i) => i !== 1), /seq is 2 where 1 was expected/],
    ['two records swapped', (r) => [r[0]!, r[2]!, r[1]!, r[3]!], /seq is 2 where 1 was expected/],
    ['the first record removed', (r) => r.slice(1), /seq is 1 where 0 was expected/],
    ['a record of another chain', (r) => r.map((x, i) => (i === 2 ? { ...x, chainId: 'other' } : x)), /belongs to chain "other"/],
    ['a renumbered chain after a removal', (r) => renumber(r.filter((_, i) => i !== 1)), /signature does not verify/],
    ['a non-integer seq', (r) => r.map((x, i) => (i === 0 ? { ...x, seq: 0.5 } : x)), /seq is not an integer/],
  ];

  it.each(tamperings)('detects %s', (_what, tamper, reason) => {
    const result = verifyChain(tamper(sampleChain()), PUBLIC);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
  });

  it('detects truncation against the expected last checkpoint', () => {
    const records = sampleChain();
    const checkpoint = { seq: 3, hash: records[3]!.hash };
    // Without a checkpoint a cut-off tail looks like a shorter valid chain; with one it does not.
    expect(verifyChain(records.slice(0, 2), PUBLIC).ok).toBe(true);
    const cut = verifyChain(records.slice(0, 2), PUBLIC, { expectedLast: checkpoint });
    expect(cut).toMatchObject({ ok: false, reason: expect.stringContaining('chain ends at seq 1 but the checkpoint says 3') });
    expect(verifyChain([], PUBLIC, { expectedLast: checkpoint }).ok).toBe(false);
    // A chain rewritten from the start with a key the verifier trusts still differs from the checkpoint.
    const rewritten = renumber(records.map((x, i) => (i === 3 ? { ...x, actor: 'admin' } : x)), keys.privateKey);
    expect(verifyChain(rewritten, PUBLIC).ok).toBe(true);
    expect(verifyChain(rewritten, PUBLIC, { expectedLast: checkpoint })).toMatchObject({ ok: false, reason: expect.stringContaining('checkpoint') });
  });
});

/** Rebuilds seq and links after tampering, re-signing with `privateKey` (a forger's key unless given). */
function renumber(records: AuditRecord[], privateKey = other.privateKey): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const record of records) {
    const prev = out[out.length - 1];
    const entry = { timestamp: record.timestamp, actor: record.actor, action: record.action, subject: record.subject, payload: JSON.parse(record.payload) as unknown };
    out.push(appendAudit(record.chainId, prev === undefined ? null : { seq: prev.seq, hash: prev.hash }, entry, { keyId: record.keyId, privateKey }));
  }
  return out;
}
