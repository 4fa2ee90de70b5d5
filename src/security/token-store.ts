/**
 * The token store: one JSON file, mode 0600, holding token records (hashes, never tokens).
 *
 * Why a file and not a compacted topic: tokens are what lets anyone talk to the admin API, including
 * to repair a broken Kafka setup, so they must not depend on Kafka being up; the file is readable only
 * by the service account, and revocation is a local write the server sees on its next request (it
 * re-reads the file when its modification time or size changes). Several admin instances on separate
 * hosts would each need the file (e.g. a mounted secret).
 *
 * Writes go to a temporary file (0600) then rename, so a reader never sees half a file. A store that
 * is group- or world-accessible, too large, or malformed is refused with its path.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Ajv } from 'ajv';
import { VigilError, describeError } from '../errors.js';
import type { TokenRecord } from './tokens.js';

export const MAX_STORE_BYTES = 4 * 1024 * 1024;

const ROLE = { type: 'string', enum: ['viewer', 'operator', 'approver', 'auditor', 'admin'] };
const STORE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'tokens'],
  properties: {
    version: { const: 1 },
    tokens: {
      type: 'array',
      maxItems: 100_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'hash', 'owner', 'roles', 'scopes', 'createdAt', 'expiresAt', 'revokedAt', 'description'],
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
          hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          owner: { type: 'string', minLength: 1, maxLength: 200 },
          roles: { type: 'array', maxItems: 5, uniqueItems: true, items: ROLE },
          scopes: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } },
          createdAt: { type: 'integer' },
          expiresAt: { type: ['integer', 'null'] },
          revokedAt: { type: ['integer', 'null'] },
          description: { type: 'string', maxLength: 500 },
        },
      },
    },
  },
} as const;
const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(STORE_SCHEMA);

/** Read access to tokens by id: what the authenticator needs. */
export interface TokenLookup {
  get(id: string): TokenRecord | undefined;
}

export class MemoryTokenStore implements TokenLookup {
  readonly #tokens = new Map<string, TokenRecord>();
  constructor(records: readonly TokenRecord[] = []) {
    for (const r of records) this.#tokens.set(r.id, r);
  }
  get(id: string): TokenRecord | undefined {
    return this.#tokens.get(id);
  }
  put(record: TokenRecord): void {
    this.#tokens.set(record.id, record);
  }
  list(): TokenRecord[] {
    return [...this.#tokens.values()];
  }
}

export class FileTokenStore implements TokenLookup {
  readonly file: string;
  #seen: { mtimeMs: number; size: number } | null = null;
  #tokens = new Map<string, TokenRecord>();

  constructor(file: string) {
    this.file = file;
  }

  get(id: string): TokenRecord | undefined {
    this.#refresh();
    return this.#tokens.get(id);
  }

  list(): TokenRecord[] {
    this.#refresh();
    return [...this.#tokens.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  add(record: TokenRecord): void {
    this.#refresh();
    if (this.#tokens.has(record.id)) throw new VigilError('VIGIL_INPUT_INVALID', `token id ${record.id} already exists in ${this.file}`);
    this.#write([...this.list(), record]);
  }

  /** Marks a token revoked; returns the updated record (revoking twice keeps the first time). */
  revoke(id: string, now: number): TokenRecord {
    const current = this.get(id);
    if (current === undefined) throw new VigilError('VIGIL_NOT_FOUND', `no token with id ${JSON.stringify(id)} in ${this.file}`, { details: { file: this.file, id } });
    if (current.revokedAt !== null) return current;
    const revoked: TokenRecord = { ...current, revokedAt: now };
    this.#write(this.list().map((r) => (r.id === id ? revoked : r)));
    return revoked;
  }

  #refresh(): void {
    if (!existsSync(this.file)) {
      this.#tokens = new Map();
      this.#seen = null;
      return;
    }
    const stat = statSync(this.file);
    if (this.#seen !== null && this.#seen.mtimeMs === stat.mtimeMs && this.#seen.size === stat.size) return;
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `token store ${this.file} is readable or writable by others (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`, {
        details: { file: this.file },
      });
    }
    if (stat.size > MAX_STORE_BYTES) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `token store ${this.file} is ${stat.size} bytes; at most ${MAX_STORE_BYTES} are read`, { details: { file: this.file } });
    }
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (cause) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `token store ${this.file} is not JSON: ${describeError(cause)}`, { cause, details: { file: this.file } });
    }
    if (!validate(document)) {
      const e = validate.errors?.[0];
      throw new VigilError('VIGIL_CONFIG_INVALID', `token store ${this.file}: ${e?.instancePath || '(root)'} ${e?.message ?? 'is invalid'}`, { details: { file: this.file } });
    }
    const records = (document as { tokens: TokenRecord[] }).tokens;
    this.#tokens = new Map(records.map((r) => [r.id, r]));
    this.#seen = { mtimeMs: stat.mtimeMs, size: stat.size };
  }

  #write(records: readonly TokenRecord[]): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, tokens: records }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    this.#seen = null;
    this.#refresh();
  }
}
