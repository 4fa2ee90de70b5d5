/**
 * Role-based access control: five roles, each a fixed set of permissions; a principal holds grants
 * (a role over a set of model-id globs); a route needs one permission at one of three scopes. Deny
 * by default: no grant, no access.
 *
 * - `model` routes name a model in their path: some grant must carry the permission AND cover it.
 * - `list` routes return many models: any grant with the permission lets the call through, and the
 *   handler shows only the models the principal's grants of that permission cover.
 * - `global` routes act on the whole system (the audit trail): the grant must cover every model.
 */
import { anyGlobMatch, coversEverything } from './glob.js';
import type { Role } from '../config/types.js';

export type { Role };
export const ROLES: readonly Role[] = ['viewer', 'operator', 'approver', 'auditor', 'admin'];

export type Permission =
  | 'self:read'
  | 'models:read'
  | 'config:read'
  | 'config:write'
  | 'alerts:read'
  | 'silences:read'
  | 'silences:write'
  | 'governance:read'
  | 'governance:submit'
  | 'governance:approve'
  | 'governance:deploy'
  | 'governance:rollback'
  | 'audit:read';

const VIEW: readonly Permission[] = ['self:read', 'models:read', 'config:read', 'alerts:read', 'silences:read', 'governance:read'];

/** What each role may do. The operator changes things, the approver signs them off, the auditor reads the trail. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(VIEW),
  operator: new Set([...VIEW, 'config:write', 'silences:write', 'governance:submit', 'governance:deploy', 'governance:rollback']),
  approver: new Set([...VIEW, 'governance:approve']),
  auditor: new Set([...VIEW, 'audit:read']),
  admin: new Set<Permission>([...VIEW, 'config:write', 'silences:write', 'governance:submit', 'governance:approve', 'governance:deploy', 'governance:rollback', 'audit:read']),
};

export type Scope = 'model' | 'list' | 'global';

export interface Grant {
  readonly role: Role;
  /** Model id globs; undefined: every model. */
  readonly models?: readonly string[];
}

export interface Principal {
  /** The identity: a token's owner or a JWT's subject. */
  readonly id: string;
  readonly kind: 'token' | 'oidc';
  /** Token id or JWT `jti`, for the access log; never the secret. */
  readonly credentialId: string;
  readonly grants: readonly Grant[];
}

export type Decision =
  | { readonly allowed: true; readonly roles: readonly Role[] }
  | { readonly allowed: false; readonly missing: readonly Role[]; readonly reason: string };

/** The roles that carry `permission`, in ROLES order: what a 403 says was missing. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].has(permission));
}

/** The single decision point: may `principal` use `permission` at `scope` (on `modelId` for model routes)? */
export function authorize(principal: Principal, permission: Permission, scope: Scope, modelId: string | null): Decision {
  const matching = principal.grants.filter((grant) => {
    if (!ROLE_PERMISSIONS[grant.role].has(permission)) return false;
    if (scope === 'model') return modelId !== null && anyGlobMatch(grant.models, modelId);
    if (scope === 'global') return coversEverything(grant.models);
    return true;
  });
  if (matching.length > 0) return { allowed: true, roles: [...new Set(matching.map((g) => g.role))] };
  const missing = rolesWith(permission);
  const where = scope === 'model' ? `for model ${JSON.stringify(modelId)}` : scope === 'global' ? 'over every model' : 'for any model';
  return { allowed: false, missing, reason: `needs role ${missing.join(' or ')} ${where}` };
}

/** For `list` routes: may the principal see `modelId` under `permission`? */
export function canSee(principal: Principal, permission: Permission, modelId: string): boolean {
  return principal.grants.some((g) => ROLE_PERMISSIONS[g.role].has(permission) && anyGlobMatch(g.models, modelId));
}

/** The distinct roles of a principal, for the access log. */
export function rolesOf(principal: Principal | null): Role[] {
  return principal === null ? [] : [...new Set(principal.grants.map((g) => g.role))].sort();
}
