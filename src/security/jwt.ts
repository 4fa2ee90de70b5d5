/**
 * OIDC/JWT bearer tokens, verified with `jose` against a configured JWKS (a local file or a URL):
 * signature, issuer, audience, expiry (`exp` required) and an allow-list of asymmetric algorithms.
 * `alg: none` is refused by jose itself (only an unsecured-JWT API would accept it); HMAC algorithms
 * cannot be configured (the config schema lists asymmetric ones only), and symmetric (`oct`) keys in
 * a JWKS file are refused at load, so a token signed with HS256 using the RSA public key as the secret
 * finds no key that would verify it (the classic HS/RS confusion).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VigilError, describeError } from '../errors.js';
import type { OidcSettings } from '../config/types.js';

export const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
const MAX_JWKS_BYTES = 256 * 1024;
/** A bearer JWT longer than this is refused before any parsing. */
export const MAX_JWT_LENGTH = 8192;

export interface JwtIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  /** `jti` when present, for the access log. */
  readonly tokenId: string;
}

export type JwtCheck = { readonly ok: true; readonly identity: JwtIdentity } | { readonly ok: false; readonly reason: string };

export interface JwtVerifier {
  verify(token: string, now: number): Promise<JwtCheck>;
}

interface JwksDocument {
  keys: Array<Record<string, unknown>>;
}

/** Reads and checks a JWKS file: JSON, bounded, asymmetric keys only. */
export function readJwksFile(file: string): JwksDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `cannot read JWKS file ${file}: ${describeError(cause)}`, { cause, details: { file } });
  }
  if (text.length > MAX_JWKS_BYTES) throw new VigilError('VIGIL_CONFIG_INVALID', `JWKS file ${file} is larger than ${MAX_JWKS_BYTES} bytes`, { details: { file } });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `JWKS file ${file} is not JSON: ${describeError(cause)}`, { cause, details: { file } });
  }
  return checkJwks(doc, file);
}

export function checkJwks(doc: unknown, origin: string): JwksDocument {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(keys) || keys.length === 0) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `JWKS ${origin} must be an object with a non-empty "keys" array`, { details: { file: origin } });
  }
  keys.forEach((key: unknown, i) => {
    const kty = (key as { kty?: unknown } | null)?.kty;
    if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
      throw new VigilError('VIGIL_CONFIG_INVALID', `JWKS ${origin} keys[${i}] has kty ${JSON.stringify(kty)}; only RSA, EC and OKP public keys are accepted`, {
        details: { file: origin, index: i },
      });
    }
    if ((key as Record<string, unknown>)['d'] !== undefined) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `JWKS ${origin} keys[${i}] holds a private key; give public keys only`, { details: { file: origin, index: i } });
    }
  });
  return doc as JwksDocument;
}

export function createJwtVerifier(settings: OidcSettings, cwd = process.cwd()): JwtVerifier {
  let keys: JWTVerifyGetKey;
  if (settings.jwksFile !== undefined) {
    const path = resolve(cwd, settings.jwksFile);
    keys = createLocalJWKSet(readJwksFile(path) as Parameters<typeof createLocalJWKSet>[0]);
  } else if (settings.jwksUrl !== undefined) {
    keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  } else {
    throw new VigilError('VIGIL_CONFIG_INVALID', 'access.oidc needs jwksFile or jwksUrl', { details: { path: 'access.oidc' } });
  }
  return verifierWith(settings, keys);
}

/** A verifier over any jose key source (tests pass a local set). */
export function verifierWith(settings: OidcSettings, keys: JWTVerifyGetKey): JwtVerifier {
  const algorithms = [...(settings.algorithms ?? DEFAULT_ALGORITHMS)];
  const groupsClaim = settings.groupsClaim ?? 'groups';
  return {
    async verify(token, now) {
      if (token.length > MAX_JWT_LENGTH) return { ok: false, reason: 'token too long' };
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms,
          clockTolerance: settings.clockToleranceSec ?? 30,
          currentDate: new Date(now),
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        // jose's error code (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ...) names the cause.
        const code = (error as { code?: unknown }).code;
        return { ok: false, reason: typeof code === 'string' ? code : 'unverifiable' };
      }
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) return { ok: false, reason: 'bad subject' };
      const rawGroups = payload[groupsClaim];
      const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string' && g.length <= 200).slice(0, 100) : [];
      const tokenId = typeof payload.jti === 'string' ? payload.jti.slice(0, 100) : '';
      return { ok: true, identity: { subject, groups, tokenId } };
    },
  };
}

/** The `sub` a JWT claims, unverified: only the key for counting failed attempts. Never throws. */
export function claimedSubject(token: string): string | null {
  if (token.length > MAX_JWT_LENGTH) return null;
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && sub.length <= 200 ? sub : null;
  } catch (error) {
    if (error instanceof Error) return null;
    throw error;
  }
}
