/** `vigil artifact encrypt | decrypt | verify`: protected model artifacts, streamed in segments. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError } from '../errors.js';
import { decryptArtifact, encryptArtifact, verifyArtifact, type ArtifactSummary } from '../security/crypto/artifact.js';
import { DEFAULT_SEGMENT_SIZE, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE } from '../security/crypto/artifact-format.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil artifact encrypt FILE [--out PATH] [--segment-size BYTES]
       vigil artifact decrypt FILE --out PATH
       vigil artifact verify FILE [--sha256 HEX]

encrypt   seals FILE (any size, constant memory) under a fresh AES-256-GCM data key wrapped by the
          primary key-encryption key; prints the plaintext SHA-256 for the deployment manifest.
          Output: --out, default FILE.vgla. Segments of 64 KiB by default, each authenticated with
          its index and a last-segment flag, so reordering, truncation and extension are detected.
decrypt   authenticates every segment and writes the plaintext to --out; nothing is written unless
          the whole file authenticates.
verify    authenticates the whole file without writing anything, and compares the plaintext
          SHA-256 with --sha256 when given. Exit 1 when verification fails.

Options:
  --key-file PATH        keyring (default: VIGIL_KEK_FILE, else the keyring or key in VIGIL_KEK)
  --out PATH             output file; an existing one is replaced only with --force
  --force                replace an existing output file
  --segment-size BYTES   plaintext bytes per segment (${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE}, default ${DEFAULT_SEGMENT_SIZE})
  --sha256 HEX           expected plaintext digest (verify)
  --json                 print the summary as JSON
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      'key-file': { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'segment-size': { type: 'string' },
      sha256: { type: 'string' },
      json: { type: 'boolean' },
    },
    2,
    'artifact',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const [action, input] = positionals;
  if (action !== 'encrypt' && action !== 'decrypt' && action !== 'verify') {
    throw new VigilError('VIGIL_USAGE', `expected encrypt, decrypt or verify, got ${action === undefined ? 'nothing' : JSON.stringify(action)}; see \`vigil artifact --help\``);
  }
  if (input === undefined) throw new VigilError('VIGIL_USAGE', `${action} needs a FILE; see \`vigil artifact --help\``);
  const sha256 = typeof values.sha256 === 'string' ? values.sha256 : undefined;
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new VigilError('VIGIL_USAGE', `--sha256 must be 64 hex digits, got ${JSON.stringify(sha256)}`);
  const file = resolve(input);
  const provider = resolveKeyProvider({ file: typeof values['key-file'] === 'string' ? values['key-file'] : null, env: process.env });
  const print = (summary: ArtifactSummary, what: string): void => {
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`${what}: sha256 ${summary.sha256}, ${summary.plaintextBytes} bytes, ${summary.segments} segments, data key ${summary.keyId} wrapped by ${summary.kekId}`);
  };
  const output = (fallback: string | null): string => {
    const out = typeof values.out === 'string' ? resolve(values.out) : fallback;
    if (out === null) throw new VigilError('VIGIL_USAGE', `${action} needs --out PATH; see \`vigil artifact --help\``);
    if (out === file) throw new VigilError('VIGIL_USAGE', `--out must differ from the input ${file}`);
    if (existsSync(out) && !values.force) throw new VigilError('VIGIL_USAGE', `${out} exists; pass --force to replace it`, { details: { file: out } });
    return out;
  };
  if (action === 'encrypt') {
    const segmentSize = intFlag(values['segment-size'], 'segment-size', MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE, DEFAULT_SEGMENT_SIZE);
    const out = output(`${file}.vgla`);
    print(await encryptArtifact(file, out, provider, { segmentSize }), `encrypted ${input} -> ${out}`);
    return 0;
  }
  if (action === 'decrypt') {
    const out = output(null);
    print(await decryptArtifact(file, out, provider), `decrypted ${input} -> ${out}`);
    return 0;
  }
  try {
    print(await verifyArtifact(file, provider, sha256), `verified ${input}`);
    return 0;
  } catch (error) {
    // A failed verification is a finding (exit 1); a missing file or unknown key stays bad input (exit 2).
    if (error instanceof VigilError && (error.code === 'VIGIL_DECRYPT_FAILED' || error.code === 'VIGIL_ARTIFACT_CORRUPT')) {
      io.err(`vigil artifact: verification failed: ${error.message} [${error.code}]`);
      return 1;
    }
    throw error;
  }
}
