/** Finds the Java runtimes and the Maven binary the local stack needs. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../errors.js';

export interface JavaRuntime {
  readonly bin: string;
  readonly major: number;
  readonly version: string;
  /** Found through JAVA_HOME or PATH rather than by searching install folders. */
  readonly isDefault: boolean;
}

/** Parses the first line of `java -version` (it prints to stderr): `openjdk version "17.0.15" ...`. */
export function parseJavaVersion(text: string): { major: number; version: string } | undefined {
  const match = /version "([^"]+)"/.exec(text);
  if (!match || match[1] === undefined) return undefined;
  const version = match[1];
  const parts = version.split(/[._-]/);
  const first = Number(parts[0]);
  // Java 8 and older report "1.8.0_x".
  const major = first === 1 ? Number(parts[1]) : first;
  return Number.isFinite(major) ? { major, version } : undefined;
}

function probeJava(bin: string, isDefault: boolean): JavaRuntime | undefined {
  const result = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error || result.status !== 0) return undefined;
  const parsed = parseJavaVersion(`${result.stderr}\n${result.stdout}`);
  return parsed ? { bin, isDefault, ...parsed } : undefined;
}

/** Every Java runtime we can find: JAVA_HOME, `java` on PATH, then the usual install folders. */
export function findJavaRuntimes(env: NodeJS.ProcessEnv = process.env): JavaRuntime[] {
  const defaults = [...(env.JAVA_HOME ? [join(env.JAVA_HOME, 'bin', 'java')] : []), 'java'];
  const candidates: string[] = [...defaults];
  for (const base of ['/usr/lib/jvm', '/usr/local/lib/jvm', '/opt/java', '/Library/Java/JavaVirtualMachines']) {
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base)) {
      for (const bin of [join(base, entry, 'bin', 'java'), join(base, entry, 'Contents', 'Home', 'bin', 'java')]) {
        if (existsSync(bin)) candidates.push(bin);
      }
    }
  }
  const seen = new Set<string>();
  const runtimes: JavaRuntime[] = [];
  for (const bin of candidates) {
    if (seen.has(bin)) continue;
    seen.add(bin);
    const runtime = probeJava(bin, defaults.includes(bin));
    if (runtime) runtimes.push(runtime);
  }
  return runtimes;
}

/**
 * The runtime for the broker: the default one (JAVA_HOME or PATH) when it is 17 or newer, otherwise
 * the oldest found that is 17 or newer (Kafka 3.9 is tested on 17 and 21).
 */
export function javaForKafka(runtimes: readonly JavaRuntime[]): JavaRuntime {
  const usable = runtimes.filter((r) => r.major >= 17);
  const chosen = usable.find((r) => r.isDefault) ?? [...usable].sort((a, b) => a.major - b.major)[0];
  if (!chosen) {
    const found = runtimes.map((r) => `${r.version} (${r.bin})`).join(', ') || 'none';
    throw new VigilError(
      'VIGIL_STACK_JAVA_MISSING',
      `the local stack needs Java 17 or newer; found: ${found}. Install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME, or run the stack with Docker (docker compose up -d).`,
    );
  }
  return chosen;
}

/** The newest runtime at or above `minMajor`, if any. */
export function newestJava(runtimes: readonly JavaRuntime[], minMajor: number): JavaRuntime | undefined {
  return [...runtimes].filter((r) => r.major >= minMajor).sort((a, b) => b.major - a.major)[0];
}

export function findMaven(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.VIGIL_MVN, env.MAVEN_HOME ? join(env.MAVEN_HOME, 'bin', 'mvn') : undefined, 'mvn'];
  for (const bin of candidates) {
    if (!bin) continue;
    const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (!result.error && result.status === 0) return bin;
  }
  throw new VigilError(
    'VIGIL_STACK_MAVEN_MISSING',
    'the local stack fetches Kafka and the schema registry with Maven, and `mvn` was not found. Install Maven 3.6+ (e.g. apt-get install maven) or set VIGIL_MVN, or run the stack with Docker (docker compose up -d).',
  );
}
