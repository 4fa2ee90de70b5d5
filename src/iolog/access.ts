/**
 * The gate in front of the I/O log, for the admin API: only principals with the auditor role read
 * decrypted inputs and outputs, and every attempt (allowed or not) is written to the access log
 * before anything is returned. The admin package supplies the role check and the access log; this
 * module supplies the read. The route it needs:
 *
 *   GET /v1/iolog?model=ID[&event=ID][&from=ISO&to=ISO][&limit=N]   (role: auditor)
 *   200 { entries: IoLogEntry[] } | 403 when the principal lacks the role
 */
import type { IoLogRecord } from '../contracts/records.js';
import type { Envelope } from '../security/crypto/envelope.js';
import { readIoLog, type IoLogEntry, type IoLogFilter } from './reader.js';

export const IOLOG_READ_ROLE = 'auditor';

export interface IoLogAccessEvent {
  readonly principal: string;
  readonly action: 'iolog.read';
  readonly allowed: boolean;
  readonly filter: IoLogFilter;
  /** Entries returned (0 when refused). */
  readonly returned: number;
  readonly at: number;
}

export interface IoLogAccessLog {
  record(event: IoLogAccessEvent): Promise<void>;
}

export interface IoLogServiceOptions {
  /** The records of one model: read from the topic (or a test fixture). */
  readonly source: (filter: IoLogFilter) => AsyncIterable<IoLogRecord> | Iterable<IoLogRecord>;
  readonly envelope: Envelope;
  readonly topic: string;
  readonly accessLog: IoLogAccessLog;
  readonly clock?: () => number;
}

export type IoLogReadResult = { readonly status: 'ok'; readonly entries: IoLogEntry[] } | { readonly status: 'forbidden'; readonly reason: string };

export class IoLogService {
  readonly #options: IoLogServiceOptions;

  constructor(options: IoLogServiceOptions) {
    this.#options = options;
  }

  async read(principal: string, roles: readonly string[], filter: IoLogFilter): Promise<IoLogReadResult> {
    const at = (this.#options.clock ?? Date.now)();
    if (!roles.includes(IOLOG_READ_ROLE)) {
      await this.#options.accessLog.record({ principal, action: 'iolog.read', allowed: false, filter, returned: 0, at });
      return { status: 'forbidden', reason: `reading the I/O log needs the ${IOLOG_READ_ROLE} role` };
    }
    const entries: IoLogEntry[] = [];
    try {
      for await (const entry of readIoLog(this.#options.source(filter), this.#options.envelope, filter, this.#options.topic)) entries.push(entry);
    } finally {
      // Logged whether the read completed or failed part-way (a tampered record stops it).
      await this.#options.accessLog.record({ principal, action: 'iolog.read', allowed: true, filter, returned: entries.length, at });
    }
    return { status: 'ok', entries };
  }
}
