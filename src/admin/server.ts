/**
 * The admin HTTP side, built by a function and tested with `inject()` (no port needed): `/metrics`
 * for Prometheus, `/healthz` (the process is alive and its loop turns) and `/readyz` (the engine has
 * joined its group and can process).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Liveness: false only when the engine has failed and will not recover. */
  live(): boolean;
  /** Readiness, with the reason when not ready. */
  ready(): { ready: boolean; reason?: string };
}

export interface AdminOptions {
  readonly registry: Registry;
  readonly health: HealthSource;
  readonly bodyLimitBytes?: number;
}

export function buildAdmin(options: AdminOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 1_048_576 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  app.get('/healthz', async (_request, reply) => {
    const live = options.health.live();
    reply.code(live ? 200 : 503);
    return { status: live ? 'ok' : 'failed' };
  });
  app.get('/readyz', async (_request, reply) => {
    const { ready, reason } = options.health.ready();
    reply.code(ready ? 200 : 503);
    return ready ? { status: 'ready' } : { status: 'not ready', reason: reason ?? 'starting' };
  });
  return app;
}
