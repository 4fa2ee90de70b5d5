/**
 * The runtime environment of a deployment, captured from the process it runs in. The sources (os
 * facts, environment variables, command runner) are injected so that tests see a fixed machine.
 */
import { spawnSync } from 'node:child_process';
import { arch, cpus, platform, release, totalmem, type } from 'node:os';
import type { RuntimeEnvironment } from './types.js';

export interface EnvironmentSources {
  readonly os: () => { platform: string; release: string; type: string; arch: string; cpuModel: string; cpuCount: number; memoryBytes: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly nodeVersion: string;
  /** Runs a command, returns its trimmed standard output or null when it fails (used for python and git). */
  readonly exec: (command: string, args: readonly string[], cwd: string) => string | null;
  readonly cwd: string;
}

export const processSources = (): EnvironmentSources => ({
  os: () => {
    const list = cpus();
    return { platform: platform(), release: release(), type: type(), arch: arch(), cpuModel: list[0]?.model.trim() ?? '', cpuCount: list.length, memoryBytes: totalmem() };
  },
  env: process.env,
  nodeVersion: process.versions.node,
  exec: (command, args, cwd) => {
    const r = spawnSync(command, [...args], { cwd, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error !== undefined || r.status !== 0) return null;
    return `${r.stdout}${r.stderr}`.trim();
  },
  cwd: process.cwd(),
});

export interface EnvironmentOptions {
  readonly containerImageDigest?: string;
  readonly gitCommit?: string;
  /** Extra runtimes given by the operator (`python=3.11.9`); they win over detected ones. */
  readonly runtimes?: Readonly<Record<string, string>>;
  /** Only variable names starting with one of these are recorded (default: every name). */
  readonly envPrefixes?: readonly string[];
}

export function captureEnvironment(sources: EnvironmentSources, options: EnvironmentOptions = {}): RuntimeEnvironment {
  const os = sources.os();
  const runtimes: Record<string, string> = { node: sources.nodeVersion };
  const python = sources.exec('python3', ['--version'], sources.cwd);
  const pyVersion = python === null ? null : /Python\s+(\d+\.\d+(?:\.\d+)?\S*)/.exec(python)?.[1];
  if (pyVersion) runtimes.python = pyVersion;
  Object.assign(runtimes, options.runtimes ?? {});
  const git = options.gitCommit ?? sources.exec('git', ['rev-parse', 'HEAD'], sources.cwd);
  const gitCommit = git !== null && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(git) ? git : null;
  const prefixes = options.envPrefixes ?? [];
  const envVarNames = Object.keys(sources.env)
    .filter((name) => /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/.test(name))
    .filter((name) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p)))
    .sort();
  return {
    os: { platform: os.platform, release: os.release, type: os.type },
    arch: os.arch,
    cpuModel: os.cpuModel,
    cpuCount: os.cpuCount,
    memoryBytes: os.memoryBytes,
    runtimes,
    containerImageDigest: options.containerImageDigest ?? null,
    gitCommit,
    envVarNames,
  };
}
