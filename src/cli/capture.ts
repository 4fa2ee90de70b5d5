/** `vigil capture`: writes the deployment manifest of a model version. */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VigilError } from '../errors.js';
import { buildManifest, captureEnvironment, processSources, readDeclarations, RISK_CLASSES, type RiskClass } from '../governance/manifest/index.js';
import { vigilVersion } from '../governance/shared/files.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil capture --model ID --version V --risk-class minimal|limited|high|unacceptable
                     --artifact FILE [--config FILE] [--lock FILE ...] [--declare FILE]
                     [--owner NAME] [--intended-use TEXT] [--image-digest sha256:...] [--git-commit SHA]
                     [--runtime NAME=VERSION ...] [--env-prefix PREFIX ...] [--output FILE]

Records a model version's deployment manifest (JSON): the runtime environment (OS, CPU, memory,
language runtimes, container image digest, git commit, the NAMES of environment variables, never
their values), the model artifact's SHA-256, the configuration's hash, owner, intended use, risk
class, and the dependencies as a CycloneDX 1.6 SBOM read from lock files (package-lock.json,
requirements.txt or pip freeze output, poetry.lock). The manifest's environmentHash is what the
running version reports in its inference events' attribute "vigil.env.hash".

Options:
  --declare FILE    YAML/JSON with owner, intendedUse, modelKind, documents (kind: path or URI),
                    rollback, monitoring, ioLogging, auditLog
  --env-prefix P    record only variable names starting with P (repeatable; default: every name)
  --output FILE     write the manifest to FILE (default: standard output)
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      model: { type: 'string' },
      version: { type: 'string' },
      'risk-class': { type: 'string' },
      artifact: { type: 'string' },
      config: { type: 'string' },
      lock: { type: 'string', multiple: true },
      declare: { type: 'string' },
      owner: { type: 'string' },
      'intended-use': { type: 'string' },
      'image-digest': { type: 'string' },
      'git-commit': { type: 'string' },
      runtime: { type: 'string', multiple: true },
      'env-prefix': { type: 'string', multiple: true },
      output: { type: 'string' },
    },
    0,
    'capture',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const need = (name: string): string => {
    const v = values[name];
    if (typeof v !== 'string' || v.length === 0) throw new VigilError('VIGIL_USAGE', `--${name} is required; see \`vigil capture --help\``);
    return v;
  };
  const riskClass = need('risk-class');
  if (!(RISK_CLASSES as readonly string[]).includes(riskClass)) throw new VigilError('VIGIL_USAGE', `--risk-class must be ${RISK_CLASSES.join(', ')}, got ${JSON.stringify(riskClass)}`);
  const runtimes: Record<string, string> = {};
  for (const r of (values.runtime as string[] | undefined) ?? []) {
    const m = /^([A-Za-z][A-Za-z0-9_-]{0,63})=(\S{1,128})$/.exec(r);
    if (m === null) throw new VigilError('VIGIL_USAGE', `--runtime must be NAME=VERSION, got ${JSON.stringify(r)}`);
    runtimes[m[1] as string] = m[2] as string;
  }
  const digest = values['image-digest'] as string | undefined;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new VigilError('VIGIL_USAGE', `--image-digest must be sha256: and 64 lower-case hex digits, got ${JSON.stringify(digest)}`);
  const commit = values['git-commit'] as string | undefined;
  if (commit !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) throw new VigilError('VIGIL_USAGE', `--git-commit must be a full hex commit id, got ${JSON.stringify(commit)}`);
  const declareFile = values.declare as string | undefined;
  const environment = captureEnvironment(processSources(), {
    containerImageDigest: digest,
    gitCommit: commit,
    runtimes,
    envPrefixes: values['env-prefix'] as string[] | undefined,
  });
  const manifest = await buildManifest({
    modelId: need('model'),
    modelVersion: need('version'),
    riskClass: riskClass as RiskClass,
    artifact: need('artifact'),
    config: (values.config as string | undefined) ?? null,
    lockFiles: (values.lock as string[] | undefined) ?? [],
    environment,
    declarations: declareFile === undefined ? {} : readDeclarations(declareFile),
    baseDir: declareFile === undefined ? process.cwd() : dirname(resolve(declareFile)),
    now: new Date(),
    toolVersion: vigilVersion(),
    owner: values.owner as string | undefined,
    intendedUse: values['intended-use'] as string | undefined,
  });
  const text = JSON.stringify(manifest, null, 2);
  if (values.output !== undefined) {
    writeFileSync(String(values.output), `${text}\n`);
    io.out(`manifest of ${manifest.modelId}@${manifest.modelVersion} written to ${String(values.output)} (environment hash ${manifest.environmentHash}, ${manifest.sbom.components?.length ?? 0} components)`);
  } else {
    io.out(text);
  }
  return 0;
}
