/**
 * The real stack for end-to-end benchmarks: where it is, a unique topic prefix per run, the contract's
 * topics under that prefix (deleted again at the end), a fast plain producer, and process CPU/RSS
 * readings from /proc (for the engine child and the broker).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka, Message, Producer } from 'kafkajs';
import { infraFromEnv } from '../../src/config/infra.js';
import { kafkaClient } from '../../src/pipeline/sink/kafka.js';
import { ensureTopics, probeKafka } from '../../src/pipeline/sink/topics.js';
import { stackPaths } from '../../src/stack/paths.js';
import { boolEnv } from './env.js';

export interface BenchStack {
  readonly brokers: string[];
  readonly registryUrl: string;
  /** Unique to this run: `bench.<label>.<time><random>.` */
  readonly prefix: string;
  readonly kafka: Kafka;
}

/**
 * The broker and registry at VIGIL_BROKERS / VIGIL_SCHEMA_REGISTRY_URL (or the defaults), checked to
 * answer; the scenario fails with a clear line if they do not (`node bin/vigil.js stack up`).
 */
export async function benchStack(label: string): Promise<BenchStack> {
  const infra = infraFromEnv();
  const brokers = [...infra.brokers];
  try {
    await probeKafka(brokers);
  } catch (error) {
    throw new Error(`Kafka at ${brokers.join(',')} does not answer (${String(error)}); start the stack: node bin/vigil.js stack up`);
  }
  const response = await fetch(`${infra.registryUrl}/subjects`, { signal: AbortSignal.timeout(5000) }).catch((error: unknown) => error);
  if (!(response instanceof Response) || !response.ok) {
    throw new Error(`the schema registry at ${infra.registryUrl} does not answer; start the stack: node bin/vigil.js stack up`);
  }
  const prefix = `bench.${label}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
  return { brokers, registryUrl: infra.registryUrl, prefix, kafka: kafkaClient({ brokers, clientId: `vigil-bench-${label}` }) };
}

/** Every topic of the contract under the run's prefix, the scaled ones with `partitions`. */
export async function createTopics(stack: BenchStack, partitions: number): Promise<void> {
  const outcomes = await ensureTopics(stack.brokers, stack.prefix, partitions);
  const bad = outcomes.filter((o) => o.action === 'misconfigured');
  if (bad.length > 0) throw new Error(`topics misconfigured: ${bad.map((o) => `${o.topic} ${o.problems.join('; ')}`).join(', ')}`);
}

/** Deletes the run's topics unless VIGIL_BENCH_KEEP_TOPICS=1 (then they are listed for a look). */
export async function dropTopics(stack: BenchStack): Promise<{ deleted: string[]; kept: boolean }> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.prefix));
    if (boolEnv('VIGIL_BENCH_KEEP_TOPICS', false)) return { deleted: [], kept: true };
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    return { deleted: topics, kept: false };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Sum over partitions of the high watermark (the number of records, for a fresh topic). */
export async function topicEnd(stack: BenchStack, topic: string): Promise<number> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Committed offsets of `groupId` on `topic`, summed (partitions without a commit count 0). */
export async function committedTotal(stack: BenchStack, groupId: string, topic: string): Promise<number> {
  const probe = await committedProbe(stack, groupId, topic);
  try {
    return await probe.read();
  } finally {
    await probe.close();
  }
}

/**
 * The group's committed offsets summed over `topic`'s partitions, read as often as asked through one
 * admin connection: how far an engine in another process has committed, without asking the engine
 * itself (a /metrics scrape every few milliseconds would cost the engine what it measures).
 */
export async function committedProbe(stack: BenchStack, groupId: string, topic: string): Promise<{ read(): Promise<number>; close(): Promise<void> }> {
  const admin = stack.kafka.admin();
  await admin.connect();
  return {
    async read() {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (entry?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    },
    close: () => admin.disconnect().catch(() => undefined),
  };
}

/**
 * A producer tuned for loading data, as a model-server fleet would: not idempotent, no compression,
 * acks -1, several requests in flight. Use `sendPipelined` for bulk loads.
 */
export async function fastProducer(stack: BenchStack): Promise<Producer> {
  const producer = stack.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await producer.connect();
  return producer;
}

/**
 * Sends `messages` in requests of `batch` records with up to `inFlight` requests outstanding; the
 * default partitioner (or each message's own `partition`) places them. With more than one in flight
 * kafkajs may write whole requests out of order.
 */
export async function sendPipelined(producer: Producer, topic: string, messages: readonly Message[], batch = 2000, inFlight = 1): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  for (let i = 0; i < messages.length; i += batch) {
    const request = producer.send({ topic, acks: -1, messages: messages.slice(i, i + batch) });
    pending.add(request);
    void request.finally(() => pending.delete(request)).catch(() => undefined);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
}

// ---- /proc readings -------------------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ on Linux (getconf CLK_TCK); /proc/<pid>/stat counts in these.

/** User + system CPU seconds of a process so far, or undefined when /proc does not have it. */
export function cpuSeconds(pid: number): number | undefined {
  return cpuSecondsOf(`/proc/${pid}/stat`);
}

function cpuSecondsOf(file: string): number | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process split by thread: its main thread (tid = pid: the event loop) and all other
 * threads together (worker threads of the pool, V8's GC and compiler helpers, libuv's pool).
 */
export function threadCpuSeconds(pid: number): { main: number; others: number } | undefined {
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const seconds = cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`) ?? 0;
      if (Number(tid) === pid) main += seconds;
      else others += seconds;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status), or undefined. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The local stack's broker pid (from its pid file), when the stack is the local one. */
export function brokerPid(): number | undefined {
  const file = join(stackPaths().run, 'kafka.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && cpuSeconds(pid) !== undefined ? pid : undefined;
}

/** CPU use of some processes over an interval, in cores (CPU seconds per wall second). */
export class CpuMeter {
  readonly #pids: Record<string, number>;
  readonly #start = new Map<string, number>();
  #wallStart = 0;
  #selfStart: NodeJS.CpuUsage = process.cpuUsage();
  #threadsStart = new Map<string, { main: number; others: number } | undefined>();

  readonly #split: readonly string[];

  /** `split`: the names (`self` for this process) whose CPU is also reported by thread. */
  constructor(pids: Record<string, number | undefined>, split: readonly string[] = ['self']) {
    this.#split = split;
    this.#pids = Object.fromEntries(Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined));
  }

  start(): this {
    this.#wallStart = performance.now();
    this.#selfStart = process.cpuUsage();
    for (const [name, pid] of Object.entries(this.#pids)) this.#start.set(name, cpuSeconds(pid) ?? Number.NaN);
    for (const [name, pid] of this.#splitPids()) this.#threadsStart.set(name, threadCpuSeconds(pid));
    return this;
  }

  /**
   * Cores used since `start()`: `self` is this process (all its threads), others by name; each also
   * split into `<name>.mainThread` (the event loop) and `<name>.otherThreads` (pool workers, GC, ...).
   */
  stop(): Record<string, number> {
    const wall = (performance.now() - this.#wallStart) / 1000;
    const cores = (seconds: number): number => Math.round((seconds / wall) * 100) / 100;
    const self = process.cpuUsage(this.#selfStart);
    const out: Record<string, number> = { self: cores((self.user + self.system) / 1e6) };
    for (const [name, pid] of Object.entries(this.#pids)) {
      out[name] = cores((cpuSeconds(pid) ?? Number.NaN) - (this.#start.get(name) ?? Number.NaN));
    }
    for (const [name, pid] of this.#splitPids()) {
      const before = this.#threadsStart.get(name);
      const after = threadCpuSeconds(pid);
      if (before === undefined || after === undefined) continue;
      out[`${name}.mainThread`] = cores(after.main - before.main);
      out[`${name}.otherThreads`] = cores(after.others - before.others);
    }
    return out;
  }

  #splitPids(): [string, number][] {
    const all: [string, number][] = [['self', process.pid], ...Object.entries(this.#pids)];
    return all.filter(([name]) => this.#split.includes(name));
  }
}
