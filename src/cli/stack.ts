/** `vigil stack up | down | status`: the local Kafka broker and schema registry. */
import { VigilError } from '../errors.js';
import { dockerDown, dockerEngineRuns, dockerUp } from '../stack/docker.js';
import { stackDown, stackStatus, stackUp, type StackStatus } from '../stack/stack.js';
import { findJavaRuntimes, findMaven } from '../stack/tools.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil stack <up|down|status> [options]

Starts, stops or reports the local stack: Apache Kafka (KRaft, one node) on 127.0.0.1:19092 and the
Apicurio schema registry with its Confluent API at http://127.0.0.1:18081/apis/ccompat/v7.

  up        start both (already running is fine) and wait until each answers a client request
  down      stop both; no process of the stack is left running
  status    report each service; exit 0 when both are ready, 1 otherwise

Options:
  --mode jvm|docker|auto  jvm: Java 17+ and Maven fetch and run the jars (default when both exist);
                          docker: docker compose with docker-compose.yml (needs a running engine)
  --fresh                 (up) wipe the stack's data first
  --timeout SECONDS       (up) how long to wait for readiness (default 180)
  --json                  (status) print JSON

The stack keeps downloads, data, logs and pids in .vigil/stack (override: VIGIL_STACK_DIR).
`;

type Mode = 'jvm' | 'docker';

function chooseMode(flag: unknown): Mode {
  if (flag === 'jvm' || flag === 'docker') return flag;
  if (flag !== undefined && flag !== 'auto') throw new VigilError('VIGIL_USAGE', `--mode must be jvm, docker or auto, got ${JSON.stringify(flag)}`);
  if (process.env.VIGIL_STACK_MODE === 'docker') return 'docker';
  const hasJvm = findJavaRuntimes().some((r) => r.major >= 17);
  let hasMaven = true;
  try {
    findMaven();
  } catch {
    hasMaven = false;
  }
  if (hasJvm && hasMaven) return 'jvm';
  if (dockerEngineRuns()) return 'docker';
  // Neither: let the JVM path report precisely what is missing.
  return 'jvm';
}

export function printStatus(io: CommandIo, status: StackStatus): void {
  for (const s of status.services) {
    const pid = s.pid === undefined ? '' : ` pid ${s.pid}`;
    io.out(`${s.name.padEnd(9)} ${s.state.padEnd(8)} ${s.ready ? 'ready' : 'not ready'}  ${s.address}${pid}`);
  }
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { mode: { type: 'string' }, fresh: { type: 'boolean' }, timeout: { type: 'string' }, json: { type: 'boolean' } },
    1,
    'stack',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const action = positionals[0];
  if (action !== 'up' && action !== 'down' && action !== 'status') {
    throw new VigilError('VIGIL_USAGE', `expected up, down or status, got ${action === undefined ? 'nothing' : JSON.stringify(action)}; see \`vigil stack --help\``);
  }
  if (action === 'status') {
    const status = await stackStatus();
    if (values.json) io.out(JSON.stringify(status, null, 2));
    else printStatus(io, status);
    return status.services.every((s) => s.ready) ? 0 : 1;
  }
  const mode = chooseMode(values.mode);
  if (action === 'down') {
    if (mode === 'docker') dockerDown();
    const reports = await stackDown();
    for (const r of reports) io.out(`${r.name.padEnd(9)} ${r.outcome}`);
    return 0;
  }
  const timeoutMs = intFlag(values.timeout, 'timeout', 1, 3600, 180) * 1000;
  const started = Date.now();
  if (mode === 'docker') {
    dockerUp(values.fresh === true, timeoutMs);
    printStatus(io, await stackStatus());
  } else {
    const status = await stackUp({ fresh: values.fresh === true, timeoutMs, onProgress: (m) => io.err(m) });
    printStatus(io, status);
  }
  io.err(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
