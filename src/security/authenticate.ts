/**
 * From an `Authorization` header to a principal with grants, or a refusal. Bearer credentials are
 * either Vigil API tokens (`vigil_...`) or OIDC JWTs. Failed attempts are counted per account (the
 * token id or the JWT's claimed subject) and per client address; at the configured maximum the key
 * is locked out (429 with Retry-After) until the window frees it, even for a correct credential.
 * Nothing here logs or returns the credential text.
 */
import { VigilError } from '../errors.js';
import type { AccessBinding, AccessSettings } from '../config/types.js';
import { claimedSubject, type JwtVerifier } from './jwt.js';
import { FailureLockout } from './limits.js';
import type { Grant, Principal } from './roles.js';
import type { TokenLookup } from './token-store.js';
import { checkToken, looksLikeToken, tokenIdOf } from './tokens.js';

export const MAX_AUTHORIZATION_LENGTH = 8192;

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly status: 401 | 429;
      readonly code: 'VIGIL_AUTH_REQUIRED' | 'VIGIL_AUTH_INVALID' | 'VIGIL_RATE_LIMITED';
      /** Safe to show: says what failed, never echoes the credential. */
      readonly message: string;
      readonly retryAfterSec?: number;
      /** The account the attempt claimed (`token:<id>`, `oidc:<sub>`), when one could be told. */
      readonly account: string | null;
    };

export interface AuthenticatorOptions {
  readonly access: AccessSettings;
  readonly tokens: TokenLookup;
  readonly jwt?: JwtVerifier | null;
}

export class Authenticator {
  readonly #access: AccessSettings;
  readonly #tokens: TokenLookup;
  readonly #jwt: JwtVerifier | null;
  readonly #lockout: FailureLockout;

  constructor(options: AuthenticatorOptions) {
    const problems = checkAccessSettings(options.access);
    if (problems.length > 0) throw new VigilError('VIGIL_CONFIG_INVALID', `invalid access configuration: ${problems.join('; ')}`, { details: { path: 'access' } });
    this.#access = options.access;
    this.#tokens = options.tokens;
    this.#jwt = options.jwt ?? null;
    this.#lockout = new FailureLockout(options.access.limits.authFailures);
  }

  async authenticate(header: string | undefined, address: string, now: number): Promise<AuthResult> {
    if (header === undefined || header.length === 0) {
      return { ok: false, status: 401, code: 'VIGIL_AUTH_REQUIRED', message: 'no credentials: send Authorization: Bearer <token>', account: null };
    }
    const addressKey = `address:${address}`;
    const addressLock = this.#lockout.check(addressKey, now);
    if (!addressLock.allowed) return this.#locked(addressLock.retryAfterSec, null);
    const match = header.length <= MAX_AUTHORIZATION_LENGTH ? /^Bearer ([\x21-\x7e]+)$/i.exec(header) : null;
    const credential = match?.[1];
    if (credential === undefined) return this.#fail('the Authorization header is not "Bearer <token>"', null, addressKey, now);
    const account = looksLikeToken(credential) ? accountOfToken(credential) : accountOfJwt(credential);
    if (account !== null) {
      const lock = this.#lockout.check(account, now);
      if (!lock.allowed) return this.#locked(lock.retryAfterSec, account);
    }
    if (looksLikeToken(credential)) {
      const checked = checkToken(credential, (id) => this.#tokens.get(id), now);
      if (!checked.ok) {
        const why = checked.reason === 'mismatch' || checked.reason === 'unknown' ? 'unknown token' : `token ${checked.reason}`;
        return this.#fail(why, account, addressKey, now);
      }
      const record = checked.record;
      const grants: Grant[] = record.roles.map((role) => ({ role, models: record.scopes }));
      grants.push(...this.#bindingGrants(record.owner, []));
      return { ok: true, principal: { id: record.owner, kind: 'token', credentialId: record.id, grants } };
    }
    if (this.#jwt === null) return this.#fail('bearer JWTs are not accepted: no access.oidc is configured', account, addressKey, now);
    const checked = await this.#jwt.verify(credential, now);
    if (!checked.ok) return this.#fail(`JWT rejected (${checked.reason})`, account, addressKey, now);
    const { subject, groups, tokenId } = checked.identity;
    return { ok: true, principal: { id: subject, kind: 'oidc', credentialId: tokenId, grants: this.#bindingGrants(subject, groups) } };
  }

  #bindingGrants(principal: string, groups: readonly string[]): Grant[] {
    const grants: Grant[] = [];
    for (const binding of this.#access.bindings) {
      const applies = (binding.principal !== undefined && binding.principal === principal) || (binding.group !== undefined && groups.includes(binding.group));
      if (!applies) continue;
      for (const role of binding.roles) grants.push(binding.models === undefined ? { role } : { role, models: binding.models });
    }
    return grants;
  }

  #fail(message: string, account: string | null, addressKey: string, now: number): AuthResult {
    this.#lockout.fail(addressKey, now);
    if (account !== null) this.#lockout.fail(account, now);
    return { ok: false, status: 401, code: 'VIGIL_AUTH_INVALID', message, account };
  }

  #locked(retryAfterSec: number, account: string | null): AuthResult {
    return {
      ok: false,
      status: 429,
      code: 'VIGIL_RATE_LIMITED',
      message: `too many failed authentication attempts; locked for ${retryAfterSec} s`,
      retryAfterSec,
      account,
    };
  }
}

function accountOfToken(credential: string): string | null {
  const id = tokenIdOf(credential);
  return id === null ? null : `token:${id}`;
}

function accountOfJwt(credential: string): string | null {
  const sub = claimedSubject(credential);
  return sub === null ? null : `oidc:${sub}`;
}

/** Rules of the `access` block a JSON schema cannot say; checked at start-up. */
export function checkAccessSettings(access: AccessSettings): string[] {
  const problems: string[] = [];
  access.bindings.forEach((b: AccessBinding, i) => {
    if ((b.principal === undefined) === (b.group === undefined)) problems.push(`access.bindings[${i}] must name exactly one of principal or group`);
  });
  const oidc = access.oidc;
  if (oidc !== null && (oidc.jwksFile === undefined) === (oidc.jwksUrl === undefined)) problems.push('access.oidc must name exactly one of jwksFile or jwksUrl');
  return problems;
}
