/**
 * Where the key-encryption keys come from, in order: an explicit key file (`--key-file`, or
 * `encryption.keyFile` in vigil.yaml), the file named by `VIGIL_KEK_FILE`, the keyring or base64 key
 * in `VIGIL_KEK` (or the variable named by `encryption.keyEnv`).
 */
import { resolve } from 'node:path';
import { VigilError } from '../../errors.js';
import { LocalKeyProvider } from './keyring.js';

export interface KeySource {
  readonly file?: string | null;
  /** Name of the environment variable holding a keyring or a key (default VIGIL_KEK). */
  readonly envName?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

export function resolveKeyProvider(source: KeySource): LocalKeyProvider {
  const cwd = source.cwd ?? process.cwd();
  const file = source.file ?? source.env['VIGIL_KEK_FILE'];
  if (file !== undefined && file !== null && file.length > 0) return LocalKeyProvider.fromFile(resolve(cwd, file));
  const envName = source.envName ?? 'VIGIL_KEK';
  if ((source.env[envName] ?? '').length > 0) return LocalKeyProvider.fromEnv(source.env, envName);
  throw new VigilError(
    'VIGIL_KEY_INVALID',
    `no key-encryption key: pass --key-file, or set VIGIL_KEK_FILE or ${envName} (create one with \`vigil keys generate --file PATH\`)`,
  );
}
