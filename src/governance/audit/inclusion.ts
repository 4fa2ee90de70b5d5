/** Inclusion proofs: one record shown to be covered by a signed checkpoint, with a logarithmic path. */
import type { AuditRecord } from '../../contracts/records.js';
import { auditHash } from '../../pipeline/policy/audit.js';
import { checkpointPayload, recordLeaf } from './chain.js';
import { checkSignature, type Keyring } from './keys.js';
import { inclusionProof, verifyInclusion } from './merkle.js';

export interface InclusionProof {
  readonly seq: number;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes (hex), nearest first. */
  readonly path: readonly string[];
  readonly checkpoint: AuditRecord;
}

/** The proof that record `seq` is covered by `checkpoint`; `records` must hold the checkpoint's range. */
export function proveInclusion(records: readonly AuditRecord[], checkpoint: AuditRecord, seq: number): InclusionProof {
  const c = checkpointPayload(checkpoint);
  if (c === null) throw new RangeError(`record ${checkpoint.seq} is not a checkpoint`);
  if (seq < c.from || seq >= c.to) throw new RangeError(`record ${seq} is outside checkpoint ${checkpoint.seq}'s range [${c.from}, ${c.to})`);
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  const leaves = [];
  for (let s = c.from; s < c.to; s++) {
    const r = bySeq.get(s);
    if (r === undefined) throw new RangeError(`record ${s} of checkpoint ${checkpoint.seq}'s range is missing`);
    leaves.push(recordLeaf(r));
  }
  return { seq, leafIndex: seq - c.from, treeSize: c.to - c.from, path: inclusionProof(leaves, seq - c.from).map((b) => b.toString('hex')), checkpoint };
}

export type InclusionResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Checks the checkpoint's own hash and signature, then the path from `record` to its root. */
export function verifyInclusionProof(record: AuditRecord, proof: InclusionProof, keyring: Keyring): InclusionResult {
  const cp = proof.checkpoint;
  if (auditHash(cp) !== cp.hash) return { ok: false, reason: 'the checkpoint record does not match its hash' };
  const signature = checkSignature(keyring, cp.keyId, Buffer.from(cp.hash, 'hex'), cp.signature, cp.timestamp);
  if (!signature.ok) return { ok: false, reason: `the checkpoint's signature: ${signature.reason}` };
  const c = checkpointPayload(cp);
  if (c === null) return { ok: false, reason: 'the checkpoint record has no valid tree head' };
  if (record.chainId !== cp.chainId) return { ok: false, reason: 'the record belongs to another chain' };
  if (record.seq !== proof.seq || proof.leafIndex !== record.seq - c.from || proof.treeSize !== c.to - c.from) return { ok: false, reason: 'the proof is for another position' };
  if (!proof.path.every((h) => /^[0-9a-f]{64}$/.test(h)) || proof.path.length > 64) return { ok: false, reason: 'the path is malformed' };
  const ok = verifyInclusion(recordLeaf(record), proof.leafIndex, proof.treeSize, proof.path.map((h) => Buffer.from(h, 'hex')), Buffer.from(c.rootHash, 'hex'));
  return ok ? { ok: true } : { ok: false, reason: 'the path does not lead to the checkpoint root: the record is not the one checkpointed' };
}
