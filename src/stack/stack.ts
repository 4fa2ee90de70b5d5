/**
 * `vigil stack up | down | status` for the JVM stack: Apache Kafka (KRaft, one node) and the Apicurio
 * schema registry, fetched from Maven Central, run from a state folder that holds downloads, data,
 * logs and pids. Starting is idempotent; stopping leaves no process of the stack behind.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { VigilError } from '../errors.js';
import { ensureKafkaJars, ensureRegistry, registryJar } from './fetch.js';
import { stackPaths, stackVersions, type StackPaths } from './paths.js';
import { freePort, logTail, portInUse, runningPid, startDetached, stopManaged } from './processes.js';
import { endpoints, isReady, kafkaArgs, managed, prepareKafka, registryArgs, type ServiceEndpoints, type ServiceName } from './services.js';
import { findJavaRuntimes, findMaven, javaForKafka, newestJava } from './tools.js';

export type ServiceState = 'running' | 'starting' | 'external' | 'stopped';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly state: ServiceState;
  readonly ready: boolean;
  readonly pid?: number;
  readonly address: string;
  readonly log: string;
}

export interface StackStatus {
  readonly root: string;
  readonly services: readonly ServiceStatus[];
  readonly endpoints: ServiceEndpoints;
}

export interface UpOptions {
  readonly fresh?: boolean;
  readonly timeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

const SERVICES: readonly ServiceName[] = ['kafka', 'registry'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function addressOf(name: ServiceName, at: ServiceEndpoints): string {
  return name === 'kafka' ? at.brokers.join(',') : at.registryUrl;
}

export async function stackStatus(paths: StackPaths = stackPaths()): Promise<StackStatus> {
  const at = endpoints(stackVersions());
  const services = await Promise.all(
    SERVICES.map(async (name): Promise<ServiceStatus> => {
      const proc = managed(paths, name);
      const pid = runningPid(proc);
      const ready = await isReady(name, at);
      const state: ServiceState = pid !== undefined ? (ready ? 'running' : 'starting') : ready ? 'external' : 'stopped';
      return { name, state, ready, ...(pid === undefined ? {} : { pid }), address: addressOf(name, at), log: proc.logFile };
    }),
  );
  return { root: paths.root, services, endpoints: at };
}

export async function stackUp(options: UpOptions = {}, paths: StackPaths = stackPaths()): Promise<StackStatus> {
  const say = options.onProgress ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const versions = stackVersions();
  const at = endpoints(versions);
  if (options.fresh) {
    await stackDown(paths);
    rmSync(paths.data, { recursive: true, force: true });
    say(`wiped ${paths.data}`);
  }
  for (const dir of [paths.downloads, paths.data, paths.logs, paths.run]) mkdirSync(dir, { recursive: true });

  const before = await stackStatus(paths);
  const toStart = before.services.filter((s) => s.state === 'stopped').map((s) => s.name);
  for (const s of before.services) {
    if (s.state === 'external') say(`${s.name}: already served at ${s.address} by a process this stack did not start; using it`);
    if (s.state === 'running') say(`${s.name}: already running (pid ${s.pid})`);
  }
  if (toStart.length > 0) await startServices(toStart, paths, versions, say);

  const deadline = Date.now() + timeoutMs;
  for (const name of SERVICES) {
    const proc = managed(paths, name);
    while (!(await isReady(name, at))) {
      const pidFromFile = runningPid(proc);
      if (pidFromFile === undefined && toStart.includes(name)) {
        throw new VigilError('VIGIL_STACK_PROCESS_EXITED', `${name} exited during start-up. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`);
      }
      if (Date.now() > deadline) {
        throw new VigilError(
          'VIGIL_STACK_START_TIMEOUT',
          `${name} did not answer at ${addressOf(name, at)} within ${Math.round(timeoutMs / 1000)} s. It may still be starting (see ${proc.logFile}); retry with a longer --timeout, or \`vigil stack down\` then \`vigil stack up --fresh\`.`,
        );
      }
      await sleep(250);
    }
  }
  return stackStatus(paths);
}

async function startServices(names: readonly ServiceName[], paths: StackPaths, versions: ReturnType<typeof stackVersions>, say: (m: string) => void): Promise<void> {
  const ports: Record<ServiceName, number[]> = {
    kafka: [versions.ports.kafka, versions.ports.controller],
    registry: [versions.ports.registry],
  };
  for (const name of names) {
    for (const port of ports[name]) {
      if (await portInUse(port)) {
        throw new VigilError(
          'VIGIL_STACK_PORT_IN_USE',
          `port 127.0.0.1:${port}, which ${name} needs, is taken by another process that does not answer as ${name}. Find it with \`ss -ltnp 'sport = :${port}'\` and stop it, then retry.`,
          { details: { port } },
        );
      }
    }
  }
  const runtimes = findJavaRuntimes();
  const kafkaJava = javaForKafka(runtimes);
  const mvn = findMaven();
  const registryJava = newestJava(runtimes, versions.registryMinJava);
  const registryVersion = process.env.VIGIL_REGISTRY_VERSION ?? (registryJava ? versions.registry : versions.registryForJava17);
  const [libs, registryDir] = await Promise.all([
    names.includes('kafka') ? ensureKafkaJars(mvn, paths.downloads, versions.kafka) : Promise.resolve(''),
    names.includes('registry') ? ensureRegistry(mvn, paths.downloads, registryVersion) : Promise.resolve(''),
  ]);
  if (names.includes('kafka')) {
    const proc = managed(paths, 'kafka');
    const configFile = prepareKafka(paths, kafkaJava.bin, libs);
    const pid = startDetached(proc, kafkaJava.bin, kafkaArgs(proc, libs, configFile), paths.run);
    say(`kafka: Apache Kafka ${versions.kafka} started (pid ${pid}, Java ${kafkaJava.version}), log ${proc.logFile}`);
  }
  if (names.includes('registry')) {
    const proc = managed(paths, 'registry');
    const java = registryJava ?? kafkaJava;
    const registryData = `${paths.data}/registry`;
    mkdirSync(registryData, { recursive: true });
    const args = registryArgs(proc, registryJar(registryDir), versions.ports.registry, await freePort());
    const pid = startDetached(proc, java.bin, args, registryData);
    say(`registry: Apicurio Registry ${registryVersion} started (pid ${pid}, Java ${java.version}, in-memory storage: empty at every start), log ${proc.logFile}`);
  }
}

export interface DownReport {
  readonly name: ServiceName;
  readonly outcome: 'stopped' | 'killed' | 'not running';
}

export async function stackDown(paths: StackPaths = stackPaths()): Promise<DownReport[]> {
  // The registry first: it holds no state worth a graceful close; Kafka gets a controlled shutdown.
  const registry = await stopManaged(managed(paths, 'registry'), 15_000);
  const kafka = await stopManaged(managed(paths, 'kafka'), 30_000);
  return [
    { name: 'kafka', outcome: kafka },
    { name: 'registry', outcome: registry },
  ];
}
