/** `vigil keys generate | list | rewrap`: the key-encryption keyring (never prints key material). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError } from '../errors.js';
import { rewrapArtifact } from '../security/crypto/artifact.js';
import { newKek, readKeyringFile, rotateKeyring, writeKeyringFile } from '../security/crypto/keyring.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil keys generate --file PATH [--rotate]
       vigil keys list [--key-file PATH]
       vigil keys rewrap [--key-file PATH] ARTIFACT...
       vigil keys retire --file PATH KEK_ID

generate   creates a keyring file (mode 0600) holding a new 256-bit key-encryption key (KEK).
           With --rotate, adds a new KEK to an existing keyring and makes it primary: new data keys
           are wrapped with it at once, and the old KEKs stay so everything written before stays
           readable. Keep keyrings out of version control.
list       prints the KEK ids of a keyring and which one is primary.
rewrap     moves the data keys of protected artifacts (vigil artifact encrypt) to the primary KEK,
           rewriting only their headers; afterwards an old KEK that wrapped nothing else can go.
retire     removes a KEK that is not primary from a keyring. Only do this once nothing still needs
           it: artifacts rewrapped, I/O log records older than the longest iolog.retentionDays,
           and the state changelog re-snapshotted under the new KEK.

Options:
  --file PATH       keyring to create or rotate
  --key-file PATH   keyring to read (default: VIGIL_KEK_FILE, else the keyring or key in VIGIL_KEK)
  --rotate          add a new primary KEK to an existing keyring
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { file: { type: 'string' }, 'key-file': { type: 'string' }, rotate: { type: 'boolean' } },
    Number.MAX_SAFE_INTEGER,
    'keys',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [action, ...rest] = positionals;
  switch (action) {
    case 'generate': {
      if (rest.length > 0) throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(rest[0])}; see \`vigil keys --help\``);
      if (typeof values.file !== 'string') throw new VigilError('VIGIL_USAGE', 'generate needs --file PATH; see `vigil keys --help`');
      const file = resolve(values.file);
      const exists = existsSync(file);
      if (exists && !values.rotate) {
        throw new VigilError('VIGIL_USAGE', `${file} exists; pass --rotate to add a new primary key to it (it is never overwritten)`, { details: { file } });
      }
      if (!exists && values.rotate) throw new VigilError('VIGIL_USAGE', `--rotate needs an existing keyring, and ${file} does not exist`, { details: { file } });
      const entry = newKek();
      const ring = rotateKeyring(exists ? readKeyringFile(file) : null, entry);
      writeKeyringFile(file, ring);
      io.out(`${exists ? 'added' : 'created'} key-encryption key ${entry.id} in ${file} (mode 0600, primary; ${ring.keys.length} key${ring.keys.length === 1 ? '' : 's'})`);
      return 0;
    }
    case 'list': {
      if (rest.length > 0) throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(rest[0])}; see \`vigil keys --help\``);
      const provider = resolveKeyProvider({ file: typeof values['key-file'] === 'string' ? values['key-file'] : null, env: process.env });
      for (const id of provider.kekIds()) io.out(`${id}${id === provider.primaryKekId() ? '  (primary)' : ''}`);
      return 0;
    }
    case 'rewrap': {
      if (rest.length === 0) throw new VigilError('VIGIL_USAGE', 'rewrap needs at least one artifact file; see `vigil keys --help`');
      const provider = resolveKeyProvider({ file: typeof values['key-file'] === 'string' ? values['key-file'] : null, env: process.env });
      for (const file of rest) {
        const moved = await rewrapArtifact(resolve(file), provider);
        io.out(`${file}: ${moved ? `data key rewrapped with ${provider.primaryKekId()}` : `already wrapped with ${provider.primaryKekId()}`}`);
      }
      return 0;
    }
    case 'retire': {
      if (typeof values.file !== 'string') throw new VigilError('VIGIL_USAGE', 'retire needs --file PATH; see `vigil keys --help`');
      if (rest.length !== 1) throw new VigilError('VIGIL_USAGE', 'retire needs exactly one KEK id; see `vigil keys --help`');
      const file = resolve(values.file);
      const ring = readKeyringFile(file);
      const id = rest[0] as string;
      if (!ring.keys.some((k) => k.id === id)) throw new VigilError('VIGIL_USAGE', `${file} holds no key ${JSON.stringify(id)} (it holds ${ring.keys.map((k) => k.id).join(', ')})`);
      if (id === ring.primary) throw new VigilError('VIGIL_USAGE', `${id} is the primary key; rotate first (vigil keys generate --rotate)`);
      writeKeyringFile(file, { primary: ring.primary, keys: ring.keys.filter((k) => k.id !== id) });
      io.out(`retired ${id} from ${file}; ${ring.keys.length - 1} key${ring.keys.length === 2 ? '' : 's'} left`);
      return 0;
    }
    default:
      throw new VigilError('VIGIL_USAGE', `expected generate, list, rewrap or retire, got ${action === undefined ? 'nothing' : JSON.stringify(action)}; see \`vigil keys --help\``);
  }
}
