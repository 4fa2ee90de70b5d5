/**
 * `vigil demo` as a user runs it: the compiled command (`npm run build` first) as a child process,
 * against the stack the tests use, with its own topic prefix and metrics port. It must show a DRIFT
 * alert and a rollback command, stop cleanly on Ctrl-C (SIGINT) with exit 0 and a summary, and a
 * second run on the same topics must work just the same (its own events, alerts and command).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/stack/processes.js';
import { stack, uniquePrefix } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/vigil.js');
const ARGS = ['demo', '--events', '8000', '--drift-at', '3000', '--rate', '4000'];

const DRIFT_ALERT = /^\d\d:\d\d:\d\d {2}ALERT (CRITICAL|WARNING) +DRIFT {2}credit-risk@(\S+) {2}psi f0\d = [\d.]+ ≥ [\d.]+ {2}window /m;
const ROLLBACK = /^\d\d:\d\d:\d\d {2}ROLLBACK credit-risk (\S+) → 1\.0\.0 {2}\(issued by policy:rollback, cites \d+ alerts?\)\n {10}reason: .+/m;
const SUMMARY = /^vigil demo: stopped\. ([\d,]+) events produced, ([\d,]+) consumed by the engine, ([\d,]+) alerts? .*, (\d+) rollback commands?\.$/m;

class Demo {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout = '';
  stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...ARGS], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve((this.#exit = { code, signal }))));
  }

  get output(): string {
    return `--- stdout ---\n${this.stdout.slice(-6000)}\n--- stderr ---\n${this.stderr.slice(-3000)}`;
  }

  /** Polls stdout until every pattern matches; fails (with the output) if the process exits or time runs out. */
  async waitFor(patterns: readonly RegExp[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!patterns.every((p) => p.test(this.stdout))) {
      if (this.#exit) throw new Error(`vigil demo exited early (${JSON.stringify(this.#exit)})\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${patterns.filter((p) => !p.test(this.stdout)).join(', ')}\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`vigil demo still running ${timeoutMs} ms after SIGINT\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.#exit === undefined) this.child.kill('SIGKILL');
  }
}

describe('vigil demo, as a child process', () => {
  const prefix = uniquePrefix('demo');
  const started: Demo[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const compiled = join(ROOT, 'dist/src/cli/demo.js');
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(join(ROOT, 'src/cli/demo.ts')).mtimeMs) {
      throw new Error('dist/ is missing or older than src/cli/demo.ts: run `npm run build` first (npm test does)');
    }
    const keyFile = join(mkdtempSync(join(tmpdir(), 'vigil-demo-test-')), 'audit.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const { brokers, registryUrl } = stack();
    env = {
      ...process.env,
      VIGIL_BROKERS: brokers.join(','),
      VIGIL_SCHEMA_REGISTRY_URL: registryUrl,
      VIGIL_TOPIC_PREFIX: prefix,
      VIGIL_HTTP_HOST: '127.0.0.1',
      VIGIL_AUDIT_KEY_FILE: keyFile,
    };
  });

  afterAll(async () => {
    for (const demo of started) demo.kill();
    await Promise.all(started.map((d) => d.exited));
  });

  const runOnce = async (): Promise<{ version: string; stdout: string }> => {
    const port = await freePort();
    const demo = new Demo({ ...env, VIGIL_HTTP_PORT: String(port) });
    started.push(demo);
    try {
      await demo.waitFor([DRIFT_ALERT, ROLLBACK], 90_000);
    } catch (error) {
      demo.kill();
      await demo.exited;
      throw error;
    }
    const version = DRIFT_ALERT.exec(demo.stdout)![2]!;

    // What it said about where to look holds: the topics carry the prefix, metrics answer on the port.
    expect(demo.stdout).toContain(`${prefix}alerts`);
    expect(demo.stdout).toContain(`${prefix}rollback`);
    expect(demo.stdout).toContain(`${prefix}audit`);
    expect(demo.stdout).toContain(`${prefix}dlq`);
    expect(demo.stdout).toContain(`http://127.0.0.1:${port}/metrics`);
    expect(demo.stdout).toContain('npx vigil stack status');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(metrics).toMatch(new RegExp(`vigil_events_consumed_total\\{topic="${prefix.replace(/\./g, '\\.')}inference"\\} [1-9]`));

    // The command concerns the version the alerts were about, and goes back to the approved one.
    expect(ROLLBACK.exec(demo.stdout)![1]).toBe(version);

    demo.child.kill('SIGINT');
    const exit = await demo.exit(10_000);
    expect(exit, demo.output).toEqual({ code: 0, signal: null });
    const summary = SUMMARY.exec(demo.stdout);
    expect(summary, demo.output).not.toBeNull();
    expect(Number(summary![3]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    expect(summary![4]).toBe('1');
    expect(demo.stdout).toContain('The stack keeps running');
    return { version, stdout: demo.stdout };
  };

  it('shows a DRIFT alert and the rollback command, and stops on SIGINT with exit 0 and a summary', async () => {
    const { version } = await runOnce();
    expect(version).toMatch(/^1\.1\.0\+/);
  });

  it('runs again on the same topics: its own build, alerts and command, not swallowed as duplicates', async () => {
    const first = DRIFT_ALERT.exec(started[0]!.stdout)?.[2];
    const { version, stdout } = await runOnce();
    expect(version).not.toBe(first);
    // Nothing of the first run is shown as this run's.
    expect(stdout).not.toContain(`@${first}`);
  });
});
