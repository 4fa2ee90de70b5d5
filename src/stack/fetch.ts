/**
 * Fetches the stack's programs from Maven Central with Maven: Kafka as a folder of jars (the Kafka
 * artifact and its runtime dependencies), the registry as its runnable distribution. Each download
 * lands in its own folder and is marked complete only when whole, so an interrupted fetch is redone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../errors.js';
import { packageRoot } from './paths.js';

const DONE = '.complete';

function run(bin: string, args: readonly string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(new VigilError('VIGIL_STACK_FETCH_FAILED', `${what}: cannot run ${bin}: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const tail = output.split('\n').filter((l) => /ERROR|error:/.test(l)).slice(-5).join('\n') || output.slice(-1500);
        reject(new VigilError('VIGIL_STACK_FETCH_FAILED', `${what} failed (${bin} exited ${code}). Check network access to Maven Central, then retry.\n${tail}`));
      }
    });
  });
}

/** The folder of Kafka jars for `version`, fetched on first use. */
export async function ensureKafkaJars(mvn: string, downloads: string, version: string): Promise<string> {
  const dir = join(downloads, `kafka-${version}`, 'libs');
  if (existsSync(join(dir, DONE))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await run(
    mvn,
    ['-B', '-q', '-f', join(packageRoot(), 'infra', 'kafka', 'pom.xml'), 'dependency:copy-dependencies', `-Dkafka.version=${version}`, '-DincludeScope=runtime', `-DoutputDirectory=${dir}`],
    packageRoot(),
    `fetching Apache Kafka ${version}`,
  );
  if (!readdirSync(dir).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new VigilError('VIGIL_STACK_FETCH_FAILED', `fetching Apache Kafka ${version}: no kafka_2.13 jar arrived in ${dir}`);
  }
  writeFileSync(join(dir, DONE), new Date().toISOString());
  return dir;
}

/** The unpacked Apicurio Registry distribution for `version`, fetched on first use. */
export async function ensureRegistry(mvn: string, downloads: string, version: string): Promise<string> {
  const dir = join(downloads, `apicurio-registry-${version}`);
  if (existsSync(join(dir, DONE))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const artifact = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
  await run(mvn, ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${dir}`], dir, `fetching Apicurio Registry ${version}`);
  const archive = readdirSync(dir).find((f) => f.endsWith('.tar.gz'));
  if (!archive) throw new VigilError('VIGIL_STACK_FETCH_FAILED', `fetching Apicurio Registry ${version}: no archive arrived in ${dir}`);
  await run('tar', ['-xzf', archive], dir, `unpacking ${archive}`);
  rmSync(join(dir, archive));
  registryJar(dir);
  writeFileSync(join(dir, DONE), new Date().toISOString());
  return dir;
}

/** 3.1+ ships the Quarkus fast-jar layout (`quarkus-run.jar`); 3.0 an uber `*-runner.jar`. */
export function registryJar(dir: string): string {
  if (existsSync(join(dir, 'quarkus-run.jar'))) return join(dir, 'quarkus-run.jar');
  const runner = readdirSync(dir).find((f) => f.endsWith('-runner.jar'));
  if (!runner) throw new VigilError('VIGIL_STACK_FETCH_FAILED', `no runnable jar (quarkus-run.jar or *-runner.jar) in ${dir}`);
  return join(dir, runner);
}
