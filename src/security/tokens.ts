/**
 * API tokens: `vigil_<id>_<secret>`, where the id (8 random bytes, hex) names the token in lists, logs
 * and revocations, and the secret is 32 random bytes (256 bits, base64url) from node:crypto. The
 * token is shown once, at creation; only SHA-256 of the whole token is stored.
 *
 * Why a fast hash suffices here: slow password hashes (scrypt, Argon2) exist to make guessing
 * low-entropy human secrets expensive. A 256-bit random secret cannot be guessed at any hash speed
 * (2^255 tries on average), so a leaked store reveals nothing usable, and a fast hash keeps
 * verification cheap enough to run on every request. Comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config/types.js';

export const TOKEN_PREFIX = 'vigil_';
const TOKEN_PATTERN = /^vigil_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface TokenRecord {
  readonly id: string;
  /** SHA-256 (hex) of the whole token text. */
  readonly hash: string;
  readonly owner: string;
  readonly roles: readonly Role[];
  /** Model id globs the roles apply to. */
  readonly scopes: readonly string[];
  readonly createdAt: number;
  /** ms since the epoch; null: never expires. */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly description: string;
}

export interface NewToken {
  /** The token text: show it once, never store or log it. */
  readonly token: string;
  readonly record: TokenRecord;
}

export interface TokenSpec {
  readonly owner: string;
  readonly roles: readonly Role[];
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly description?: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token; `random` is injected for tests (default node:crypto randomBytes). */
export function mintToken(spec: TokenSpec, now: number, random: (n: number) => Buffer = randomBytes): NewToken {
  const id = random(8).toString('hex');
  const secret = random(32).toString('base64url');
  const token = `${TOKEN_PREFIX}${id}_${secret}`;
  return {
    token,
    record: {
      id,
      hash: hashToken(token),
      owner: spec.owner,
      roles: [...spec.roles],
      scopes: [...spec.scopes],
      createdAt: now,
      expiresAt: spec.expiresAt,
      revokedAt: null,
      description: spec.description ?? '',
    },
  };
}

/** The id inside a well-formed token text, or null (never throws, whatever the input). */
export function tokenIdOf(text: string): string | null {
  const match = TOKEN_PATTERN.exec(text);
  return match === null ? null : (match[1] ?? null);
}

export function looksLikeToken(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX);
}

export type TokenCheck =
  | { readonly ok: true; readonly record: TokenRecord }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown' | 'mismatch' | 'expired' | 'revoked'; readonly id: string | null };

/** Verifies `text` against the record of its id; `lookup` finds a record by id. */
export function checkToken(text: string, lookup: (id: string) => TokenRecord | undefined, now: number): TokenCheck {
  const id = tokenIdOf(text);
  if (id === null) return { ok: false, reason: 'malformed', id: null };
  const record = lookup(id);
  if (record === undefined) return { ok: false, reason: 'unknown', id };
  const presented = Buffer.from(hashToken(text), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return { ok: false, reason: 'mismatch', id };
  if (record.revokedAt !== null) return { ok: false, reason: 'revoked', id };
  if (record.expiresAt !== null && now >= record.expiresAt) return { ok: false, reason: 'expired', id };
  return { ok: true, record };
}
