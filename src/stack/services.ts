/**
 * The two services of the local stack, as the JVM runs them: how each is prepared, started and
 * asked whether it is ready (a real client round trip, never a sleep).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../errors.js';
import { probeKafka } from '../pipeline/sink/topics.js';
import { packageRoot, type StackPaths, type StackVersions } from './paths.js';
import type { ManagedProcess } from './processes.js';

export type ServiceName = 'kafka' | 'registry';

export interface ServiceEndpoints {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
}

export function endpoints(versions: StackVersions): ServiceEndpoints {
  return {
    brokers: [`127.0.0.1:${versions.ports.kafka}`],
    registryUrl: `http://127.0.0.1:${versions.ports.registry}/apis/ccompat/v7`,
  };
}

export function managed(paths: StackPaths, name: ServiceName): ManagedProcess {
  return {
    name,
    pidFile: join(paths.run, `${name}.pid`),
    logFile: join(paths.logs, `${name}.log`),
    marker: `-Dvigil.stack=${paths.root}#${name}`,
  };
}

/**
 * A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as Kafka's own Uuid prints
 * them, and like Kafka's never starting with '-' (the storage tool would read it as an option).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Writes the broker's configuration and formats its storage once (KRaft needs a cluster id). */
export function prepareKafka(paths: StackPaths, java: string, libs: string): string {
  const dataDir = join(paths.data, 'kafka');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(paths.run, 'server.properties');
  const template = readFileSync(join(packageRoot(), 'infra', 'kafka', 'server.properties'), 'utf8');
  writeFileSync(configFile, `${template}\nlog.dirs=${dataDir}\n`);
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = newClusterId();
    const result = spawnSync(
      java,
      ['-cp', join(libs, '*'), `-Dlog4j.configuration=file:${join(packageRoot(), 'infra', 'kafka', 'log4j.properties')}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile, '--ignore-formatted'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) {
      throw new VigilError('VIGIL_STACK_PROCESS_EXITED', `formatting Kafka storage in ${dataDir} failed:\n${(result.stderr || result.stdout || String(result.error)).slice(-2000)}`);
    }
  }
  return configFile;
}

export function kafkaArgs(proc: ManagedProcess, libs: string, configFile: string): string[] {
  return [
    proc.marker,
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(packageRoot(), 'infra', 'kafka', 'log4j.properties')}`,
    '-cp',
    join(libs, '*'),
    'kafka.Kafka',
    configFile,
  ];
}

export function registryArgs(proc: ManagedProcess, jar: string, httpPort: number, managementPort: number): string[] {
  return [
    proc.marker,
    '-Xms128m',
    '-Xmx512m',
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${httpPort}`,
    '-Dquarkus.management.host=127.0.0.1',
    `-Dquarkus.management.port=${managementPort}`,
    // Without a global rule Apicurio answers GET /config/{subject} with 200 NONE where the Confluent
    // registry answers 404, and @kafkajs/confluent-schema-registry then refuses to register.
    '-Dapicurio.rules.global.compatibility=BACKWARD',
    '-Dquarkus.log.level=WARN',
    '-Dquarkus.http.access-log.enabled=false',
    '-jar',
    jar,
  ];
}

export async function kafkaReady(brokers: readonly string[]): Promise<boolean> {
  try {
    await probeKafka(brokers, 2000);
    return true;
  } catch {
    return false;
  }
}

export async function registryReady(registryUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
    if (response.status !== 200) return false;
    return Array.isArray(await response.json());
  } catch {
    return false;
  }
}

export function isReady(name: ServiceName, at: ServiceEndpoints): Promise<boolean> {
  return name === 'kafka' ? kafkaReady(at.brokers) : registryReady(at.registryUrl);
}
