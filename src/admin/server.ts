/**
 * The admin HTTP side, built by a function and tested with `inject()` (no port needed): the routes of
 * the route table (./routes.ts) on the request pipeline of ./api.ts. Without `api` only the public
 * routes are served (`/metrics` for Prometheus, `/healthz`, `/readyz`, `/openapi.json`): what the
 * engine needs when no access configuration is wired in.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { VigilError } from '../errors.js';
import type { AccessLog } from '../security/access-log.js';
import { errorBody, installPipeline, type ApiDeps } from './api.js';
import { HANDLERS } from './handlers.js';
import { parseJsonBody } from './json-body.js';
import type { HealthSource } from './health.js';
import { openApiDocument } from './openapi.js';
import { ROUTES, type RouteSpec } from './routes.js';

export type { HealthSource } from './health.js';

export interface AdminOptions {
  readonly registry: Registry;
  readonly health: HealthSource;
  /** Largest request body (default: access.limits.bodyBytes, else 64 KiB). */
  readonly bodyLimitBytes?: number;
  /** The authenticated API; absent: public routes only. */
  readonly api?: ApiDeps;
  /** Where one record per request goes. */
  readonly accessLog?: AccessLog;
  /** For errors the operator must see (not per request). */
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly requestId?: () => string;
  readonly version?: string;
}

/** Routes registered on each app, as fastify saw them: the matrix test compares them with the table. */
const registered = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registered.get(app) ?? [];
}

export function buildAdmin(options: AdminOptions): FastifyInstance {
  const clock = options.clock ?? Date.now;
  const newId = options.requestId ?? randomUUID;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? options.api?.access.limits.bodyBytes ?? 65_536,
    exposeHeadRoutes: false,
    trustProxy: false,
    // A client that trickles its request is cut off rather than holding a connection open.
    requestTimeout: 30_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 256 },
    genReqId: () => newId(),
    // Bad percent-encoding and over-long parameters are refused by the router, before any hook: answer
    // them in the API's error shape too.
    frameworkErrors: (error, request, reply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const started = performance.now();
      void (reply as unknown as { code(n: number): { send(body: unknown): void } }).code(status).send(errorBody(request, 'VIGIL_INPUT_INVALID', status === 414 ? 'a path parameter is longer than 256 characters' : 'the URL is not valid'));
      // The router answered before any hook ran, so onResponse will not log this request: log it here.
      options.accessLog?.write({
        time: clock(),
        requestId: String(request.id),
        principal: null,
        credentialId: null,
        roles: [],
        method: request.method,
        route: null,
        model: null,
        decision: 'deny',
        reason: error.code,
        status,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
        address: request.ip,
      });
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  const seen: { method: string; url: string }[] = [];
  registered.set(app, seen);
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) seen.push({ method, url: route.url });
  });
  const { deny } = installPipeline(app, {
    registry: options.registry,
    clock,
    ...(options.api ? { api: options.api } : {}),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // JSON only: other content types are refused with 415 before anything reads them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const origins = new Set(options.api?.access.cors.origins ?? []);
  const served = options.api ? ROUTES : ROUTES.filter((r) => r.access === 'public');
  let openapi: Record<string, unknown> | undefined;
  const document = (): Record<string, unknown> => (openapi ??= openApiDocument(served, options.version ?? '0.1.0'));
  for (const spec of served) registerRoute(app, spec);

  function registerRoute(instance: FastifyInstance, spec: RouteSpec): void {
    const handler = HANDLERS[spec.id];
    if (handler === undefined) throw new VigilError('VIGIL_INTERNAL', `route ${spec.id} has no handler`);
    instance.route({
      method: spec.method,
      url: spec.url,
      config: { spec },
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.querystring ? { querystring: spec.querystring } : {}),
        ...(spec.body ? { body: spec.body } : {}),
      },
      handler: async (request, reply) => {
        if (spec.id === 'preflight') {
          const origin = request.headers.origin;
          if (typeof origin !== 'string' || !origins.has(origin)) {
            return deny(request, reply, 403, 'VIGIL_FORBIDDEN', `cross-origin requests are not allowed${typeof origin === 'string' ? ` from ${origin.slice(0, 200)}` : ''}`);
          }
          reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE');
          reply.header('access-control-allow-headers', 'authorization, content-type');
          reply.header('access-control-max-age', '600');
          return reply.code(204).send();
        }
        const principal = request.vigil?.principal ?? null;
        const now = request.vigil?.startedAt ?? clock();
        return handler({
          request,
          reply,
          principal,
          now,
          api: options.api,
          registry: options.registry,
          health: options.health,
          openapi: document,
          auditEntry: (action, subject, payload) => ({ timestamp: now, actor: principal?.id ?? 'anonymous', action, subject, payload: { requestId: String(request.id), ...(payload as object) } }),
          audit: async (action, subject, payload) => {
            if (options.api === undefined) throw new VigilError('VIGIL_API_UNAVAILABLE', 'no audit writer');
            try {
              await options.api.audit.append({ timestamp: now, actor: principal?.id ?? 'anonymous', action, subject, payload: { requestId: String(request.id), ...(payload as object) } });
            } catch (error) {
              throw new VigilError('VIGIL_API_UNAVAILABLE', `the change was written but its audit record could not be: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
            }
          },
        });
      },
    });
  }
  return app;
}
