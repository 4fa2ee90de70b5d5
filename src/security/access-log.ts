/**
 * The access log: one structured record per request, allowed or denied, written to a pino logger at
 * `info` under `type: "access"`. The record names the route template (`/v1/models/:modelId/config`),
 * never the raw URL or any header, so a credential in a query string or header cannot leak into it.
 */
import { pino, type Logger } from 'pino';
import type { Role } from '../config/types.js';

export interface AccessRecord {
  readonly time: number;
  readonly requestId: string;
  /** The authenticated identity; null when none was established. */
  readonly principal: string | null;
  readonly credentialId: string | null;
  readonly roles: readonly Role[];
  readonly method: string;
  /** The route template, or null for an unknown route. */
  readonly route: string | null;
  readonly model: string | null;
  readonly decision: 'allow' | 'deny';
  /** Why a request was denied (missing role, bad credential, rate limit). */
  readonly reason: string | null;
  readonly status: number;
  readonly latencyMs: number;
  readonly address: string;
}

export interface AccessLog {
  write(record: AccessRecord): void;
}

export function pinoAccessLog(logger: Logger): AccessLog {
  return {
    write(record) {
      logger.info({ type: 'access', ...record }, 'access');
    },
  };
}

/**
 * A logger for access records: always at `info` (whatever VIGIL_LOG_LEVEL says for the rest), without
 * pino's own `time` and `pid` (the record carries its time), JSON lines on `destination` (stderr).
 */
export function createAccessLogger(destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level: 'info', base: { name: 'vigil-access' }, timestamp: false }, destination);
}
