/**
 * The route table: every route of the admin API, with the permission and scope it needs, whether it
 * changes state, and the schemas of its parameters, body and responses. The server registers exactly
 * these routes, /openapi.json is generated from them, and the access-control matrix test walks them:
 * a route that is not in this table cannot be served, and one without an expected decision in the
 * test fails it.
 */
import type { Permission, Role, Scope } from '../security/roles.js';
import * as S from './schemas.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';

export type RouteId =
  | 'openapi'
  | 'metrics'
  | 'healthz'
  | 'readyz'
  | 'preflight'
  | 'whoami'
  | 'models.list'
  | 'models.get'
  | 'versions.list'
  | 'config.get'
  | 'config.update'
  | 'alerts.query'
  | 'silences.list'
  | 'silences.create'
  | 'silences.expire'
  | 'governance.submit'
  | 'governance.approve'
  | 'governance.reject'
  | 'governance.deploy'
  | 'governance.rollback'
  | 'governance.retire'
  | 'responses.approve'
  | 'audit.verify'
  | 'audit.report'
  | 'iolog.read';

export interface RouteSpec {
  readonly id: RouteId;
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  /**
   * `public`: no credentials (health, metrics, the API description, CORS preflight). `roles` narrows
   * the grants that count to those roles (the I/O log: auditor only, not admin); `modelFrom: 'query'`
   * takes the model of a `model` scope from the `model` query parameter instead of the path.
   */
  readonly access: 'public' | { readonly permission: Permission; readonly scope: Scope; readonly roles?: readonly Role[]; readonly modelFrom?: 'path' | 'query' };
  /** Changes state: an audit record is written for every successful call. */
  readonly mutation: boolean;
  readonly params?: Record<string, unknown>;
  readonly querystring?: Record<string, unknown>;
  readonly body?: Record<string, unknown>;
  /** Success responses by status; error responses are added for every route. */
  readonly responses: Readonly<Record<number, Record<string, unknown>>>;
  /** Logic another package provides: answers 501 until it is wired in. */
  readonly placeholder?: string;
}

const governance = (id: RouteId, action: string, permission: Permission, url: string, summary: string): RouteSpec => ({
  id,
  method: 'POST',
  url,
  summary,
  access: { permission, scope: 'model' },
  mutation: true,
  params: url.includes(':version') ? S.VERSION_PARAMS : S.MODEL_PARAMS,
  body: S.GOVERNANCE_BODY,
  responses: { 200: S.GOVERNANCE_RESULT },
  placeholder: `governance action ${action}`,
});

export const ROUTES: readonly RouteSpec[] = [
  { id: 'openapi', method: 'GET', url: '/openapi.json', summary: 'This API, described in OpenAPI 3.1', access: 'public', mutation: false, responses: { 200: S.OPENAPI } },
  { id: 'metrics', method: 'GET', url: '/metrics', summary: 'Prometheus metrics', access: 'public', mutation: false, responses: { 200: { type: 'string' } } },
  { id: 'healthz', method: 'GET', url: '/healthz', summary: 'Liveness', access: 'public', mutation: false, responses: { 200: S.HEALTH, 503: S.HEALTH } },
  { id: 'readyz', method: 'GET', url: '/readyz', summary: 'Readiness, with the reason when not ready', access: 'public', mutation: false, responses: { 200: S.HEALTH, 503: S.HEALTH } },
  { id: 'preflight', method: 'OPTIONS', url: '/*', summary: 'CORS preflight: allowed only for configured origins', access: 'public', mutation: false, responses: { 204: { type: 'null' } } },
  { id: 'whoami', method: 'GET', url: '/v1/whoami', summary: 'The caller and its grants', access: { permission: 'self:read', scope: 'list' }, mutation: false, responses: { 200: S.WHOAMI } },
  { id: 'models.list', method: 'GET', url: '/v1/models', summary: 'Models the caller may see', access: { permission: 'models:read', scope: 'list' }, mutation: false, responses: { 200: S.MODEL_LIST } },
  { id: 'models.get', method: 'GET', url: '/v1/models/:modelId', summary: 'One model', access: { permission: 'models:read', scope: 'model' }, mutation: false, params: S.MODEL_PARAMS, responses: { 200: S.MODEL } },
  { id: 'versions.list', method: 'GET', url: '/v1/models/:modelId/versions', summary: 'Known versions of a model', access: { permission: 'models:read', scope: 'model' }, mutation: false, params: S.MODEL_PARAMS, responses: { 200: S.VERSION_LIST } },
  { id: 'config.get', method: 'GET', url: '/v1/models/:modelId/config', summary: 'The live detector configuration of a model', access: { permission: 'config:read', scope: 'model' }, mutation: false, params: S.MODEL_PARAMS, responses: { 200: S.DETECTOR_CONFIG } },
  {
    id: 'config.update',
    method: 'PUT',
    url: '/v1/models/:modelId/config',
    summary: 'Replace the live detector override of a model (a DetectorConfig record on vigil.config)',
    access: { permission: 'config:write', scope: 'model' },
    mutation: true,
    params: S.MODEL_PARAMS,
    body: S.CONFIG_UPDATE_BODY,
    responses: { 200: S.DETECTOR_CONFIG },
  },
  { id: 'alerts.query', method: 'GET', url: '/v1/alerts', summary: 'Alerts from the materialised view of vigil.alerts, newest first', access: { permission: 'alerts:read', scope: 'list' }, mutation: false, querystring: S.ALERT_QUERY, responses: { 200: S.ALERT_PAGE } },
  { id: 'silences.list', method: 'GET', url: '/v1/models/:modelId/silences', summary: 'Silences of a model', access: { permission: 'silences:read', scope: 'model' }, mutation: false, params: S.MODEL_PARAMS, responses: { 200: S.SILENCE_LIST } },
  { id: 'silences.create', method: 'POST', url: '/v1/models/:modelId/silences', summary: 'Silence matching alerts of a model until endsAt', access: { permission: 'silences:write', scope: 'model' }, mutation: true, params: S.MODEL_PARAMS, body: S.SILENCE_BODY, responses: { 201: S.SILENCE } },
  { id: 'silences.expire', method: 'DELETE', url: '/v1/models/:modelId/silences/:silenceId', summary: 'Expire a silence now', access: { permission: 'silences:write', scope: 'model' }, mutation: true, params: S.SILENCE_PARAMS, responses: { 200: S.SILENCE } },
  governance('governance.submit', 'submit', 'governance:submit', '/v1/models/:modelId/versions/:version/submit', 'Submit a version with its manifest for approval'),
  governance('governance.approve', 'approve', 'governance:approve', '/v1/models/:modelId/versions/:version/approve', 'Approve a submitted version (separation of duties applies)'),
  governance('governance.reject', 'reject', 'governance:approve', '/v1/models/:modelId/versions/:version/reject', 'Reject a submitted version'),
  governance('governance.deploy', 'deploy', 'governance:deploy', '/v1/models/:modelId/versions/:version/deploy', 'Record the deployment of an approved version'),
  governance('governance.rollback', 'rollback', 'governance:rollback', '/v1/models/:modelId/rollback', 'Roll a model back to its last approved version (or toVersion)'),
  governance('governance.retire', 'retire', 'governance:deploy', '/v1/models/:modelId/versions/:version/retire', 'Retire a version (a reason is required)'),
  {
    id: 'responses.approve',
    method: 'POST',
    url: '/v1/models/:modelId/responses/:commandId/approve',
    summary: 'Approve a rollback, fallback or shutdown the response policy asked approval for: issues its command on vigil.rollback',
    access: { permission: 'governance:approve', scope: 'model' },
    mutation: true,
    params: S.RESPONSE_PARAMS,
    body: S.RESPONSE_APPROVAL_BODY,
    responses: { 200: S.GOVERNANCE_RESULT },
    placeholder: 'the approval of response commands',
  },
  { id: 'audit.verify', method: 'GET', url: '/v1/audit/verify', summary: 'Verify the audit chains', access: { permission: 'audit:read', scope: 'global' }, mutation: false, querystring: S.AUDIT_QUERY, responses: { 200: S.AUDIT_VERIFY }, placeholder: 'audit verification' },
  { id: 'audit.report', method: 'GET', url: '/v1/audit/report', summary: 'Evidence report for auditors', access: { permission: 'audit:read', scope: 'global' }, mutation: false, querystring: S.AUDIT_REPORT_QUERY, responses: { 200: S.AUDIT_REPORT }, placeholder: 'the audit report' },
  {
    id: 'iolog.read',
    method: 'GET',
    url: '/v1/iolog',
    summary: 'Decrypted, redacted I/O log entries of one model (every read is access-logged and audited)',
    access: { permission: 'audit:read', scope: 'model', roles: ['auditor'], modelFrom: 'query' },
    mutation: false,
    querystring: S.IOLOG_QUERY,
    responses: { 200: S.IOLOG_PAGE },
    placeholder: 'the I/O log read',
  },
];

/** Error statuses every route may answer with, all with the same body. */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 429, 500, 501, 503] as const;

export function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}
