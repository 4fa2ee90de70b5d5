/**
 * Where the admin API's audit records go: one hash-chained, signed chain (`admin`) on `vigil.audit`.
 * `AuditWriter` is the port; the Kafka implementation lives in src/pipeline/sink/admin-audit.ts, and
 * `MemoryAuditWriter` keeps the records in memory (tests, `vigil serve --memory`). Appends are
 * serialised, so concurrent requests still produce one gap-free chain.
 */
import { appendAudit, type AuditEntry, type AuditSigner, type ChainCheckpoint } from '../pipeline/policy/audit.js';
import type { AuditRecord } from '../contracts/records.js';

export const ADMIN_CHAIN_ID = 'admin';

export interface AuditWriter {
  append(entry: AuditEntry): Promise<AuditRecord>;
}

/** Chains entries and hands each signed record to `publish`, one at a time, in order. */
export class ChainedAuditWriter implements AuditWriter {
  readonly chainId: string;
  readonly #signer: AuditSigner;
  #last: ChainCheckpoint | null;
  readonly #publish: (record: AuditRecord) => Promise<void>;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(signer: AuditSigner, publish: (record: AuditRecord) => Promise<void>, last: ChainCheckpoint | null = null, chainId = ADMIN_CHAIN_ID) {
    this.chainId = chainId;
    this.#signer = signer;
    this.#last = last;
    this.#publish = publish;
  }

  get checkpoint(): ChainCheckpoint | null {
    return this.#last;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.appendWith([entry], async ([record]) => this.#publish(record as AuditRecord)).then(([record]) => record as AuditRecord);
  }

  /**
   * Chains `entries` after the head and hands their records to `write`, which writes them together with
   * whatever they record (one Kafka transaction). The head moves only once `write` resolves: after an
   * aborted write the next append reuses the seqs, so the chain never has a gap or a record that is not
   * in the log.
   */
  appendWith(entries: readonly AuditEntry[], write: (records: readonly AuditRecord[]) => Promise<void>): Promise<AuditRecord[]> {
    const run = this.#tail.then(async () => {
      const records: AuditRecord[] = [];
      let last = this.#last;
      for (const entry of entries) {
        const record = appendAudit(this.chainId, last, entry, this.#signer);
        records.push(record);
        last = { seq: record.seq, hash: record.hash };
      }
      await write(records);
      this.#last = last;
      return records;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

export class MemoryAuditWriter extends ChainedAuditWriter {
  readonly records: AuditRecord[];
  constructor(signer: AuditSigner) {
    const records: AuditRecord[] = [];
    super(signer, async (record) => {
      records.push(record);
    });
    this.records = records;
  }
}
