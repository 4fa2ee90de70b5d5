/**
 * `vigil run` as a child process, for tests that need what an in-process engine cannot give: a real
 * `kill -9`, a real SIGTERM with its exit code, two engines in one consumer group. The child runs the
 * compiled code (`npm run build` first) against the stack the tests use, with its own topic prefix,
 * an ephemeral admin port and the audit key the test wrote; its stderr is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stack } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));
/** What `vigil run` prints once it has joined its group and listens (src/cli/run.ts). */
const RUNNING = /engine running .*metrics at (http:\/\/[^\s]+)\/metrics/;
const STDERR_LIMIT = 256 * 1024;

export interface EngineProcessOptions {
  readonly configFile: string;
  readonly topicPrefix: string;
  readonly auditKeyFile: string;
  /** 0 (the default) lets the OS pick; the port in use is read from the start-up line. */
  readonly httpPort?: number;
  /** Shown in failure messages, to tell instances apart. */
  readonly label?: string;
  readonly startTimeoutMs?: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the signal (or `stop()`) to the exit. */
  readonly ms: number;
}

const running = new Set<EngineProcess>();

export class EngineProcess {
  readonly label: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<Exit>;
  #stderr = '';
  #baseUrl: string | undefined;
  #signalledAt = 0;
  #exit: Exit | undefined;

  private constructor(options: EngineProcessOptions) {
    this.label = options.label ?? options.topicPrefix;
    const { brokers, registryUrl } = stack();
    this.#child = spawn(process.execPath, [BIN, 'run', '--config', options.configFile], {
      cwd: ROOT,
      env: {
        ...process.env,
        VIGIL_BROKERS: brokers.join(','),
        VIGIL_SCHEMA_REGISTRY_URL: registryUrl,
        VIGIL_TOPIC_PREFIX: options.topicPrefix,
        VIGIL_HTTP_HOST: '127.0.0.1',
        VIGIL_HTTP_PORT: String(options.httpPort ?? 0),
        VIGIL_AUDIT_KEY_FILE: options.auditKeyFile,
        VIGIL_LOG_LEVEL: 'warn',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (chunk: string) => {
      // Keep the start and the most recent output: enough to tell what went wrong, never unbounded.
      this.#stderr = this.#stderr.length + chunk.length > STDERR_LIMIT ? `${this.#stderr.slice(0, STDERR_LIMIT / 2)}\n[…]\n${chunk}` : this.#stderr + chunk;
    });
    this.#exited = new Promise<Exit>((resolve) => {
      this.#child.once('exit', (code, signal) => {
        running.delete(this);
        this.#exit = { code, signal, ms: this.#signalledAt > 0 ? Date.now() - this.#signalledAt : 0 };
        resolve(this.#exit);
      });
    });
    running.add(this);
  }

  /** Spawns `vigil run` and resolves once the engine has joined its group and serves /metrics. */
  static async start(options: EngineProcessOptions): Promise<EngineProcess> {
    const engine = new EngineProcess(options);
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    while (engine.#baseUrl === undefined) {
      const match = RUNNING.exec(engine.#stderr);
      if (match) {
        engine.#baseUrl = match[1];
        break;
      }
      if (engine.#exit) throw new Error(`${engine.label}: vigil run exited during start-up (${describeExit(engine.#exit)})\n${engine.#stderr}`);
      if (Date.now() > deadline) {
        engine.kill('SIGKILL');
        throw new Error(`${engine.label}: vigil run did not report running within ${timeoutMs} ms\n${engine.#stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return engine;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The exit, once the process has exited. */
  get exit(): Exit | undefined {
    return this.#exit;
  }

  /** The Prometheus text of the engine's /metrics. */
  async metrics(): Promise<string> {
    const response = await fetch(`${this.#baseUrl!}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${this.label}: /metrics answered ${response.status}`);
    return response.text();
  }

  /** `vigil_events_consumed_total` summed over topics: records whose batch has been committed. */
  async consumed(): Promise<number> {
    let total = 0;
    for (const line of (await this.metrics()).split('\n')) {
      const match = /^vigil_events_consumed_total(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (match) total += Number(match[1]);
    }
    return total;
  }

  /** Sends a signal (no-op once exited); the exit's `ms` counts from the first signal sent. */
  kill(signal: NodeJS.Signals): void {
    if (this.#exit) return;
    if (this.#signalledAt === 0) this.#signalledAt = Date.now();
    this.#child.kill(signal);
  }

  /** Waits for the exit; rejects after `timeoutMs` without killing the process. */
  async exited(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.label}: still running ${timeoutMs} ms after the signal\n${this.#stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then the exit (the engine promises to drain and exit within 10 s). */
  async stop(timeoutMs = 15_000): Promise<Exit> {
    this.kill('SIGTERM');
    return this.exited(timeoutMs);
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** SIGKILLs every child still running (a failed test's leftovers) and waits for them to go. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const engine of left) engine.kill('SIGKILL');
  await Promise.all(left.map((engine) => engine.exited(10_000).catch(() => undefined)));
}
