/**
 * Process entry: parses the command, runs it, turns errors into one clear line and an exit code
 * (0 success, 1 a finding, 2 bad usage or bad input).
 */
import { describeError, isVigilError } from './errors.js';
import { processIo, type CommandIo } from './cli/io.js';

type Command = { summary: string; load: () => Promise<{ run: (argv: readonly string[], io: CommandIo) => Promise<number> }> };

/**
 * A command that runs the engine: kafkajs's Batch is replaced first, since kafkajs's consumer binds
 * the one it finds when it loads (see pipeline/source/fast-batch.ts).
 */
const engineCommand = <T>(load: () => Promise<T>) => async (): Promise<T> => {
  (await import('./pipeline/source/fast-batch.js')).installFastBatch();
  return load();
};

const COMMANDS: Record<string, Command> = {
  stack: { summary: 'start, stop or report the local Kafka + schema registry', load: () => import('./cli/stack.js') },
  topics: { summary: 'create every topic of the contract', load: () => import('./cli/topics.js') },
  run: { summary: 'the engine: consume, score, alert, roll back, exactly once', load: engineCommand(() => import('./cli/run.js')) },
  demo: { summary: 'stack, topics, engine and a synthetic producer; prints where to look', load: engineCommand(() => import('./cli/demo.js')) },
  replay: { summary: 'the alerts and commands a configuration would raise over recorded events', load: () => import('./cli/replay.js') },
  capture: { summary: 'record a model version\'s environment and dependencies into a manifest', load: () => import('./cli/capture.js') },
  audit: { summary: 'verify the audit trail; write an evidence report for auditors', load: () => import('./cli/audit.js') },
  check: { summary: 'compliance rule packs over a manifest; text, json, sarif or junit', load: () => import('./cli/check.js') },
  drift: { summary: 'offline drift report of a current data file against a reference file', load: () => import('./cli/drift.js') },
  keys: { summary: 'create, rotate, list and retire key-encryption keys; rewrap artifacts', load: () => import('./cli/keys.js') },
  artifact: { summary: 'encrypt, decrypt or verify a model artifact (streamed, authenticated)', load: () => import('./cli/artifact.js') },
  iolog: { summary: 'read the decrypted, redacted I/O log of a model', load: () => import('./cli/iolog.js') },
  token: { summary: 'create, list or revoke API tokens of the admin API', load: () => import('./cli/token.js') },
  serve: { summary: 'the admin API alone, without the engine', load: () => import('./cli/serve.js') },
  submit: { summary: 'submit a model version with its manifest (compliance-checked by the API)', load: async () => (await import('./cli/governance.js')).submit },
  approve: { summary: 'approve a checked model version (separation of duties applies)', load: async () => (await import('./cli/governance.js')).approve },
  reject: { summary: 'reject a submitted model version, with a reason', load: async () => (await import('./cli/governance.js')).reject },
  deploy: { summary: 'record the deployment of an approved version, with its rollback target', load: async () => (await import('./cli/governance.js')).deploy },
  rollback: { summary: 'roll a model back to its last approved version', load: async () => (await import('./cli/governance.js')).rollback },
  retire: { summary: 'retire a model version, with a reason', load: async () => (await import('./cli/governance.js')).retire },
  'approve-response': { summary: 'approve a rollback, fallback or shutdown the response policy asked for', load: async () => (await import('./cli/governance.js')).approveResponse },
};

export const USAGE = `Usage: vigil <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)
  .join('\n')}

Run \`vigil <command> --help\` for a command's options.
`;

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`vigil: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(rest, io);
  } catch (error) {
    if (isVigilError(error)) {
      io.err(`vigil ${name}: ${error.message} [${error.code}]`);
      return error.exitCode;
    }
    io.err(`vigil ${name}: unexpected error: ${describeError(error)}`);
    if (process.env.VIGIL_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:main\.[jt]s|vigil(?:\.js)?)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vigil: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}
