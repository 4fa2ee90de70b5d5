/**
 * JSON schemas of the admin API's parameters, bodies and responses. The route table (./routes.ts)
 * refers to these; fastify validates bodies against them, a hook validates every response, and
 * /openapi.json is generated from the same objects.
 */
import { ALERT_KIND_SYMBOLS, ALERT_STATUS_SYMBOLS, SEVERITY_SYMBOLS } from '../contracts/records.js';

type Schema = Record<string, unknown>;

export const ID = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f/]+$' } as const;
const text = (max: number): Schema => ({ type: 'string', maxLength: max });
const ms = { type: 'integer', minimum: 0 } as const;
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
const digits = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

export const ROLE_ENUM = { type: 'string', enum: ['viewer', 'operator', 'approver', 'auditor', 'admin'] } as const;

export const ERROR_RESPONSE: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['error', 'message', 'requestId'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    missingRoles: { type: 'array', items: ROLE_ENUM },
    retryAfterSec: { type: 'integer' },
  },
};

export const MODEL_PARAMS: Schema = { type: 'object', additionalProperties: false, required: ['modelId'], properties: { modelId: ID } };
export const VERSION_PARAMS: Schema = { type: 'object', additionalProperties: false, required: ['modelId', 'version'], properties: { modelId: ID, version: ID } };
export const RESPONSE_PARAMS: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelId', 'commandId'],
  properties: { modelId: ID, commandId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } },
};
export const RESPONSE_APPROVAL_BODY: Schema = { type: 'object', additionalProperties: false, properties: { reason: text(2000) } };
export const SILENCE_PARAMS: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelId', 'silenceId'],
  properties: { modelId: ID, silenceId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
};

export const WHOAMI: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['principal', 'kind', 'grants'],
  properties: {
    principal: { type: 'string' },
    kind: { type: 'string', enum: ['token', 'oidc'] },
    grants: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: ROLE_ENUM, models: { type: 'array', items: { type: 'string' } } } },
    },
  },
};

export const MODEL: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelId', 'lastApproved', 'versions'],
  properties: {
    modelId: { type: 'string' },
    lastApproved: nullable({ type: 'string' }),
    versions: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['version', 'state'], properties: { version: { type: 'string' }, state: { type: 'string', enum: ['approved', 'known'] } } },
    },
  },
};
export const MODEL_LIST: Schema = { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: MODEL } } };
export const VERSION_LIST: Schema = { type: 'object', additionalProperties: false, required: ['modelId', 'versions'], properties: { modelId: { type: 'string' }, versions: (MODEL.properties as Schema)['versions'] } };

/** A per-model detector override, as `vigil.config` carries it; checked in depth by the config module. */
export const OVERRIDE: Schema = { type: 'object', maxProperties: 10 };
export const CONFIG_UPDATE_BODY: Schema = { type: 'object', additionalProperties: false, required: ['config'], properties: { config: OVERRIDE, reason: text(1000) } };
export const DETECTOR_CONFIG: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelId', 'revision', 'updatedAt', 'updatedBy', 'config', 'effective'],
  properties: { modelId: { type: 'string' }, revision: { type: 'integer' }, updatedAt: ms, updatedBy: { type: 'string' }, config: { type: 'object' }, effective: { type: 'object' } },
};

const kind = { type: 'string', enum: [...ALERT_KIND_SYMBOLS] } as const;
const severity = { type: 'string', enum: [...SEVERITY_SYMBOLS] } as const;
const alertStatus = { type: 'string', enum: [...ALERT_STATUS_SYMBOLS] } as const;

export const ALERT: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['alertId', 'fingerprint', 'status', 'severity', 'kind', 'modelId', 'modelVersion', 'detector', 'feature', 'score', 'threshold', 'windowStart', 'windowEnd', 'startsAt', 'evidence', 'source', 'configHash', 'referenceId'],
  properties: {
    alertId: { type: 'string' },
    fingerprint: { type: 'string' },
    status: alertStatus,
    severity,
    kind,
    modelId: { type: 'string' },
    modelVersion: { type: 'string' },
    detector: { type: 'string' },
    feature: nullable({ type: 'string' }),
    score: { type: 'number' },
    threshold: { type: 'number' },
    windowStart: { type: 'integer' },
    windowEnd: { type: 'integer' },
    startsAt: { type: 'integer' },
    evidence: { type: 'object', additionalProperties: { type: 'string' } },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['topic', 'partition', 'firstOffset', 'lastOffset'],
      properties: { topic: { type: 'string' }, partition: { type: 'integer' }, firstOffset: { type: 'integer' }, lastOffset: { type: 'integer' } },
    },
    configHash: { type: 'string' },
    referenceId: { type: 'string' },
  },
};
export const ALERT_QUERY: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: { modelId: ID, kind, severity, status: alertStatus, from: digits, to: digits, limit: { type: 'string', pattern: '^[0-9]{1,3}$' }, offset: { type: 'string', pattern: '^[0-9]{1,7}$' } },
};
export const ALERT_PAGE: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'total', 'nextOffset'],
  properties: { items: { type: 'array', items: ALERT }, total: { type: 'integer' }, nextOffset: nullable({ type: 'integer' }) },
};

const matchers: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: { kind, severity, detector: text(200), feature: text(200) },
};
export const SILENCE_BODY: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['endsAt', 'comment'],
  properties: { matchers, startsAt: ms, endsAt: ms, comment: { type: 'string', minLength: 1, maxLength: 1000 } },
};
export const SILENCE: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'silenceId', 'modelId', 'matchers', 'startsAt', 'endsAt', 'comment', 'createdBy', 'createdAt', 'expiredAt', 'expiredBy'],
  properties: {
    kind: { const: 'silence' },
    silenceId: { type: 'string' },
    modelId: { type: 'string' },
    matchers,
    startsAt: ms,
    endsAt: ms,
    comment: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: ms,
    expiredAt: nullable(ms),
    expiredBy: nullable({ type: 'string' }),
    active: { type: 'boolean' },
  },
};
export const SILENCE_LIST: Schema = { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: SILENCE } } };

/** Governance actions: bodies the governance gate reads, and what it answers. */
export const GOVERNANCE_BODY: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: text(2000),
    manifest: { type: 'object', maxProperties: 200 },
    environment: text(200),
    toVersion: ID,
    rollbackTarget: ID,
    noTargetReason: { type: 'string', minLength: 1, maxLength: 2000 },
  },
};
const finding: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['ruleId', 'severity', 'clause', 'path', 'message'],
  properties: { ruleId: { type: 'string' }, severity: { type: 'string' }, clause: { type: 'string' }, path: { type: 'string' }, message: { type: 'string' } },
};
export const GOVERNANCE_RESULT: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'type', 'modelId', 'modelVersion', 'actor', 'timestamp'],
  properties: {
    eventId: { type: 'string' },
    type: { type: 'string' },
    modelId: { type: 'string' },
    modelVersion: { type: 'string' },
    actor: { type: 'string' },
    timestamp: ms,
    status: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    auditSeq: { type: 'integer', minimum: 0 },
    command: {
      type: 'object',
      additionalProperties: false,
      required: ['commandId', 'modelId', 'fromVersion', 'toVersion', 'action', 'reason', 'alertIds', 'issuedAt', 'issuedBy', 'approvalId'],
      properties: {
        commandId: { type: 'string' },
        modelId: { type: 'string' },
        fromVersion: { type: 'string' },
        toVersion: { type: 'string' },
        action: { type: 'string', enum: ['ROLLBACK', 'FALLBACK', 'SHUTDOWN'] },
        reason: { type: 'string' },
        alertIds: { type: 'array', items: { type: 'string' } },
        issuedAt: ms,
        issuedBy: { type: 'string' },
        approvalId: nullable({ type: 'string' }),
      },
    },
    check: {
      type: 'object',
      additionalProperties: false,
      required: ['passed', 'errors', 'warnings', 'findings'],
      properties: { passed: { type: 'boolean' }, errors: { type: 'integer' }, warnings: { type: 'integer' }, findings: { type: 'array', items: finding } },
    },
  },
};

const CHAIN_ID = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$' } as const;
/** A time in a query: milliseconds since the epoch, or an ISO 8601 date or time. */
const TIME = { type: 'string', pattern: '^([0-9]{1,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]{2,15}(Z|[+-][0-9]{2}:[0-9]{2})?)?)$' } as const;
export const AUDIT_QUERY: Schema = { type: 'object', additionalProperties: false, properties: { chainId: CHAIN_ID } };
export const AUDIT_REPORT_QUERY: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: { model: ID, format: { type: 'string', enum: ['json', 'md', 'html'] }, from: TIME, to: TIME },
};
export const AUDIT_VERIFY: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'chains'],
  properties: {
    ok: { type: 'boolean' },
    chains: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['chainId', 'ok', 'count'],
        properties: {
          chainId: { type: 'string' },
          ok: { type: 'boolean' },
          count: { type: 'integer' },
          seq: nullable({ type: 'integer' }),
          reason: { type: 'string' },
          checkpoints: { type: 'integer' },
          findings: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'index', 'seq', 'message'],
              properties: { kind: { type: 'string' }, index: nullable({ type: 'integer' }), seq: nullable({ type: 'integer' }), message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};
/** The JSON report (an object); md and html answer text/markdown and text/html instead. */
export const AUDIT_REPORT: Schema = { type: 'object', required: ['generatedAt'], properties: { generatedAt: ms } };

/** The I/O log read: one model, optionally one event or a time range, at most `limit` entries. */
export const IOLOG_QUERY: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: { model: ID, event: ID, from: TIME, to: TIME, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
};
export const IOLOG_PAGE: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['entries'],
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['eventId', 'modelId', 'modelVersion', 'principal', 'timestamp', 'reason', 'redactions', 'keyId', 'kekId', 'payload'],
        properties: {
          eventId: { type: 'string' },
          modelId: { type: 'string' },
          modelVersion: { type: 'string' },
          principal: { type: 'string' },
          timestamp: { type: 'integer' },
          reason: { type: 'string' },
          redactions: { type: 'object', additionalProperties: { type: 'integer' } },
          keyId: { type: 'string' },
          kekId: { type: 'string' },
          payload: { type: 'object' },
        },
      },
    },
  },
};

export const HEALTH: Schema = { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string' }, reason: { type: 'string' } } };
export const OPENAPI: Schema = { type: 'object', required: ['openapi', 'paths'], properties: { openapi: { type: 'string' }, paths: { type: 'object' } } };
