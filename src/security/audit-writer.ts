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
    const run = this.#tail.then(async () => {
      const record = appendAudit(this.chainId, this.#last, entry, this.#signer);
      // Only a written record moves the checkpoint: after a failed write the next append reuses its
      // seq, so the chain never has a gap.
      await this.#publish(record);
      this.#last = { seq: record.seq, hash: record.hash };
      return record;
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
