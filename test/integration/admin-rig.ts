/**
 * The admin API on the real stack for one test file: topics under the test's prefix, tokens for the
 * given people in a token store in `dir`, and `start` (again after a `stop`, for restarts) with the
 * server's log going to `log`. `call` sends an authenticated request as one of the people.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { startAdminApi } from '../../src/admin/wiring.js';
import type { LoadedConfig, Role } from '../../src/config/types.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { createAccessLogger } from '../../src/security/access-log.js';
import { FileTokenStore } from '../../src/security/token-store.js';
import { mintToken } from '../../src/security/tokens.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { stack, testAuditKey } from './helpers.js';

export interface AdminRigOptions {
  readonly prefix: string;
  /** Holds the token store; the configuration's `access.tokens.file` must be `tokens.json` in it. */
  readonly dir: string;
  readonly config: LoadedConfig;
  readonly people: Readonly<Record<string, readonly Role[]>>;
  /** The server's log lines (pino JSON), at warn and above. */
  readonly log: string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface AdminRig {
  start(): Promise<void>;
  stop(): Promise<void>;
  call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<LightMyRequestResponse>;
}

export async function adminRig(options: AdminRigOptions): Promise<AdminRig> {
  await ensureTopics(stack().brokers, options.prefix, 1);
  const auditKey = testAuditKey();
  const store = new FileTokenStore(join(options.dir, 'tokens.json'));
  const tokens = new Map(Object.entries(options.people).map(([owner, roles]) => [owner, mintToken({ owner, roles: [...roles], scopes: ['*'], expiresAt: null }, Date.now())]));
  for (const t of tokens.values()) store.add(t.record);
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      options.log.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  let api: Awaited<ReturnType<typeof startAdminApi>> | undefined;
  return {
    start: async () => {
      api = await startAdminApi({
        config: options.config,
        infra: { ...stack(), topicPrefix: options.prefix, httpHost: '127.0.0.1', httpPort: 0 },
        auditKey,
        registry: createMetrics({ defaultMetrics: false }).registry,
        health: { live: () => true, ready: () => ({ ready: true }) },
        logger: createLogger({ level: 'warn', destination: sink }),
        accessLogger: createAccessLogger(new Writable({ write: (_c, _e, done) => done() })),
        env: options.env ?? {},
        cwd: options.dir,
      });
    },
    stop: async () => {
      await api?.stop();
      api = undefined;
    },
    call: (who, method, url, payload) => {
      if (api === undefined) throw new Error('the admin API is not started');
      const token = tokens.get(who);
      if (token === undefined) throw new Error(`no token for ${who}`);
      return api.app.inject({ method, url, headers: { authorization: `Bearer ${token.token}` }, ...(payload !== undefined ? { payload } : {}) });
    },
  };
}
