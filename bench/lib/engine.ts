/**
 * The engine under test, two ways behind one handle:
 *
 * - in process: `new Engine(...)` (listen: false), its metrics read from its own registry;
 * - as a child process: `node bin/vigil.js run` (the compiled engine in dist/, as deployed), its
 *   metrics scraped from /metrics and its memory and CPU read from /proc/<pid>, so the benchmark's own
 *   producer and readers are not counted against it.
 *
 * Either way its log lines are shortened onto stderr and its recent errors kept for the report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../../src/config/index.js';
import { findPackageRoot } from '../../src/contracts/schemas.js';
import { Engine } from '../../src/engine.js';
import { keyIdOf, type AuditKey } from '../../src/security/audit-key.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { rssBytes, type BenchStack } from './stack.js';
import { sleep } from './stats.js';

export interface EngineShape {
  /** Events per tumbling window. */
  readonly windowEvents: number;
  /** Events in each model version's reference. */
  readonly referenceEvents: number;
  /** Pool threads; 0 lets the engine choose (cores - 1). */
  readonly poolThreads: number;
  /** K of the rollback policy. */
  readonly consecutiveCriticalWindows?: number;
  /** engine.fetchMaxBytesPerPartition; the engine's default when absent. */
  readonly fetchBytes?: number;
  /** engine.fastRecordDecoding; the engine's default when absent. */
  readonly fastRecords?: boolean;
}

/** The `vigil.yaml` document of a benchmark engine: PSI on (the default), count windows. */
export function engineDocument(groupId: string, shape: EngineShape): Record<string, unknown> {
  return {
    engine: {
      groupId,
      // Windows close by count; the time bound is far beyond any run's event time.
      windows: { count: shape.windowEvents, timeMs: 7 * 24 * 3_600_000 },
      reference: { events: shape.referenceEvents },
      pool: { threads: shape.poolThreads, maxQueue: 0 },
      ...(shape.fetchBytes === undefined ? {} : { fetchMaxBytesPerPartition: shape.fetchBytes }),
      ...(shape.fastRecords === undefined ? {} : { fastRecordDecoding: shape.fastRecords }),
    },
    detectors: { psi: { enabled: true } },
    ...(shape.consecutiveCriticalWindows === undefined ? {} : { policy: { rollback: { consecutiveCriticalWindows: shape.consecutiveCriticalWindows } } }),
  };
}

export function auditKey(): AuditKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/**
 * Where an engine's log goes: each line shortened to level, message and error message on stderr
 * (kafkajs stacks are long), and the last errors kept for the scenario's report.
 */
export class EngineLog {
  readonly errors: string[] = [];
  readonly stream: NodeJS.WritableStream;
  #pending = '';

  constructor(readonly label: string) {
    this.stream = { write: (chunk: unknown) => this.write(String(chunk)) } as unknown as NodeJS.WritableStream;
  }

  write(text: string): boolean {
    this.#pending += text;
    let newline: number;
    while ((newline = this.#pending.indexOf('\n')) >= 0) {
      const line = this.#pending.slice(0, newline);
      this.#pending = this.#pending.slice(newline + 1);
      if (line.trim() === '') continue;
      let short = line;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        short = `${entry.level ?? '?'} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
        if ((entry.level ?? 0) >= 50) {
          this.errors.push(short.slice(0, 500));
          if (this.errors.length > 20) this.errors.shift();
        }
      } catch {
        // not JSON (the CLI's own lines): keep it as it is
      }
      process.stderr.write(`[${this.label} engine] ${short.slice(0, 300)}\n`);
    }
    return true;
  }
}

/**
 * Prometheus text exposition → total per metric name (label sets summed), and each series under its
 * full name as exposed (`vigil_transactions_total{outcome="committed"}`).
 */
export function parseMetrics(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^(([A-Za-z_:][A-Za-z0-9_:]*)(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    totals.set(match[2]!, (totals.get(match[2]!) ?? 0) + value);
    if (match[1] !== match[2]) totals.set(match[1]!, value);
  }
  return totals;
}

/** Sum over label sets of a prom-client metric (counter or gauge). */
export async function metricTotal(metric: { get(): Promise<{ values: readonly { value: number }[] }> | { values: readonly { value: number }[] } }): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((n, v) => n + v.value, 0);
}

/** The engine under test, wherever it runs. */
export interface EngineHandle {
  readonly mode: 'child' | 'in-process';
  /** The process the engine runs in (this one when in process). */
  readonly pid: number;
  readonly log: EngineLog;
  /** Its metrics, totalled per metric name. */
  metrics(): Promise<Map<string, number>>;
  /** Records committed (vigil_events_consumed_total). */
  consumed(): Promise<number>;
  /** Drains and stops; idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly mode: 'child' | 'in-process';
  readonly label: string;
  /** Child only: node flags before the script (e.g. --cpu-prof --cpu-prof-dir=DIR). */
  readonly nodeArgs?: readonly string[];
  /** In process only: partitions processed at once (default: the pool's thread count). */
  readonly concurrency?: number;
}

export async function startEngine(stack: BenchStack, document: Record<string, unknown>, options: StartOptions): Promise<EngineHandle> {
  return options.mode === 'child' ? ChildEngine.start(stack, document, options) : InProcessEngine.start(stack, document, options);
}

export class InProcessEngine implements EngineHandle {
  readonly mode = 'in-process' as const;
  readonly pid = process.pid;
  readonly log: EngineLog;
  readonly engine: Engine;
  #stopped: Promise<void> | undefined;

  private constructor(engine: Engine, log: EngineLog) {
    this.engine = engine;
    this.log = log;
  }

  /** Builds and starts it; resolves once it has joined its group. */
  static async start(stack: BenchStack, document: Record<string, unknown>, options: Omit<StartOptions, 'mode'>): Promise<InProcessEngine> {
    const log = new EngineLog(options.label);
    const engine = new Engine({
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      config: buildConfig(document, 'bench'),
      infra: { brokers: stack.brokers, registryUrl: stack.registryUrl, topicPrefix: stack.prefix, httpHost: '127.0.0.1', httpPort: 0 },
      auditKey: auditKey(),
      listen: false,
      logger: createLogger({ destination: log.stream }),
    });
    const handle = new InProcessEngine(engine, log);
    try {
      await engine.start();
    } catch (error) {
      await handle.stop();
      throw error;
    }
    return handle;
  }

  async metrics(): Promise<Map<string, number>> {
    return parseMetrics(await this.engine.metrics.registry.metrics());
  }

  consumed(): Promise<number> {
    return metricTotal(this.engine.metrics.consumed);
  }

  stop(): Promise<void> {
    this.#stopped ??= this.engine.stop();
    return this.#stopped;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `node bin/vigil.js run` on the run's topics, with its own config file, key and admin port. */
export class ChildEngine implements EngineHandle {
  readonly mode = 'child' as const;
  readonly pid: number;
  readonly port: number;
  readonly log: EngineLog;
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(child: ChildProcess, port: number, dir: string, log: EngineLog) {
    this.#child = child;
    this.pid = child.pid!;
    this.port = port;
    this.#dir = dir;
    this.log = log;
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve({ code, signal });
      }),
    );
    // Never outlive the benchmark, even when it dies without cleaning up.
    const kill = (): void => {
      if (this.#exit === undefined) child.kill('SIGKILL');
    };
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk.toString('utf8')));
  }

  /** Starts the child and waits until /readyz answers 200 (it has joined its group). */
  static async start(stack: BenchStack, document: Record<string, unknown>, options: Omit<StartOptions, 'mode'>): Promise<ChildEngine> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
    const configFile = join(dir, 'vigil.yaml');
    writeFileSync(configFile, `${JSON.stringify(document, null, 2)}\n`); // JSON is YAML
    const keyFile = join(dir, 'audit-ed25519.pem');
    writeFileSync(keyFile, auditKey().privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const port = await freePort();
    const root = findPackageRoot();
    // VIGIL_BENCH_NODE_ARGS: space-separated node options for the child of any scenario, e.g.
    // "--cpu-prof --cpu-prof-dir=DIR" for CPU profiles of its main thread and of each pool thread.
    const envArgs = (process.env['VIGIL_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...envArgs, ...(options.nodeArgs ?? []), join(root, 'bin', 'vigil.js'), 'run', '--config', configFile], {
      cwd: dir,
      env: {
        ...process.env,
        VIGIL_BROKERS: stack.brokers.join(','),
        VIGIL_SCHEMA_REGISTRY_URL: stack.registryUrl,
        VIGIL_TOPIC_PREFIX: stack.prefix,
        VIGIL_HTTP_HOST: '127.0.0.1',
        VIGIL_HTTP_PORT: String(port),
        VIGIL_AUDIT_KEY_FILE: keyFile,
        VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const engine = new ChildEngine(child, port, dir, new EngineLog(options.label));
    const deadline = performance.now() + 120_000;
    for (;;) {
      if (engine.#exit !== undefined) {
        await engine.stop();
        throw new Error(`the engine child exited during start-up (${JSON.stringify(engine.#exit)}); last errors: ${engine.log.errors.join(' | ') || 'none logged'}`);
      }
      const status = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.status)
        .catch(() => 0);
      if (status === 200) return engine;
      if (performance.now() > deadline) {
        await engine.stop();
        throw new Error('the engine child did not become ready within 120 s');
      }
      // The engine is ready once its consumer has joined, and starts work then: the scenarios time
      // it from here, so this must not lag behind much.
      await sleep(10);
    }
  }

  async metrics(): Promise<Map<string, number>> {
    const response = await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parseMetrics(await response.text());
  }

  async consumed(): Promise<number> {
    return (await this.metrics()).get('vigil_events_consumed_total') ?? 0;
  }

  rss(): number | undefined {
    return rssBytes(this.pid);
  }

  /** How it exited, once it has. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#exit;
  }

  /** SIGTERM (the engine drains and commits), SIGKILL after 20 s; removes its temporary folder. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.#exit === undefined) this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 20_000);
      await this.#exited;
      clearTimeout(timer);
      rmSync(this.#dir, { recursive: true, force: true });
    })();
    return this.#stopped;
  }
}

/** The engine's `vigil_pool_utilization` (a share of thread time, 0..1), rounded for the report. */
export function poolUtilization(raw: number): number {
  return Math.round(raw * 1000) / 1000;
}

/** Mean of a histogram from totalled metrics (`<name>_sum / <name>_count`). */
export function histogramMean(metrics: Map<string, number>, name: string): number {
  const count = metrics.get(`${name}_count`) ?? 0;
  return count > 0 ? (metrics.get(`${name}_sum`) ?? 0) / count : Number.NaN;
}
