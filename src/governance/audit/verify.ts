/**
 * Verifying an audit trail as read (a topic or an export): every record's content against its hash,
 * its signature against the keyring (key id, algorithm and rotation window), the seq and prevHash links,
 * every checkpoint's Merkle root against the records it covers, and, given the head the verifier last
 * trusted, that nothing was cut off the end. Unlike a first-failure check it goes on after a problem,
 * resynchronising on the next record, so it reports each changed, removed, inserted, duplicated,
 * reordered or truncated record and each bad signature by position and seq, with the reason.
 */
import type { AuditRecord } from '../../contracts/records.js';
import { GENESIS_HASH, auditHash } from '../../pipeline/policy/audit.js';
import { canonicalJson } from '../../config/canonical.js';
import { CHECKPOINT_ACTION, checkpointPayload, recordLeaf } from './chain.js';
import { checkSignature, type Keyring } from './keys.js';
import { treeHash } from './merkle.js';

export const FINDING_KINDS = [
  'malformed',
  'wrong-chain',
  'changed',
  'bad-signature',
  'unknown-key',
  'key-not-valid',
  'removed',
  'inserted',
  'duplicated',
  'reordered',
  'truncated',
  'checkpoint-mismatch',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface AuditFinding {
  readonly kind: FindingKind;
  /** Position in the input (0-based); null for a record that is absent. */
  readonly index: number | null;
  readonly seq: number | null;
  readonly message: string;
}

export interface TrustedHead {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly chainId: string | null;
  readonly records: number;
  readonly checkpoints: number;
  /** The last record of the chain as read: save it as the trusted head of the next verification. */
  readonly head: TrustedHead | null;
  readonly keyIds: readonly string[];
  readonly findings: readonly AuditFinding[];
  /** True when more findings existed than were kept. */
  readonly findingsTruncated: boolean;
}

export interface VerifyAuditOptions {
  readonly chainId?: string;
  /** The head the verifier trusted before: the chain must still contain it, unchanged. */
  readonly trustedHead?: TrustedHead;
  readonly maxFindings?: number;
}

const FIELDS = ['chainId', 'actor', 'action', 'subject', 'payload', 'prevHash', 'hash', 'signature', 'keyId'] as const;

export function verifyAuditTrail(input: readonly unknown[], keyring: Keyring, options: VerifyAuditOptions = {}): AuditVerification {
  const max = options.maxFindings ?? 1000;
  const findings: AuditFinding[] = [];
  let dropped = false;
  const add = (kind: FindingKind, index: number | null, seq: number | null, message: string): void => {
    if (findings.length < max) findings.push({ kind, index, seq, message });
    else dropped = true;
  };
  let chainId = options.chainId ?? null;
  /** The record the next one should link to. */
  let prev: { seq: number; hash: string } | null = null;
  /** seq → hash of the record accepted at that seq (first occurrence). */
  const seen = new Map<number, string>();
  const gaps = new Map<number, number>();
  const bySeq = new Map<number, AuditRecord>();
  const keyIds = new Set<string>();
  let checkpoints = 0;
  let count = 0;

  input.forEach((raw, index) => {
    const shape = shapeProblem(raw);
    if (shape !== null) return add('malformed', index, seqOf(raw), `record at position ${index} is malformed: ${shape}`);
    const r = raw as AuditRecord;
    count++;
    keyIds.add(r.keyId);
    const where = `record seq ${r.seq} (position ${index})`;
    if (chainId === null) chainId = r.chainId;
    if (r.chainId !== chainId) return add('wrong-chain', index, r.seq, `${where} belongs to chain ${JSON.stringify(r.chainId)}, not ${JSON.stringify(chainId)}: inserted from another chain`);
    const contentOk = auditHash(r) === r.hash && isCanonical(r.payload);
    if (!contentOk) add('changed', index, r.seq, `${where} does not match its hash: its content was changed`);
    const sig = checkSignature(keyring, r.keyId, Buffer.from(r.hash, 'hex'), r.signature, r.timestamp);
    if (!sig.ok) add(sig.kind, index, r.seq, `${where}: ${sig.reason}`);

    const expected = prev === null ? 0 : prev.seq + 1;
    if (r.seq < expected) {
      const earlier = seen.get(r.seq);
      if (earlier === r.hash) add('duplicated', index, r.seq, `${where} repeats a record already read (replayed or duplicated)`);
      else if (earlier !== undefined) add('inserted', index, r.seq, `${where} is a second, different record claiming seq ${r.seq}: inserted`);
      else {
        add('reordered', index, r.seq, `${where} comes after seq ${expected - 1}: records were reordered`);
        gaps.delete(r.seq);
        seen.set(r.seq, r.hash);
        bySeq.set(r.seq, r);
      }
      return; // the chain continues from the record before it
    }
    if (r.seq > expected) {
      for (let s = expected; s < r.seq && s < expected + max; s++) gaps.set(s, index);
    } else {
      const link = prev === null ? GENESIS_HASH : prev.hash;
      // A record whose content was changed is reported as changed already; a broken link is news only
      // for a record that is itself intact.
      if (r.prevHash !== link && contentOk) {
        add('inserted', index, r.seq, `${where} does not link to the record before it (prevHash differs): a record was inserted or replaced before it`);
      }
    }
    seen.set(r.seq, r.hash);
    bySeq.set(r.seq, r);
    prev = { seq: r.seq, hash: r.hash };
    if (r.action === CHECKPOINT_ACTION) {
      checkpoints++;
      checkCheckpoint(r, index, bySeq, add);
    }
  });
  for (const [seq, index] of gaps) add('removed', null, seq, `record seq ${seq} is missing (the next record read is at position ${index})`);

  const last = prev as { seq: number; hash: string } | null;
  const trusted = options.trustedHead;
  if (trusted !== undefined) {
    const at = seen.get(trusted.seq);
    if (last === null || last.seq < trusted.seq) add('truncated', null, trusted.seq, `the chain ends at seq ${last?.seq ?? -1}, before the trusted head seq ${trusted.seq}: records were cut off the end`);
    else if (at !== trusted.hash) add('changed', null, trusted.seq, `record seq ${trusted.seq} no longer has the trusted head's hash: the chain was rewritten`);
  }
  findings.sort((a, b) => (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER) || (a.seq ?? 0) - (b.seq ?? 0));
  return { ok: findings.length === 0 && !dropped, chainId, records: count, checkpoints, head: last, keyIds: [...keyIds].sort(), findings, findingsTruncated: dropped };
}

function checkCheckpoint(r: AuditRecord, index: number, bySeq: ReadonlyMap<number, AuditRecord>, add: (k: FindingKind, i: number | null, s: number | null, m: string) => void): void {
  const c = checkpointPayload(r);
  if (c === null) return add('checkpoint-mismatch', index, r.seq, `checkpoint seq ${r.seq} has no valid tree head in its payload`);
  const leaves: Buffer[] = [];
  for (let s = c.from; s < c.to; s++) {
    const covered = bySeq.get(s);
    if (covered === undefined) return add('checkpoint-mismatch', index, r.seq, `checkpoint seq ${r.seq} covers seq ${s}, which is missing`);
    leaves.push(recordLeaf(covered));
  }
  if (treeHash(leaves).toString('hex') !== c.rootHash) {
    add('checkpoint-mismatch', index, r.seq, `checkpoint seq ${r.seq}: the Merkle root of records ${c.from}..${c.to - 1} differs from the signed one: a record in that range was changed`);
  }
}

function shapeProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not an object';
  const r = record as Record<string, unknown>;
  if (typeof r.unreadable === 'string') return r.unreadable;
  for (const key of FIELDS) if (typeof r[key] !== 'string') return `${key} is not a string`;
  for (const key of ['seq', 'timestamp']) if (!Number.isSafeInteger(r[key]) || (r[key] as number) < 0) return `${key} is not a non-negative integer`;
  if (!/^[0-9a-f]{64}$/.test(r.hash as string)) return 'hash is not 64 hex digits';
  return null;
}

function seqOf(raw: unknown): number | null {
  const s = (raw as { seq?: unknown } | null)?.seq;
  return Number.isSafeInteger(s) ? (s as number) : null;
}

function isCanonical(payload: string): boolean {
  try {
    return canonicalJson(JSON.parse(payload)) === payload;
  } catch {
    return false;
  }
}
