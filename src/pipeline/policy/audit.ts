/**
 * The audit trail as a hash chain of signed records. Each record's hash is
 *
 *     hash = SHA-256( prevHash || canonicalJson(record without hash and signature) )   (hex)
 *
 * over the UTF-8 bytes of the previous hash (hex) followed by the canonical JSON; the first record's
 * prevHash is 64 zeros. `signature` is Ed25519 over the 32 raw bytes of `hash` (base64), by the key
 * named `keyId`. Changing any field breaks that record's hash or signature; removing or reordering
 * records breaks `seq` and the prevHash links; cutting the tail off is caught against a checkpoint
 * (the last seq and hash the verifier knew of), which is all a chain can offer against truncation.
 * Key material is injected: nothing here reads a key from disk.
 */
import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Alert, AuditRecord, RollbackCommand } from '../../contracts/records.js';
import { canonicalJson, sha256Hex } from '../../config/canonical.js';
import { describeError, isVigilError } from '../../errors.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditSigner {
  readonly keyId: string;
  /** An Ed25519 private key. */
  readonly privateKey: KeyObject;
}

/** What happened, before it is chained and signed. */
export interface AuditEntry {
  readonly timestamp: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** Any canonical-JSON-able value; stored as its canonical JSON. */
  readonly payload: unknown;
}

/** The last record of a chain as known to someone: where appending continues, what verification expects. */
export interface ChainCheckpoint {
  readonly seq: number;
  readonly hash: string;
}

type Unsigned = Omit<AuditRecord, 'hash' | 'signature'>;

export function auditHash(record: Unsigned): string {
  const { chainId, seq, timestamp, actor, action, subject, payload, prevHash, keyId } = record;
  return sha256Hex(prevHash + canonicalJson({ chainId, seq, timestamp, actor, action, subject, payload, prevHash, keyId }));
}

/** The record that follows `previous` (null: the first of the chain), hashed but not yet signed. */
export function unsignedAfter(chainId: string, previous: ChainCheckpoint | null, entry: AuditEntry, keyId: string): Unsigned & { hash: string } {
  const unsigned: Unsigned = {
    chainId,
    seq: previous === null ? 0 : previous.seq + 1,
    timestamp: entry.timestamp,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    payload: canonicalJson(entry.payload),
    prevHash: previous === null ? GENESIS_HASH : previous.hash,
    keyId,
  };
  return { ...unsigned, hash: auditHash(unsigned) };
}

/** The record that follows `previous` (null: the first of the chain), Ed25519-signed over its hash. */
export function appendAudit(chainId: string, previous: ChainCheckpoint | null, entry: AuditEntry, signer: AuditSigner): AuditRecord {
  const record = unsignedAfter(chainId, previous, entry, signer.keyId);
  return { ...record, signature: sign(null, Buffer.from(record.hash, 'hex'), signer.privateKey).toString('base64') };
}

/** A chain being written: keeps the checkpoint between appends. */
export class AuditChain {
  readonly chainId: string;
  readonly #signer: AuditSigner;
  #last: ChainCheckpoint | null;

  constructor(chainId: string, signer: AuditSigner, last: ChainCheckpoint | null = null) {
    this.chainId = chainId;
    this.#signer = signer;
    this.#last = last;
  }

  get checkpoint(): ChainCheckpoint | null {
    return this.#last;
  }

  append(entry: AuditEntry): AuditRecord {
    const record = appendAudit(this.chainId, this.#last, entry, this.#signer);
    this.#last = { seq: record.seq, hash: record.hash };
    return record;
  }
}

/** The audit entry of a raised alert, at `timestamp` (the injected clock). */
export function alertAuditEntry(alert: Alert, timestamp: number): AuditEntry {
  return { timestamp, actor: 'engine', action: `alert.${alert.status.toLowerCase()}`, subject: `${alert.modelId}@${alert.modelVersion}`, payload: alert };
}

/** The audit entry of an issued rollback command. */
export function commandAuditEntry(command: RollbackCommand): AuditEntry {
  return {
    timestamp: command.issuedAt,
    actor: command.issuedBy,
    action: `rollback.${command.action.toLowerCase()}`,
    subject: `${command.modelId}@${command.fromVersion}`,
    payload: command,
  };
}

export type VerifyResult =
  | { readonly ok: true; readonly count: number; readonly last: ChainCheckpoint | null }
  | { readonly ok: false; readonly index: number; readonly seq: number | null; readonly reason: string };

export interface VerifyOptions {
  /** The chain the records must belong to (default: the first record's). */
  readonly chainId?: string;
  /** Verify a segment that continues after this record (default: from the start of the chain). */
  readonly after?: ChainCheckpoint;
  /** The last record the verifier knows of: the chain must reach it with that hash (truncation check). */
  readonly expectedLast?: ChainCheckpoint;
}

export type PublicKeys = ReadonlyMap<string, KeyObject> | Readonly<Record<string, KeyObject>>;

/** Checks links, hashes, signatures, canonical payloads and, given a checkpoint, truncation. */
export function verifyChain(records: readonly AuditRecord[], publicKeys: PublicKeys, options: VerifyOptions = {}): VerifyResult {
  const keyOf = (id: string): KeyObject | undefined =>
    publicKeys instanceof Map ? publicKeys.get(id) : Object.hasOwn(publicKeys, id) ? (publicKeys as Record<string, KeyObject>)[id] : undefined;
  const chainId = options.chainId ?? records[0]?.chainId;
  let prev: ChainCheckpoint | null = options.after ?? null;
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as AuditRecord;
    const shape = shapeProblem(record);
    if (shape !== null) return { ok: false, index, seq: null, reason: shape };
    const fail = (reason: string): VerifyResult => ({ ok: false, index, seq: record.seq, reason });
    if (record.chainId !== chainId) return fail(`record belongs to chain ${JSON.stringify(record.chainId)}, not ${JSON.stringify(chainId)}`);
    const seq = prev === null ? 0 : prev.seq + 1;
    if (record.seq !== seq) return fail(`seq is ${record.seq} where ${seq} was expected (a record was removed, inserted or moved)`);
    const prevHash = prev === null ? GENESIS_HASH : prev.hash;
    if (record.prevHash !== prevHash) return fail('prevHash does not match the hash of the record before it');
    if (auditHash(record) !== record.hash) return fail('hash does not match the record (its content was changed)');
    if (!isCanonical(record.payload)) return fail('payload is not canonical JSON');
    const key = keyOf(record.keyId);
    if (key === undefined) return fail(`no public key for keyId ${JSON.stringify(record.keyId)}`);
    const checked = checkSignature(record, key);
    if (checked !== null) return fail(checked);
    prev = { seq: record.seq, hash: record.hash };
  }
  const expected = options.expectedLast;
  if (expected !== undefined) {
    const lastSeq = prev?.seq ?? -1;
    if (lastSeq < expected.seq) {
      return { ok: false, index: records.length, seq: null, reason: `chain ends at seq ${lastSeq} but the checkpoint says ${expected.seq} (records were cut off)` };
    }
    const at = records.findIndex((r) => r.seq === expected.seq);
    const atHash = at >= 0 ? records[at]?.hash : options.after?.seq === expected.seq ? options.after.hash : undefined;
    if (atHash !== expected.hash) {
      return { ok: false, index: at, seq: expected.seq, reason: `record ${expected.seq} does not have the checkpoint's hash (the chain was rewritten)` };
    }
  }
  return { ok: true, count: records.length, last: prev };
}

function shapeProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return 'record is not an object';
  const r = record as Record<string, unknown>;
  for (const key of ['chainId', 'actor', 'action', 'subject', 'payload', 'prevHash', 'hash', 'signature', 'keyId']) {
    if (typeof r[key] !== 'string') return `${key} is not a string`;
  }
  for (const key of ['seq', 'timestamp']) {
    if (!Number.isSafeInteger(r[key])) return `${key} is not an integer`;
  }
  return null;
}

function isCanonical(payload: string): boolean {
  try {
    return canonicalJson(JSON.parse(payload)) === payload;
  } catch (error) {
    // Not JSON, a number JSON cannot hold (1e999), or nesting too deep to walk: not canonical JSON.
    if (error instanceof SyntaxError || error instanceof RangeError || isVigilError(error)) return false;
    throw error;
  }
}

function checkSignature(record: AuditRecord, key: KeyObject): string | null {
  try {
    const ok = verify(null, Buffer.from(record.hash, 'hex'), key, Buffer.from(record.signature, 'base64'));
    return ok ? null : `signature does not verify with key ${record.keyId}`;
  } catch (error) {
    return `signature cannot be checked with key ${record.keyId}: ${describeError(error)}`;
  }
}
