/**
 * Writing the audit chain with any signer (Ed25519 or HMAC-SHA256), key rotation recorded in the chain,
 * and periodic checkpoints: every `interval` records a signed `audit.checkpoint` record carries the
 * RFC 6962 Merkle tree head over the records since the previous checkpoint, so that one record's
 * inclusion can be proven from the checkpoint and a logarithmic path, without the rest of the log.
 * Hashing is exactly src/pipeline/policy/audit.ts's, so the engine's records and these verify alike.
 */
import { canonicalJson } from '../../config/canonical.js';
import type { AuditRecord } from '../../contracts/records.js';
import { unsignedAfter, type AuditEntry, type ChainCheckpoint } from '../../pipeline/policy/audit.js';
import type { Signer } from './keys.js';
import { leafHash, treeHash } from './merkle.js';

export const CHECKPOINT_ACTION = 'audit.checkpoint';
export const ROTATION_ACTION = 'audit.key.rotated';

export interface CheckpointPayload {
  /** First seq covered (inclusive) and the seq after the last covered: the checkpoint's own seq. */
  readonly from: number;
  readonly to: number;
  /** Merkle tree hash (hex) over the leaves of records from..to-1, in seq order. */
  readonly rootHash: string;
  readonly tree: 'rfc6962-sha256';
}

/** The Merkle leaf of a record: its canonical JSON, every contract field included (signature too). */
export function recordLeaf(r: AuditRecord): Buffer {
  const { chainId, seq, timestamp, actor, action, subject, payload, prevHash, hash, signature, keyId } = r;
  return leafHash(Buffer.from(canonicalJson({ chainId, seq, timestamp, actor, action, subject, payload, prevHash, hash, signature, keyId }), 'utf8'));
}

/** The record after `previous`, hashed as the engine hashes and signed by `signer` over the raw hash bytes. */
export function appendSigned(chainId: string, previous: ChainCheckpoint | null, entry: AuditEntry, signer: Signer): AuditRecord {
  const record = unsignedAfter(chainId, previous, entry, signer.keyId);
  return { ...record, signature: signer.sign(Buffer.from(record.hash, 'hex')) };
}

export interface ChainWriterState {
  readonly last: ChainCheckpoint | null;
  /** Seq the next checkpoint starts from. */
  readonly rangeFrom: number;
  /** Leaf hashes of the records since the last checkpoint, that checkpoint first. */
  readonly leaves: readonly Buffer[];
  /** Entries appended since the last checkpoint (default: the number of leaves). */
  readonly pending?: number;
}

/** A chain being written, checkpointing itself every `interval` records. */
export class CheckpointingChain {
  readonly chainId: string;
  readonly interval: number;
  #signer: Signer;
  #last: ChainCheckpoint | null;
  #from: number;
  #leaves: Buffer[];
  /** Entries appended since the last checkpoint (the checkpoint itself and rotations not counted). */
  #pending: number;

  constructor(chainId: string, signer: Signer, interval: number, state: ChainWriterState = { last: null, rangeFrom: 0, leaves: [] }) {
    if (!Number.isSafeInteger(interval) || interval < 1) throw new RangeError(`checkpoint interval must be a positive integer, got ${interval}`);
    this.chainId = chainId;
    this.interval = interval;
    this.#signer = signer;
    this.#last = state.last;
    this.#from = state.rangeFrom;
    this.#leaves = [...state.leaves];
    this.#pending = state.pending ?? state.leaves.length;
  }

  get state(): ChainWriterState {
    return { last: this.#last, rangeFrom: this.#from, leaves: [...this.#leaves], pending: this.#pending };
  }

  get keyId(): string {
    return this.#signer.keyId;
  }

  /** Appends the entry, and a checkpoint after it when `interval` entries have gathered. */
  append(entry: AuditEntry): AuditRecord[] {
    const out = [this.#push(entry)];
    this.#pending++;
    if (this.#pending >= this.interval) out.push(this.checkpoint(entry.timestamp));
    return out;
  }

  /** A checkpoint over the records since the previous one (also when fewer than `interval`). */
  checkpoint(timestamp: number): AuditRecord {
    const to = this.#last === null ? 0 : this.#last.seq + 1;
    const payload: CheckpointPayload = { from: this.#from, to, rootHash: treeHash(this.#leaves).toString('hex'), tree: 'rfc6962-sha256' };
    const record = this.#push({ timestamp, actor: 'audit', action: CHECKPOINT_ACTION, subject: this.chainId, payload });
    // The checkpoint record opens the next range: it is covered by the next checkpoint.
    this.#from = record.seq;
    this.#leaves = [recordLeaf(record)];
    this.#pending = 0;
    return record;
  }

  /** Switches to a new key; the switch is recorded and signed by the old key, so it is part of the chain. */
  rotate(next: Signer, timestamp: number): AuditRecord {
    const record = this.#push({ timestamp, actor: 'audit', action: ROTATION_ACTION, subject: this.chainId, payload: { from: this.#signer.keyId, to: next.keyId, algorithm: next.algorithm } });
    this.#signer = next;
    return record;
  }

  #push(entry: AuditEntry): AuditRecord {
    const record = appendSigned(this.chainId, this.#last, entry, this.#signer);
    this.#last = { seq: record.seq, hash: record.hash };
    this.#leaves.push(recordLeaf(record));
    return record;
  }
}

/** Parses a checkpoint record's payload; null when it is not a well-formed checkpoint. */
export function checkpointPayload(record: AuditRecord): CheckpointPayload | null {
  if (record.action !== CHECKPOINT_ACTION) return null;
  let p: unknown;
  try {
    p = JSON.parse(record.payload);
  } catch {
    return null;
  }
  const c = p as Partial<CheckpointPayload> | null;
  if (c === null || typeof c !== 'object') return null;
  if (!Number.isSafeInteger(c.from) || !Number.isSafeInteger(c.to) || (c.from as number) < 0 || (c.to as number) < (c.from as number) || c.to !== record.seq) return null;
  if (typeof c.rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(c.rootHash) || c.tree !== 'rfc6962-sha256') return null;
  return c as CheckpointPayload;
}
