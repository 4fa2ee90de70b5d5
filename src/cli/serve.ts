/** `vigil serve`: the admin API alone (without the engine), on VIGIL_HTTP_HOST:VIGIL_HTTP_PORT, until SIGTERM or SIGINT. */
import { loadConfig } from '../config/index.js';
import { infraFromEnv } from '../config/infra.js';
import { startAdminApi } from '../admin/wiring.js';
import { loadAuditKey } from '../security/audit-key.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil serve [--config PATH]

Serves the admin API (authentication, roles, access log, /openapi.json, /metrics, /healthz, /readyz)
without the engine: detector configurations and silences are written to vigil.config, audit records
to vigil.audit (chain "admin"), and alerts are read from vigil.alerts. Access is configured in the
\`access\` block of the configuration; tokens come from \`vigil token create\`.

Options:
  --config PATH   configuration file (default: VIGIL_CONFIG, else vigil.yaml in the working directory)

Environment: VIGIL_BROKERS, VIGIL_SCHEMA_REGISTRY_URL, VIGIL_TOPIC_PREFIX, VIGIL_HTTP_HOST,
VIGIL_HTTP_PORT (default 127.0.0.1:8787), VIGIL_AUDIT_KEY_FILE, VIGIL_LOG_LEVEL. The access log
(one JSON line per request, type "access") goes to stderr.
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, { config: { type: 'string' } }, 0, 'serve');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const config = loadConfig({ ...(typeof values.config === 'string' ? { path: values.config } : {}), env: process.env });
  const infra = infraFromEnv();
  const metrics = createMetrics();
  const api = await startAdminApi({
    config,
    infra,
    auditKey: loadAuditKey(),
    registry: metrics.registry,
    health: { live: () => true, ready: () => ({ ready: true }) },
    logger: createLogger({ name: 'vigil-admin' }),
  });
  await api.app.listen({ host: infra.httpHost, port: infra.httpPort });
  const address = api.app.server.address();
  const where = typeof address === 'object' && address !== null ? `${address.address}:${address.port}` : `${infra.httpHost}:${infra.httpPort}`;
  io.err(`vigil serve: admin API at http://${where} (topics ${infra.topicPrefix}*, config ${config.source ?? 'defaults'})`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await api.stop();
  io.err('vigil serve: stopped');
  return 0;
}
