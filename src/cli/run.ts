/** `vigil run`: the engine, until SIGTERM or SIGINT (then it drains, commits and exits 0 within 10 s). */
import { loadConfig } from '../config/index.js';
import { infraFromEnv } from '../config/infra.js';
import { Engine } from '../engine.js';
import { loadAuditKey } from '../security/audit-key.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil run [--config PATH]

Runs the engine: consumes vigil.inference, scores drift in the worker pool, and writes alerts, audit
records, rollback commands and its state changelog exactly once, with the consumed offsets.
Metrics at http://VIGIL_HTTP_HOST:VIGIL_HTTP_PORT/metrics (default 127.0.0.1:8787), with /healthz and /readyz.

Options:
  --config PATH   configuration file (default: VIGIL_CONFIG, else vigil.yaml in the working directory)

Environment: VIGIL_BROKERS, VIGIL_SCHEMA_REGISTRY_URL, VIGIL_TOPIC_PREFIX, VIGIL_HTTP_HOST,
VIGIL_HTTP_PORT, VIGIL_AUDIT_KEY_FILE (Ed25519 PEM; default .vigil/keys/audit-ed25519.pem, created once),
VIGIL_LOG_LEVEL (default warn).
`;

const STOP_DEADLINE_MS = 10_000;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, { config: { type: 'string' } }, 0, 'run');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const config = loadConfig({ ...(typeof values.config === 'string' ? { path: values.config } : {}), env: process.env });
  const infra = infraFromEnv();
  const engine = new Engine({ config, infra, auditKey: loadAuditKey(), api: true });
  await engine.start();
  const address = engine.address();
  io.err(
    `vigil run: engine running (group ${config.config.engine.groupId}, topics ${infra.topicPrefix}*, config ${config.source ?? 'defaults'}); metrics at http://${address?.address ?? infra.httpHost}:${address?.port ?? infra.httpPort}/metrics`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      io.err(`vigil run: ${signal}, draining`);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const deadline = setTimeout(() => {
    io.err(`vigil run: could not drain within ${STOP_DEADLINE_MS / 1000} s; exiting`);
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await engine.stop();
  clearTimeout(deadline);
  io.err('vigil run: stopped');
  return 0;
}
