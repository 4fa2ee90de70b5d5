/** The logic behind each route of the table, by route id. */
import type { AuditEntry } from '../pipeline/policy/audit.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { AlertKind, AlertStatus, Severity } from '../contracts/records.js';
import { VigilError } from '../errors.js';
import { canSee, rolesOf, type Principal } from '../security/roles.js';
import type { ApiDeps } from './api.js';
import type { HealthSource } from './health.js';
import { IoLogService } from '../iolog/access.js';
import type { IoLogFilter } from '../iolog/reader.js';
import { silenceActive, type GovernanceAction, type GovernanceOutcome, type GovernanceRequest, type ModelInfo, type ReportFormat } from './ports.js';
import type { RouteId } from './routes.js';

export interface HandlerContext {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly principal: Principal | null;
  readonly now: number;
  readonly api: ApiDeps | undefined;
  readonly registry: Registry;
  readonly health: HealthSource;
  readonly openapi: () => Record<string, unknown>;
  /** Writes the audit record of a mutation; the change is not reported done without it. */
  audit(action: string, subject: string, payload: unknown): Promise<void>;
  /** The audit entry of a mutation whose write carries it (one transaction with the change). */
  auditEntry(action: string, subject: string, payload: unknown): AuditEntry;
}

export type Handler = (ctx: HandlerContext) => Promise<unknown>;

function need(ctx: HandlerContext): { api: ApiDeps; principal: Principal } {
  if (ctx.api === undefined || ctx.principal === null) throw new VigilError('VIGIL_API_UNAVAILABLE', 'the admin API is not configured on this server');
  return { api: ctx.api, principal: ctx.principal };
}

const params = (ctx: HandlerContext): Record<string, string> => ctx.request.params as Record<string, string>;
const query = (ctx: HandlerContext): Record<string, string | undefined> => ctx.request.query as Record<string, string | undefined>;

function model(ctx: HandlerContext): ModelInfo {
  const { api } = need(ctx);
  const id = params(ctx)['modelId'] ?? '';
  const info = api.models.get(id);
  if (info === undefined) throw new VigilError('VIGIL_NOT_FOUND', `no model ${JSON.stringify(id)}`);
  return info;
}

/** Runs a governance step. A refused step is a decision too: it goes into the audit trail with the registry's reason. */
async function auditingRefusals(ctx: HandlerContext, action: string, subject: string, details: object, step: () => Promise<GovernanceOutcome>): Promise<GovernanceOutcome> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof VigilError && error.code === 'VIGIL_GOVERNANCE_REFUSED') {
      await ctx.audit(`${action}.refused`, subject, { ...details, reason: error.message, refusal: error.details['refusal'] ?? null });
    }
    throw error;
  }
}

function governance(action: GovernanceAction): Handler {
  return async (ctx) => {
    const { api, principal } = need(ctx);
    const p = params(ctx);
    if (api.governance === undefined) {
      throw new VigilError('VIGIL_NOT_IMPLEMENTED', `governance action ${action} is not implemented on this server yet (the governance gate provides it)`);
    }
    const modelId = p['modelId'] ?? '';
    const version = p['version'] ?? null;
    const gate = api.governance;
    const body = (ctx.request.body ?? {}) as GovernanceRequest['body'];
    const outcome = await auditingRefusals(ctx, `governance.${action}`, `${modelId}@${version ?? '(deployed)'}`, {}, () =>
      gate.perform({ action, modelId, version, actor: principal, body, now: ctx.now, requestId: String(ctx.request.id) }),
    );
    // The gate writes the audit record in the decision's own transaction; another implementation leaves it to the API.
    if (outcome.auditSeq === undefined) await ctx.audit(`governance.${action}`, `${outcome.modelId}@${outcome.modelVersion}`, outcome);
    return outcome;
  };
}

/** A time query parameter (ms since the epoch or ISO 8601), checked by the route's schema already. */
function timeParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw new VigilError('VIGIL_INPUT_INVALID', `${name} must be milliseconds since the epoch or an ISO 8601 time, got ${JSON.stringify(value.slice(0, 40))}`, { details: { field: name } });
  return t;
}

export const HANDLERS: Readonly<Record<RouteId, Handler>> = {
  openapi: async (ctx) => ctx.openapi(),
  metrics: async (ctx) => {
    ctx.reply.header('content-type', ctx.registry.contentType);
    return ctx.registry.metrics();
  },
  healthz: async (ctx) => {
    const live = ctx.health.live();
    ctx.reply.code(live ? 200 : 503);
    return { status: live ? 'ok' : 'failed' };
  },
  readyz: async (ctx) => {
    const { ready, reason } = ctx.health.ready();
    ctx.reply.code(ready ? 200 : 503);
    return ready ? { status: 'ready' } : { status: 'not ready', reason: reason ?? 'starting' };
  },
  preflight: async () => {
    // Reached only for allowed origins: the pipeline refuses the others before this runs.
    throw new VigilError('VIGIL_INTERNAL', 'preflight is answered by the pipeline');
  },
  whoami: async (ctx) => {
    const { principal } = need(ctx);
    return { principal: principal.id, kind: principal.kind, grants: principal.grants.map((g) => (g.models === undefined ? { role: g.role } : { role: g.role, models: [...g.models] })) };
  },
  'models.list': async (ctx) => {
    const { api, principal } = need(ctx);
    return { items: api.models.list().filter((m) => canSee(principal, 'models:read', m.modelId)) };
  },
  'models.get': async (ctx) => model(ctx),
  'versions.list': async (ctx) => {
    const info = model(ctx);
    return { modelId: info.modelId, versions: info.versions };
  },
  'config.get': async (ctx) => {
    const { api } = need(ctx);
    const modelId = params(ctx)['modelId'] ?? '';
    const { record, override, effective } = api.config.get(modelId);
    return { modelId, revision: record?.revision ?? 0, updatedAt: record?.updatedAt ?? 0, updatedBy: record?.updatedBy ?? '', config: override ?? {}, effective };
  },
  'config.update': async (ctx) => {
    const { api, principal } = need(ctx);
    const modelId = params(ctx)['modelId'] ?? '';
    const body = ctx.request.body as { config: unknown; reason?: string };
    const { record, effective } = await api.config.update(modelId, body.config, principal, ctx.now, (written) => ctx.auditEntry('config.update', modelId, { record: written, reason: body.reason ?? null }));
    return { modelId, revision: record.revision, updatedAt: record.updatedAt, updatedBy: record.updatedBy, config: JSON.parse(record.config) as object, effective };
  },
  'alerts.query': async (ctx) => {
    const { api, principal } = need(ctx);
    const q = query(ctx);
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    return api.alerts.query({
      ...(q['modelId'] !== undefined ? { modelId: q['modelId'] } : {}),
      ...(q['kind'] !== undefined ? { kind: q['kind'] as AlertKind } : {}),
      ...(q['severity'] !== undefined ? { severity: q['severity'] as Severity } : {}),
      ...(q['status'] !== undefined ? { status: q['status'] as AlertStatus } : {}),
      ...(q['from'] !== undefined ? { from: num(q['from']) } : {}),
      ...(q['to'] !== undefined ? { to: num(q['to']) } : {}),
      limit: num(q['limit']) ?? 50,
      offset: num(q['offset']) ?? 0,
      visible: (modelId) => canSee(principal, 'alerts:read', modelId),
    });
  },
  'silences.list': async (ctx) => {
    const { api } = need(ctx);
    return { items: api.config.silences(params(ctx)['modelId'] ?? '').map((s) => ({ ...s, active: silenceActive(s, ctx.now) })) };
  },
  'silences.create': async (ctx) => {
    const { api, principal } = need(ctx);
    const modelId = params(ctx)['modelId'] ?? '';
    const silence = await api.config.createSilence(modelId, ctx.request.body as { endsAt: number; comment: string }, principal, ctx.now, (written) => ctx.auditEntry('silence.create', modelId, written));
    ctx.reply.code(201);
    return { ...silence, active: silenceActive(silence, ctx.now) };
  },
  'silences.expire': async (ctx) => {
    const { api, principal } = need(ctx);
    const p = params(ctx);
    let written = false;
    const silence = await api.config.expireSilence(p['modelId'] ?? '', p['silenceId'] ?? '', principal, ctx.now, (record) => {
      written = true;
      return ctx.auditEntry('silence.expire', record.modelId, record);
    });
    // A silence already expired is not written again; the request is audited all the same.
    if (!written) await ctx.audit('silence.expire', silence.modelId, silence);
    return { ...silence, active: silenceActive(silence, ctx.now) };
  },
  'governance.submit': governance('submit'),
  'governance.approve': governance('approve'),
  'governance.reject': governance('reject'),
  'governance.deploy': governance('deploy'),
  'governance.rollback': governance('rollback'),
  'governance.retire': governance('retire'),
  'responses.approve': async (ctx) => {
    const { api, principal } = need(ctx);
    const approve = api.governance?.approveResponse?.bind(api.governance);
    if (approve === undefined) throw new VigilError('VIGIL_NOT_IMPLEMENTED', 'the approval of response commands is not implemented on this server (the governance gate provides it)');
    const p = params(ctx);
    const modelId = p['modelId'] ?? '';
    const commandId = p['commandId'] ?? '';
    const reason = (ctx.request.body as { reason?: string } | undefined)?.reason?.trim() || null;
    // The approval is audited in its own transaction; a refusal is audited here.
    return auditingRefusals(ctx, 'response.approve', modelId, { commandId }, () => approve({ modelId, commandId, actor: principal, reason, now: ctx.now, requestId: String(ctx.request.id) }));
  },
  'audit.verify': async (ctx) => {
    const { api } = need(ctx);
    if (api.auditService === undefined) throw new VigilError('VIGIL_NOT_IMPLEMENTED', 'audit verification is not implemented on this server yet (the governance package provides it)');
    return api.auditService.verify(query(ctx)['chainId']);
  },
  'audit.report': async (ctx) => {
    const { api } = need(ctx);
    if (api.auditService === undefined) throw new VigilError('VIGIL_NOT_IMPLEMENTED', 'the audit report is not implemented on this server yet (the governance package provides it)');
    const q = query(ctx);
    const from = timeParam(q['from'], 'from') ?? null;
    const to = timeParam(q['to'], 'to') ?? null;
    if (from !== null && to !== null && from > to) throw new VigilError('VIGIL_INPUT_INVALID', 'from is after to', { details: { field: 'from' } });
    const rendered = await api.auditService.report({ modelId: q['model'] ?? '', format: (q['format'] ?? 'json') as ReportFormat, from, to });
    if (rendered.format === 'json') return rendered.body;
    ctx.reply.header('content-type', rendered.contentType);
    return rendered.body;
  },
  'iolog.read': async (ctx) => {
    const { api, principal } = need(ctx);
    if (api.iolog === undefined) throw new VigilError('VIGIL_NOT_IMPLEMENTED', 'the I/O log read is not available on this server (no I/O log keys are configured)');
    const q = query(ctx);
    const modelId = q['model'] ?? '';
    if (q['event'] !== undefined && (q['from'] !== undefined || q['to'] !== undefined)) throw new VigilError('VIGIL_INPUT_INVALID', 'event cannot be combined with from/to', { details: { field: 'event' } });
    const from = timeParam(q['from'], 'from');
    const to = timeParam(q['to'], 'to');
    if (from !== undefined && to !== undefined && to <= from) throw new VigilError('VIGIL_INPUT_INVALID', 'to must be after from', { details: { field: 'to' } });
    const limit = q['limit'] === undefined ? 100 : Number(q['limit']);
    if (limit < 1 || limit > 1000) throw new VigilError('VIGIL_INPUT_INVALID', `limit must be from 1 to 1000, got ${limit}`, { details: { field: 'limit' } });
    const filter: IoLogFilter = {
      modelId,
      ...(q['event'] !== undefined ? { eventId: q['event'] } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      retentionMs: api.iolog.retentionMs(modelId),
      now: ctx.now,
      limit,
    };
    const port = api.iolog;
    // One service per request, so each read's audit record carries this request's id.
    const service = new IoLogService({
      source: async function* (f) {
        yield* await port.records(f);
      },
      envelope: port.envelope,
      topic: port.topic,
      accessLog: { record: (event) => ctx.audit('iolog.read', modelId, event) },
      clock: () => ctx.now,
    });
    const result = await service.read(principal.id, rolesOf(principal), filter);
    if (result.status === 'forbidden') throw new VigilError('VIGIL_FORBIDDEN', result.reason);
    return { entries: result.entries };
  },
};
