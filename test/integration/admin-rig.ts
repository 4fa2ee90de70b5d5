/**
 * The admin API on the real stack for one test file: its topics under the given prefix, a token per
 * person (owner: the person's name), and `call` to inject a request as one of them. `restart` builds a
 * new server over the same topics (what a restart after a crash reads back); `stop` closes it.
 * Options: the configuration (merged over the token store's), the server's environment, a hook before
 * each governance commit, and `log` to collect the server's log lines (pino JSON, warn and above).
 */
import { mkdtempSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startAdminApi, type AdminApiOptions } from '../../src/admin/wiring.js';
import { buildConfig } from '../../src/config/index.js';
import type { Role } from '../../src/config/types.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { createAccessLogger } from '../../src/security/access-log.js';
import type { AuditKey } from '../../src/security/audit-key.js';
import { FileTokenStore } from '../../src/security/token-store.js';
import { mintToken } from '../../src/security/tokens.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { stack, testAuditKey } from './helpers.js';

export interface AdminRig {
  readonly api: Awaited<ReturnType<typeof startAdminApi>>;
  readonly auditKey: AuditKey;
  readonly dir: string;
  call(who: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse>;
  /** The API token of `who` (to check it is never logged). */
  token(who: string): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RigOptions extends Partial<Pick<AdminApiOptions, 'env' | 'beforeCommit'>> {
  /** vigil.yaml content beside the token store's file. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Collects the server's log lines and its access log. */
  readonly log?: string[];
}

export async function startAdminRig(prefix: string, people: Readonly<Record<string, readonly Role[]>>, options: RigOptions = {}): Promise<AdminRig> {
  const auditKey = testAuditKey();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-admin-rig-'));
  const { config: raw = {}, log, ...apiOptions } = options;
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      log?.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  const config = buildConfig({ ...raw, access: { ...(raw['access'] as object | undefined), tokens: { file: join(dir, 'tokens.json') } } }, 'test');
  const tokens = Object.fromEntries(Object.entries(people).map(([owner, roles]) => [owner, mintToken({ owner, roles: [...roles], scopes: ['*'], expiresAt: null }, Date.now())]));
  await ensureTopics(stack().brokers, prefix, 1);
  const store = new FileTokenStore(join(dir, 'tokens.json'));
  for (const t of Object.values(tokens)) store.add(t.record);
  const start = () =>
    startAdminApi({
      config,
      infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 },
      auditKey,
      registry: createMetrics({ defaultMetrics: false }).registry,
      health: { live: () => true, ready: () => ({ ready: true }) },
      logger: createLogger({ level: 'warn', destination: sink }),
      accessLogger: createAccessLogger(log === undefined ? quiet : sink),
      cwd: dir,
      ...apiOptions,
    });
  let api = await start();
  return {
    get api() {
      return api;
    },
    auditKey,
    dir,
    call: (who, method, url, payload) => api.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]!.token}` }, ...(payload !== undefined ? { payload } : {}) }),
    token: (who) => tokens[who]!.token,
    restart: async () => {
      await api.stop();
      api = await start();
    },
    stop: () => api.stop(),
  };
}
