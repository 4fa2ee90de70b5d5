import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/contracts/records.js';
import { verifyChain } from '../../../src/pipeline/policy/audit.js';
import { keyIdOf } from '../../../src/security/audit-key.js';
import { ChainedAuditWriter } from '../../../src/security/audit-writer.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = { keyId: keyIdOf(publicKey), privateKey };
const entry = (i: number) => ({ timestamp: 1000 + i, actor: 'olga', action: 'config.update', subject: 'm', payload: { i } });

describe('the admin audit writer', () => {
  it('chains concurrent appends in call order into one valid chain', async () => {
    const written: AuditRecord[] = [];
    const writer = new ChainedAuditWriter(signer, async (r) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      written.push(r);
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append(entry(i))));
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(written.map((r) => JSON.parse(r.payload).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(verifyChain(written, { [signer.keyId]: publicKey })).toMatchObject({ ok: true, count: 20 });
    expect(written[0]!.chainId).toBe('admin');
  });

  it('after a failed write reuses the seq, so the chain has no gap', async () => {
    const written: AuditRecord[] = [];
    let fail = true;
    const writer = new ChainedAuditWriter(signer, async (r) => {
      if (r.seq === 1 && fail) {
        fail = false;
        throw new Error('broker down');
      }
      written.push(r);
    });
    await writer.append(entry(0));
    await expect(writer.append(entry(1))).rejects.toThrow('broker down');
    await writer.append(entry(2));
    expect(written.map((r) => r.seq)).toEqual([0, 1]);
    expect(verifyChain(written, { [signer.keyId]: publicKey })).toMatchObject({ ok: true });
  });

  it('appendWith hands several records to one write and moves the head only when that write succeeds', async () => {
    const committed: AuditRecord[] = [];
    const writer = new ChainedAuditWriter(signer, async (r) => void committed.push(r));
    await writer.append(entry(0));
    const aborted = writer.appendWith([entry(1), entry(2)], async (records) => {
      expect(records.map((r) => r.seq)).toEqual([1, 2]);
      throw new Error('transaction aborted');
    });
    await expect(aborted).rejects.toThrow('transaction aborted');
    expect(writer.checkpoint?.seq).toBe(0);
    const written = await writer.appendWith([entry(3), entry(4)], async (records) => void committed.push(...records));
    expect(written.map((r) => [r.seq, JSON.parse(r.payload).i])).toEqual([[1, 3], [2, 4]]);
    expect(writer.checkpoint).toEqual({ seq: 2, hash: written[1]!.hash });
    expect(verifyChain(committed, { [signer.keyId]: publicKey })).toMatchObject({ ok: true, count: 3 });
  });

  it('continues a chain from a checkpoint', async () => {
    const first: AuditRecord[] = [];
    const a = new ChainedAuditWriter(signer, async (r) => void first.push(r));
    await a.append(entry(0));
    const b = new ChainedAuditWriter(signer, async (r) => void first.push(r), a.checkpoint);
    await b.append(entry(1));
    expect(verifyChain(first, { [signer.keyId]: publicKey })).toMatchObject({ ok: true, count: 2 });
  });
});
