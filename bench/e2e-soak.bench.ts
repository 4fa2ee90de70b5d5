/**
 * Memory over a long run at the maximum rate: a paced producer keeps producing at the engine's
 * maximum rate while the engine consumes; every few seconds the engine's RSS and heap are sampled.
 * After the warm-up, RSS should be flat: the report gives its least-squares slope (MiB/min) and its
 * max − min, and says whether the slope is under 1 MiB/min.
 *
 * The engine runs as a child process by default (`node bin/vigil.js run`, the compiled dist/ — run
 * `npm run build` first, as `npm run bench` does): RSS is read from /proc/<pid>/status and the heap
 * from its /metrics, so the producer in this process is not counted. VIGIL_BENCH_ENGINE=in-process
 * runs it here instead; RSS and heap then include the producer.
 *
 * The stream is stationary after each model's reference (PSI computed on every window, few alerts):
 * steady state. Lag (produced − committed) is sampled too: if it grows, the engine did not keep up
 * and the rate was above its maximum on this machine.
 *
 * Rate: VIGIL_BENCH_RATE, else VIGIL_BENCH_MAX_RATE, else `maxEventsPerSecond` of
 * bench/results/e2e-throughput.json, else 20,000. Knobs: VIGIL_BENCH_SECONDS (600),
 * VIGIL_BENCH_WARMUP_SECONDS (60; a quarter of the run when the run is shorter than twice that),
 * VIGIL_BENCH_SAMPLE_SECONDS (5), VIGIL_BENCH_MODELS (4), VIGIL_BENCH_PARTITIONS (2),
 * VIGIL_BENCH_FEATURES (32), VIGIL_BENCH_WINDOW (1000), VIGIL_BENCH_REFERENCE (1000),
 * VIGIL_BENCH_POOL_THREADS (0), VIGIL_BENCH_FLAT_MIB_PER_MIN (1), VIGIL_BENCH_KEEP_TOPICS (0).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './run.js';
import { Cleanup } from './lib/cleanup.js';
import { ChildEngine, engineDocument, histogramMean, poolUtilization, startEngine, type EngineHandle, type EngineShape } from './lib/engine.js';
import { choiceEnv, intEnv, numEnv, progress } from './lib/env.js';
import { InferenceStream } from './lib/events.js';
import { PacedProducer } from './lib/pacer.js';
import { CpuMeter, benchStack, brokerPid, createTopics, dropTopics, fastProducer, rssBytes } from './lib/stack.js';
import { MiB, round, sleep, slope } from './lib/stats.js';

const NAME = 'e2e-soak';
const FALLBACK_MAX_RATE = 20_000;

function chooseRate(): { rate: number; source: string } {
  const explicit = numEnv('VIGIL_BENCH_RATE', undefined);
  if (explicit !== undefined) return { rate: explicit, source: 'VIGIL_BENCH_RATE' };
  const max = numEnv('VIGIL_BENCH_MAX_RATE', undefined);
  if (max !== undefined) return { rate: max, source: 'VIGIL_BENCH_MAX_RATE' };
  const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'e2e-throughput.json');
  if (existsSync(file)) {
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as { ranAt?: string; results?: { maxEventsPerSecond?: number } };
      const measured = record.results?.maxEventsPerSecond;
      if (typeof measured === 'number' && measured > 0) return { rate: measured, source: `maxEventsPerSecond in bench/results/e2e-throughput.json (${record.ranAt ?? '?'})` };
    } catch {
      // unreadable: fall through
    }
  }
  return { rate: FALLBACK_MAX_RATE, source: `the fallback ${FALLBACK_MAX_RATE} (no e2e-throughput result)` };
}

interface Sample {
  /** Seconds since production started. */
  readonly t: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  readonly produced: number;
  readonly committed: number;
  readonly lag: number;
}

async function sample(engine: EngineHandle, t: number, produced: number): Promise<Sample> {
  const metrics = await engine.metrics();
  const committed = metrics.get('vigil_events_consumed_total') ?? 0;
  const mib = (bytes: number | undefined): number => round((bytes ?? Number.NaN) / MiB, 1);
  const rss = engine.mode === 'child' ? rssBytes(engine.pid) : process.memoryUsage().rss;
  return {
    t: round(t, 1),
    rssMiB: mib(rss),
    heapUsedMiB: mib(metrics.get('vigil_process_nodejs_heap_size_used_bytes')),
    heapTotalMiB: mib(metrics.get('vigil_process_nodejs_heap_size_total_bytes')),
    externalMiB: mib(metrics.get('vigil_process_nodejs_external_memory_bytes')),
    produced,
    committed,
    lag: produced - committed,
  };
}

/** Slope per minute of `pick` over the samples, and their spread. */
function trend(samples: readonly Sample[], pick: (s: Sample) => number): { slopePerMinute: number; min: number; max: number; maxMinusMin: number } {
  const values = samples.map(pick);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { slopePerMinute: round(slope(samples.map((s) => s.t / 60), values), 2), min, max, maxMinusMin: round(max - min, 1) };
}

const scenario: Scenario = {
  name: NAME,
  description: 'engine RSS and heap over a long run at the maximum rate: slope after warm-up (flat = under 1 MiB/min)',
  async run() {
    const { rate, source: rateSource } = chooseRate();
    const seconds = intEnv('VIGIL_BENCH_SECONDS', 600);
    const warmupAsked = intEnv('VIGIL_BENCH_WARMUP_SECONDS', 60, 0);
    const warmupSeconds = seconds >= 2 * warmupAsked ? warmupAsked : Math.round(seconds / 4);
    const sampleSeconds = intEnv('VIGIL_BENCH_SAMPLE_SECONDS', 5);
    const flatLimit = numEnv('VIGIL_BENCH_FLAT_MIB_PER_MIN', 1);
    const models = intEnv('VIGIL_BENCH_MODELS', 4);
    const partitions = intEnv('VIGIL_BENCH_PARTITIONS', 2);
    const features = intEnv('VIGIL_BENCH_FEATURES', 32);
    const mode = choiceEnv('VIGIL_BENCH_ENGINE', ['child', 'in-process'] as const, 'child');
    const shape: EngineShape = {
      windowEvents: intEnv('VIGIL_BENCH_WINDOW', 1000),
      referenceEvents: intEnv('VIGIL_BENCH_REFERENCE', 1000),
      poolThreads: intEnv('VIGIL_BENCH_POOL_THREADS', 0, 0),
    };

    const stack = await benchStack('soak');
    const cleanup = new Cleanup();
    let dropped = { kept: false };
    cleanup.add('delete the topics', async () => {
      dropped = await dropTopics(stack);
    });
    progress(NAME, `topics ${stack.prefix}*; ${Math.round(rate)} events/s for ${seconds} s (${rateSource}); engine ${mode}`);
    try {
      await createTopics(stack, partitions);
      const topic = `${stack.prefix}inference`;
      const stream = await InferenceStream.create(stack.registryUrl, topic, { models, partitions, features });
      const engine = await startEngine(stack, engineDocument(`${stack.prefix}engine`, shape), { mode, label: NAME });
      const stopEngine = cleanup.add('stop the engine', () => engine.stop());
      const producer = await fastProducer(stack);
      cleanup.add('disconnect the producer', () => producer.disconnect());
      const pacer = new PacedProducer(producer, topic, stream);
      cleanup.add('stop producing', async () => pacer.stop());

      const samples: Sample[] = [];
      const meter = new CpuMeter({ broker: brokerPid(), ...(engine.mode === 'child' ? { engine: engine.pid } : {}) }, ['self', 'engine']).start();
      const started = performance.now();
      samples.push(await sample(engine, 0, 0));
      const production = pacer.run({ rate, seconds });
      let producing = true;
      const ended = (): void => {
        producing = false;
      };
      production.then(ended, ended);
      // Sample on a fixed schedule until production ends.
      for (let next = sampleSeconds; producing; next += sampleSeconds) {
        while (producing && (performance.now() - started) / 1000 < next) await sleep(50);
        if (!producing) break;
        const s = await sample(engine, (performance.now() - started) / 1000, pacer.produced);
        samples.push(s);
        if (samples.length % 6 === 0) progress(NAME, `t=${s.t} s rss ${s.rssMiB} MiB heap ${s.heapUsedMiB} MiB lag ${s.lag}`);
      }
      const produced = await production;
      const cpuCores = meter.stop();
      const last = await sample(engine, (performance.now() - started) / 1000, pacer.produced);
      const metrics = await engine.metrics();

      // Stop the engine the way an operator would, and note whether it drained cleanly.
      const stopStarted = performance.now();
      await stopEngine();
      const stopSeconds = round((performance.now() - stopStarted) / 1000, 2);
      const exit = engine instanceof ChildEngine ? engine.exit : undefined;

      const steady = samples.filter((s) => s.t >= warmupSeconds);
      const rss = trend(steady, (s) => s.rssMiB);
      const heap = trend(steady, (s) => s.heapUsedMiB);
      const lag = trend(steady, (s) => s.lag);
      const flat = steady.length >= 3 && rss.slopePerMinute < flatLimit;
      progress(NAME, `rss slope ${rss.slopePerMinute} MiB/min over ${steady.length} samples after ${warmupSeconds} s (${flat ? 'flat' : 'NOT flat'})`);
      await cleanup.run();
      return {
        setup: {
          rate: Math.round(rate),
          rateSource,
          seconds,
          warmupSeconds,
          sampleSeconds,
          models,
          partitions,
          features,
          windowEvents: shape.windowEvents,
          referenceEvents: shape.referenceEvents,
          engine:
            engine.mode === 'child'
              ? 'child process (node bin/vigil.js run, compiled dist/): RSS from /proc/<pid>/status, heap from its /metrics (main thread only)'
              : 'in process: RSS and heap include the producer of this benchmark',
          topicsDeleted: !dropped.kept,
        },
        produced,
        rssAfterWarmupMiB: rss,
        heapUsedAfterWarmupMiB: heap,
        flat,
        flatMeans: `RSS slope after warm-up < ${flatLimit} MiB/min`,
        lagAfterWarmup: { ...lag, final: last.lag, note: 'produced − committed; a rising slope means the rate was above what the engine sustains here' },
        engine: {
          committed: last.committed,
          windowsClosed: metrics.get('vigil_windows_closed_total') ?? 0,
          alerts: metrics.get('vigil_alerts_total') ?? 0,
          transactions: metrics.get('vigil_transactions_total{outcome="committed"}') ?? 0,
          abortedTransactions: metrics.get('vigil_transactions_total{outcome="aborted"}') ?? 0,
          deadLettered: metrics.get('vigil_events_dead_lettered_total') ?? 0,
          meanBatchSize: round(histogramMean(metrics, 'vigil_batch_size'), 1),
          meanBatchProcessingMs: round(histogramMean(metrics, 'vigil_batch_processing_ms'), 1),
          poolUtilization: poolUtilization(metrics.get('vigil_pool_utilization') ?? 0),
          stopSeconds,
          ...(exit === undefined ? {} : { exit }),
          lastErrors: engine.log.errors.slice(-3),
        },
        cpuCores,
        samples: [...samples, last],
      };
    } finally {
      await cleanup.run();
    }
  },
};
export default scenario;
