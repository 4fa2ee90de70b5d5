/**
 * The admin API's request pipeline, around the route table:
 *
 *   onRequest: security context → rate limit per client address → (public route? done) →
 *              authenticate (token or JWT; lockout) → rate limit per principal → authorize (RBAC)
 *   fastify:   body size limit, JSON parsing, schema validation of params, query and body
 *   handler:   the route's logic; mutations write their audit record before answering
 *   preSerialization: the response is validated against the route's response schema
 *   onSend:    security headers, request id;  onResponse: one access-log record, metrics
 *
 * Every denial (401, 403) is also an audit record on the `admin` chain. Authorization runs before
 * the body is read, so an unauthorised caller cannot make the server parse anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { AccessSettings } from '../config/types.js';
import { CONFIG_DEFAULTS } from '../config/defaults.js';
import { VigilError, describeError, type ErrorCode } from '../errors.js';
import type { AccessLog } from '../security/access-log.js';
import type { Authenticator } from '../security/authenticate.js';
import type { AuditWriter } from '../security/audit-writer.js';
import { RateLimiter } from '../security/limits.js';
import { authorize, rolesOf, type Principal, type Role } from '../security/roles.js';
import type { AlertView } from './alert-view.js';
import type { AuditService, ConfigRecords, GovernanceActions, IoLogPort, ModelProvider } from './ports.js';
import type { RouteSpec } from './routes.js';

export interface ApiDeps {
  readonly access: AccessSettings;
  readonly authenticator: Authenticator;
  readonly audit: AuditWriter;
  readonly models: ModelProvider;
  readonly config: ConfigRecords;
  readonly alerts: AlertView;
  readonly governance?: GovernanceActions;
  readonly auditService?: AuditService;
  readonly iolog?: IoLogPort;
}

export interface PipelineOptions {
  readonly api?: ApiDeps;
  readonly accessLog?: AccessLog;
  readonly registry: Registry;
  readonly clock: () => number;
  readonly logger?: Logger;
}

export interface RequestState {
  readonly start: number;
  readonly startedAt: number;
  principal: Principal | null;
  model: string | null;
  decision: 'allow' | 'deny';
  reason: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    vigil: RequestState | null;
  }
  interface FastifyContextConfig {
    spec?: RouteSpec;
  }
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  VIGIL_USAGE: 400,
  VIGIL_INPUT_INVALID: 400,
  VIGIL_CONFIG_INVALID: 400,
  VIGIL_MANIFEST_INVALID: 400,
  VIGIL_GOVERNANCE_REFUSED: 409,
  VIGIL_AUTH_REQUIRED: 401,
  VIGIL_AUTH_INVALID: 401,
  VIGIL_FORBIDDEN: 403,
  VIGIL_SEPARATION_OF_DUTIES: 403,
  VIGIL_NOT_FOUND: 404,
  VIGIL_RATE_LIMITED: 429,
  VIGIL_NOT_IMPLEMENTED: 501,
  VIGIL_KAFKA_UNAVAILABLE: 503,
  VIGIL_REGISTRY_UNAVAILABLE: 503,
  VIGIL_API_UNAVAILABLE: 503,
};

export function statusOfError(error: VigilError): number {
  return STATUS_OF[error.code] ?? 500;
}

export function specOf(request: FastifyRequest): RouteSpec | undefined {
  return (request.routeOptions.config as { spec?: RouteSpec } | undefined)?.spec;
}

export function errorBody(request: FastifyRequest, code: string, message: string, extra: { missingRoles?: readonly Role[]; retryAfterSec?: number } = {}) {
  return { error: code, message, requestId: String(request.id), ...(extra.missingRoles ? { missingRoles: [...extra.missingRoles] } : {}), ...(extra.retryAfterSec ? { retryAfterSec: extra.retryAfterSec } : {}) };
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

/** Installs hooks, error and not-found handlers on `app` (before routes are added). */
export function installPipeline(app: FastifyInstance, options: PipelineOptions): { deny: DenyFn } {
  const access = options.api?.access ?? CONFIG_DEFAULTS.access;
  const perAddress = new RateLimiter(access.limits.perAddress);
  const perPrincipal = new RateLimiter(access.limits.perPrincipal);
  const origins = new Set(access.cors.origins);
  const requests = new Counter({ name: 'vigil_admin_requests_total', help: 'Admin API requests, by route template, decision and status', labelNames: ['route', 'decision', 'status'], registers: [options.registry] });
  const responseValidators = compileResponseValidators();

  const deny: DenyFn = async (request, reply, status, code, message, extra = {}) => {
    const state = request.vigil;
    if (state !== null) {
      state.decision = 'deny';
      state.reason = message;
    }
    if ((status === 401 || status === 403) && options.api) {
      const spec = specOf(request);
      const subject = `${spec?.url ?? request.routeOptions.url ?? '(unknown)'}${state?.model ? ` ${state.model}` : ''}`;
      try {
        await options.api.audit.append({
          timestamp: state?.startedAt ?? options.clock(),
          // Only an authenticated identity is an actor; what a refused credential claimed to be is a claim.
          actor: state?.principal?.id ?? 'anonymous',
          action: 'access.denied',
          subject,
          payload: { requestId: String(request.id), method: request.method, route: spec?.url ?? null, model: state?.model ?? null, status, code, reason: message, address: request.ip, claimedAccount: extra.account ?? null },
        });
      } catch (error) {
        options.logger?.error({ err: describeError(error), requestId: request.id }, 'cannot write the audit record of a denied request');
      }
    }
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
    if (extra.retryAfterSec !== undefined) reply.header('retry-after', String(extra.retryAfterSec));
    return reply.code(status).send(errorBody(request, code, message, extra));
  };

  app.decorateRequest('vigil', null);

  app.addHook('onRequest', async (request, reply) => {
    const startedAt = options.clock();
    const state: RequestState = { start: performance.now(), startedAt, principal: null, model: null, decision: 'allow', reason: null };
    request.vigil = state;
    const origin = request.headers.origin;
    if (typeof origin === 'string' && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
    }
    const byAddress = perAddress.take(request.ip, startedAt);
    if (!byAddress.allowed) return deny(request, reply, 429, 'VIGIL_RATE_LIMITED', `too many requests from ${request.ip}; retry in ${byAddress.retryAfterSec} s`, { retryAfterSec: byAddress.retryAfterSec });
    const spec = specOf(request);
    if (spec === undefined) return undefined;
    const params = request.params as Record<string, unknown> | undefined;
    const fromQuery = spec.access !== 'public' && spec.access.modelFrom === 'query';
    // Not validated yet (that comes after authorization): only a single string counts as the model.
    const modelId = fromQuery ? (request.query as Record<string, unknown> | undefined)?.['model'] : params?.['modelId'];
    state.model = typeof modelId === 'string' ? modelId.slice(0, 200) : null;
    if (spec.access === 'public') return undefined;
    const api = options.api;
    if (api === undefined) return deny(request, reply, 503, 'VIGIL_API_UNAVAILABLE', 'the admin API is not configured on this server');
    const auth = await api.authenticator.authenticate(request.headers.authorization, request.ip, startedAt);
    if (!auth.ok) return deny(request, reply, auth.status, auth.code, auth.message, { account: auth.account, ...(auth.retryAfterSec ? { retryAfterSec: auth.retryAfterSec } : {}) });
    state.principal = auth.principal;
    const byPrincipal = perPrincipal.take(`${auth.principal.kind}:${auth.principal.id}`, startedAt);
    if (!byPrincipal.allowed) return deny(request, reply, 429, 'VIGIL_RATE_LIMITED', `too many requests from ${auth.principal.id}; retry in ${byPrincipal.retryAfterSec} s`, { retryAfterSec: byPrincipal.retryAfterSec });
    if (fromQuery && state.model === null) {
      // Without one model named there is nothing to authorise against: a bad request, not a denial.
      return reply.code(400).send(errorBody(request, 'VIGIL_INPUT_INVALID', 'invalid request: the query must name one model (model=ID)'));
    }
    const only = spec.access.roles;
    // A route limited to some roles counts only the grants of those roles.
    const subject = only === undefined ? auth.principal : { ...auth.principal, grants: auth.principal.grants.filter((g) => only.includes(g.role)) };
    const decision = authorize(subject, spec.access.permission, spec.access.scope, state.model);
    if (!decision.allowed) {
      const missing = only ?? decision.missing;
      const reason = only === undefined ? decision.reason : `needs role ${only.join(' or ')} ${state.model === null ? 'for any model' : `for model ${JSON.stringify(state.model)}`}`;
      return deny(request, reply, 403, 'VIGIL_FORBIDDEN', `${reason} (${auth.principal.id} has ${rolesOf(auth.principal).join(', ') || 'no role'})`, {
        missingRoles: missing,
      });
    }
    return undefined;
  });

  app.addHook('preSerialization', async (request, reply, payload) => {
    const spec = specOf(request);
    if (spec === undefined) return payload;
    const validate = responseValidators(spec, reply.statusCode);
    if (validate !== undefined && !validate(payload)) {
      const first = validate.errors?.[0];
      throw new VigilError('VIGIL_INTERNAL', `response of ${spec.id} breaks its schema at ${first?.instancePath || '(root)'}: ${first?.message ?? 'invalid'}`);
    }
    return payload;
  });

  app.addHook('onSend', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    reply.header('x-request-id', String(request.id));
  });

  app.addHook('onResponse', async (request, reply) => {
    const state = request.vigil;
    const spec = specOf(request);
    const status = reply.statusCode;
    const decision = state?.decision === 'deny' || status === 401 || status === 403 || status === 429 ? 'deny' : 'allow';
    requests.inc({ route: spec?.url ?? '(unmatched)', decision, status: String(status) });
    options.accessLog?.write({
      time: state?.startedAt ?? options.clock(),
      requestId: String(request.id),
      principal: state?.principal?.id ?? null,
      credentialId: state?.principal?.credentialId ?? null,
      roles: rolesOf(state?.principal ?? null),
      method: request.method,
      route: spec?.url ?? null,
      model: state?.model ?? null,
      decision,
      reason: state?.reason ?? null,
      status,
      latencyMs: state === null ? 0 : Math.round((performance.now() - state.start) * 1000) / 1000,
      address: request.ip,
    });
  });

  app.setNotFoundHandler(async (request, reply) => reply.code(404).send(errorBody(request, 'VIGIL_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`)));

  app.setErrorHandler(async (error: unknown, request, reply) => {
    const state = request.vigil;
    if (error instanceof VigilError) {
      const status = statusOfError(error);
      if (status >= 500) options.logger?.error({ err: error, requestId: request.id }, 'admin request failed');
      if (status === 403 && state !== null) {
        state.decision = 'deny';
        state.reason = error.message;
      }
      return reply.code(status).send(errorBody(request, error.code, error.message));
    }
    const fastifyError = error as { statusCode?: unknown; validation?: unknown; validationContext?: unknown; message?: unknown; code?: unknown };
    if (fastifyError.validation !== undefined) {
      return reply.code(400).send(errorBody(request, 'VIGIL_INPUT_INVALID', `invalid request: ${String(fastifyError.message)}`));
    }
    const statusCode = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
    if (statusCode >= 400 && statusCode < 500) {
      const message = statusCode === 413 ? `request body larger than ${access.limits.bodyBytes} bytes` : `invalid request: ${String(fastifyError.message)}`;
      return reply.code(statusCode).send(errorBody(request, 'VIGIL_INPUT_INVALID', message));
    }
    options.logger?.error({ err: describeError(error), requestId: request.id }, 'admin request failed');
    return reply.code(500).send(errorBody(request, 'VIGIL_INTERNAL', 'internal error; see the server log for this request id'));
  });

  return { deny };
}

export type DenyFn = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  extra?: { missingRoles?: readonly Role[]; retryAfterSec?: number; account?: string | null },
) => Promise<FastifyReply>;

function compileResponseValidators(): (spec: RouteSpec, status: number) => ValidateFunction | undefined {
  const ajv = new Ajv({ strict: false, allErrors: false });
  const cache = new Map<string, ValidateFunction | null>();
  return (spec, status) => {
    const key = `${spec.id} ${status}`;
    let validate = cache.get(key);
    if (validate === undefined) {
      const schema = spec.responses[status];
      validate = schema === undefined || spec.id === 'metrics' ? null : ajv.compile(schema);
      cache.set(key, validate);
    }
    return validate ?? undefined;
  };
}
