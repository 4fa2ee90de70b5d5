/**
 * `vigil token create | list | revoke`: API tokens in the local token store (access.tokens.file,
 * default .vigil/tokens.json, mode 0600). These commands work on the file directly rather than
 * through the API: the first token has to come from somewhere, and whoever can write the store's file
 * on the server host is already its administrator. The server sees changes on its next request.
 */
import { loadConfig } from '../config/index.js';
import { VigilError } from '../errors.js';
import { ROLES, type Role } from '../security/roles.js';
import { FileTokenStore } from '../security/token-store.js';
import { mintToken, type TokenRecord } from '../security/tokens.js';
import { tokenStoreFile } from '../admin/wiring.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil token create --owner NAME --role ROLE [--role ROLE] [--scope GLOB]... [--expires 90d|12h|never] [--description TEXT]
       vigil token list [--format text|json]
       vigil token revoke ID

Manages API tokens for the admin API in the token store (access.tokens.file in the configuration,
default .vigil/tokens.json, mode 0600). A token is 256 random bits, printed once by \`create\` and
stored only as its SHA-256. Give it to a client as VIGIL_TOKEN.

Options:
  --owner NAME        the identity the token acts as (audit records name it)
  --role ROLE         viewer, operator, approver, auditor or admin (repeatable)
  --scope GLOB        model ids the roles apply to, * and ? allowed (repeatable; default *)
  --expires SPAN      lifetime: a number of hours (12h) or days (90d), or never (default 90d)
  --description TEXT  what the token is for
  --format FORMAT     list output: text (default) or json
  --config PATH       configuration file (default: VIGIL_CONFIG, else vigil.yaml in the working directory)
`;

/** 1 to 200 characters, none of them a control character (C0 or DEL). */
function printable(text: string, max: number): boolean {
  if (text.length < 1 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
const MAX_SPAN_DAYS = 3650;

export interface TokenDeps {
  readonly now?: () => number;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function run(argv: readonly string[], io: CommandIo, deps: TokenDeps = {}): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      owner: { type: 'string' },
      role: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      expires: { type: 'string' },
      description: { type: 'string' },
      format: { type: 'string' },
      config: { type: 'string' },
    },
    2,
    'token',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [action, id] = positionals;
  const now = (deps.now ?? Date.now)();
  const cwd = deps.cwd ?? process.cwd();
  const config = loadConfig({ ...(typeof values.config === 'string' ? { path: values.config } : {}), env: deps.env ?? process.env, cwd });
  const store = new FileTokenStore(tokenStoreFile(config, cwd));
  switch (action) {
    case 'create': {
      if (id !== undefined) throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(id)}; see \`vigil token --help\``);
      const owner = values.owner;
      if (typeof owner !== 'string' || !printable(owner, 200)) throw new VigilError('VIGIL_USAGE', '--owner must be a name of 1 to 200 printable characters');
      const roles = (values.role as string[] | undefined) ?? [];
      if (roles.length === 0) throw new VigilError('VIGIL_USAGE', `--role is required (one of ${ROLES.join(', ')})`);
      for (const role of roles) if (!ROLES.includes(role as Role)) throw new VigilError('VIGIL_USAGE', `--role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
      const scopes = (values.scope as string[] | undefined) ?? ['*'];
      if (scopes.length > 100) throw new VigilError('VIGIL_USAGE', '--scope can be given at most 100 times');
      for (const scope of scopes) if (!printable(scope, 200)) throw new VigilError('VIGIL_USAGE', `--scope must be a glob of 1 to 200 printable characters, got ${JSON.stringify(scope.slice(0, 50))}`);
      const description = typeof values.description === 'string' ? values.description : '';
      if (description.length > 0 && !printable(description, 500)) throw new VigilError('VIGIL_USAGE', '--description must be at most 500 printable characters');
      const expiresAt = expiry(typeof values.expires === 'string' ? values.expires : '90d', now);
      const { token, record } = mintToken({ owner, roles: [...new Set(roles)] as Role[], scopes, expiresAt, description }, now);
      store.add(record);
      io.out(`created token ${record.id} for ${owner} (${record.roles.join(', ')} on ${scopes.join(', ')}; ${expiresAt === null ? 'never expires' : `expires ${new Date(expiresAt).toISOString()}`})`);
      io.out('the token is shown once; store it now:');
      io.out(token);
      return 0;
    }
    case 'list': {
      if (id !== undefined) throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(id)}; see \`vigil token --help\``);
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json') throw new VigilError('VIGIL_USAGE', `--format must be text or json, got ${JSON.stringify(format)}`);
      const records = store.list();
      if (format === 'json') io.out(JSON.stringify(records.map(({ hash: _hash, ...rest }) => ({ ...rest, state: state(rest, now) }))));
      else if (records.length === 0) io.out(`no tokens in ${store.file}`);
      else for (const r of records) io.out(`${r.id}  ${state(r, now).padEnd(7)}  ${r.owner}  ${r.roles.join(',')}  ${r.scopes.join(',')}  ${r.expiresAt === null ? 'never' : new Date(r.expiresAt).toISOString()}  ${r.description}`);
      return 0;
    }
    case 'revoke': {
      if (id === undefined || !/^[0-9a-f]{16}$/.test(id)) throw new VigilError('VIGIL_USAGE', `vigil token revoke needs a token id (16 hex characters, see \`vigil token list\`), got ${JSON.stringify(id ?? '')}`);
      const revoked = store.revoke(id, now);
      io.out(`revoked token ${revoked.id} of ${revoked.owner} at ${new Date(revoked.revokedAt ?? now).toISOString()}`);
      return 0;
    }
    default:
      throw new VigilError('VIGIL_USAGE', `vigil token: expected create, list or revoke, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
  }
}

function state(r: Pick<TokenRecord, 'revokedAt' | 'expiresAt'>, now: number): string {
  if (r.revokedAt !== null) return 'revoked';
  if (r.expiresAt !== null && now >= r.expiresAt) return 'expired';
  return 'active';
}

function expiry(span: string, now: number): number | null {
  if (span === 'never') return null;
  const match = /^(\d{1,6})([hd])$/.exec(span);
  const n = Number(match?.[1]);
  const hours = match?.[2] === 'd' ? n * 24 : n;
  if (match === null || n < 1 || hours > MAX_SPAN_DAYS * 24) throw new VigilError('VIGIL_USAGE', `--expires must be hours (12h), days (90d) up to ${MAX_SPAN_DAYS}d, or never; got ${JSON.stringify(span.slice(0, 50))}`);
  return now + hours * 3_600_000;
}
