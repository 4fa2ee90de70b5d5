/**
 * The same stack from container images, for machines where a Docker engine runs and Java or Maven
 * do not: `docker compose` over the project's docker-compose.yml, same ports, same defaults.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { VigilError } from '../errors.js';
import { packageRoot } from './paths.js';

/** True when a Docker engine answers (the client alone is not enough). */
export function dockerEngineRuns(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  return !result.error && result.status === 0 && result.stdout.trim().length > 0;
}

function compose(args: readonly string[], timeoutMs: number): string {
  const file = join(packageRoot(), 'docker-compose.yml');
  const result = spawnSync('docker', ['compose', '-f', file, '-p', 'vigil', ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (result.error || result.status !== 0) {
    throw new VigilError('VIGIL_STACK_START_TIMEOUT', `docker compose ${args.join(' ')} failed: ${(result.stderr || String(result.error)).slice(-1500)}`);
  }
  return result.stdout;
}

export function dockerUp(fresh: boolean, timeoutMs: number): void {
  if (fresh) compose(['down', '-v'], timeoutMs);
  compose(['up', '-d', '--wait', '--wait-timeout', String(Math.ceil(timeoutMs / 1000))], timeoutMs + 10_000);
}

export function dockerDown(): void {
  compose(['down', '-v'], 120_000);
}
