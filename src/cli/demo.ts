/**
 * `vigil demo`: the whole watch on one machine. Brings up the local stack and the topics, starts the
 * engine in this process with a demo configuration, and a synthetic model server whose inputs drift
 * partway; shows each alert and rollback command as it is committed, until Ctrl-C or SIGTERM.
 *
 * Every run is its own world on shared topics: a run id goes into the event ids, the served build
 * (`1.1.0+<run id>`, so its windows, reference and rollback state start empty) and the consumer
 * groups, and the engine's and the tails' groups start at the topics' current ends.
 */
import type { Alert, InferenceEvent, RollbackCommand } from '../contracts/records.js';
import { avroType, type SchemaName } from '../contracts/schemas.js';
import { topicName } from '../contracts/topics.js';
import { buildConfig } from '../config/index.js';
import { infraFromEnv, type InfraSettings } from '../config/infra.js';
import { OrderedDisplay } from '../demo/display.js';
import { clock, count, plural } from '../demo/format.js';
import { AssistantGenerator } from '../demo/assistant.js';
import { EventGenerator, featureName } from '../demo/generator.js';
import { PacedProducer, demoEvents } from '../demo/producer.js';
import { Engine } from '../engine.js';
import { VigilError, describeError, isVigilError } from '../errors.js';
import { kafkaClient } from '../pipeline/sink/kafka.js';
import { avroProducer, type AvroProducer } from '../pipeline/sink/producer.js';
import { ensureTopics } from '../pipeline/sink/topics.js';
import { TopicTail, positionGroupAtEnd, type TailRecord } from '../pipeline/source/tail.js';
import { loadAuditKey } from '../security/audit-key.js';
import { portInUse } from '../stack/processes.js';
import { stackUp } from '../stack/stack.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';
import { printStatus } from './stack.js';

const MODEL = 'credit-risk';
/** The LLM the demo also serves: one event in ASSISTANT_EVERY is a chat answer over retrieved passages. */
const ASSISTANT = 'support-assistant';
const ASSISTANT_EVERY = 10;
/** Share of credit-risk events far off the reference, and of assistant answers unsupported, once drifting. */
const ANOMALY_RATE = 0.002;
const HALLUCINATION_RATE = 0.3;
const APPROVED_VERSION = '1.0.0';
const SERVED_RELEASE = '1.1.0';
const FEATURES = 20;
const DRIFTED_FEATURES = 5;
const DRIFT_SIGMA = 1.5;
const WINDOW_EVENTS = 500;
const REFERENCE_EVENTS = 1000;
const K = 2;
const DEFAULTS = { events: 20_000, rate: 2000, driftAt: 6000, partitions: 3, seed: 42 } as const;
const PROGRESS_EVERY_MS = 5000;
const STOP_DEADLINE_MS = 10_000;

export const HELP = `Usage: vigil demo [options]

Runs the whole watch on this machine, in this order:
  1. starts the local stack, Kafka and the schema registry (the first run downloads them with Maven);
  2. creates the topics;
  3. starts the engine in this process;
  4. starts a synthetic model server: model ${MODEL}, serving ${SERVED_RELEASE} (last approved: ${APPROVED_VERSION}),
     ${FEATURES} numeric features, at a steady rate. From event --drift-at on, ${featureName(0)}–${featureName(DRIFTED_FEATURES - 1)} shift by ${DRIFT_SIGMA} σ
     After the reference ${ANOMALY_RATE * 100} % of events lie far off (anomalies). One event in ${ASSISTANT_EVERY} is an LLM, ${ASSISTANT}, answering from
     retrieved passages; from --drift-at on, ${HALLUCINATION_RATE * 100} % of its answers state facts the passages do not hold.
It prints where to look, then each alert and rollback command as the engine commits it to the alerts
and rollback topics. After --events events the producer stops; the engine keeps watching until Ctrl-C
(or SIGTERM), which stops the producer, the engine and the tails, prints a summary and exits 0.
The stack keeps running afterwards: \`npx vigil stack status\` reports it, \`npx vigil stack down\` stops it.

Options:
  --events N       events to send in all (default ${DEFAULTS.events})
  --rate N         events per second (default ${DEFAULTS.rate})
  --drift-at N     index of the first drifted event (default ${DEFAULTS.driftAt}; the first ${REFERENCE_EVENTS} form the reference)
  --partitions N   partitions of the topics it creates (default ${DEFAULTS.partitions}; existing topics keep theirs)
  --seed N         seed of the synthetic data (default ${DEFAULTS.seed})

Demo configuration: windows of ${WINDOW_EVENTS} events, reference = the first ${REFERENCE_EVENTS} events of the served
version, rollback after K=${K} consecutive windows with a CRITICAL score. Each run serves its own build
(${SERVED_RELEASE}+<run id>) with run-scoped event ids and fresh consumer groups that start at the topics'
ends, so runs on the same topics never mix.

Environment: VIGIL_BROKERS, VIGIL_SCHEMA_REGISTRY_URL, VIGIL_TOPIC_PREFIX, VIGIL_HTTP_HOST and
VIGIL_HTTP_PORT (metrics; default 127.0.0.1:8787, port 0 picks a free one), VIGIL_AUDIT_KEY_FILE,
VIGIL_LOG_LEVEL (engine log on stderr; default warn).
`;

interface DemoOptions {
  readonly events: number;
  readonly rate: number;
  readonly driftAt: number;
  readonly partitions: number;
  readonly seed: number;
}

function options(argv: readonly string[]): DemoOptions | 'help' {
  const { values } = parseFlags(
    argv,
    { events: { type: 'string' }, rate: { type: 'string' }, 'drift-at': { type: 'string' }, partitions: { type: 'string' }, seed: { type: 'string' } },
    0,
    'demo',
  );
  if (values.help) return 'help';
  return {
    events: intFlag(values.events, 'events', 1, 1_000_000_000, DEFAULTS.events),
    rate: intFlag(values.rate, 'rate', 1, 100_000, DEFAULTS.rate),
    driftAt: intFlag(values['drift-at'], 'drift-at', 0, 1_000_000_000, DEFAULTS.driftAt),
    partitions: intFlag(values.partitions, 'partitions', 1, 1000, DEFAULTS.partitions),
    seed: intFlag(values.seed, 'seed', 0, 2 ** 32 - 1, DEFAULTS.seed),
  };
}

/**
 * SIGINT / SIGTERM from the moment something needs a clean stop. Another one later exits at once; one
 * within a second of the first is the same Ctrl-C delivered twice (to the process group and again by
 * a wrapper such as npm or timeout), and is ignored.
 */
class StopSignal {
  readonly promise: Promise<NodeJS.Signals>;
  #signal: NodeJS.Signals | undefined;
  #at = 0;
  #resolve: (signal: NodeJS.Signals) => void = () => undefined;
  readonly #handler: (signal: NodeJS.Signals) => void;

  constructor(io: CommandIo) {
    this.promise = new Promise((resolve) => (this.#resolve = resolve));
    this.#handler = (signal) => {
      if (this.#signal !== undefined) {
        if (Date.now() - this.#at < 1000) return;
        io.err(`vigil demo: ${signal} again; exiting without a clean stop`);
        process.exit(130);
      }
      this.#signal = signal;
      this.#at = Date.now();
      this.#resolve(signal);
    };
    process.on('SIGINT', this.#handler);
    process.on('SIGTERM', this.#handler);
  }

  get received(): NodeJS.Signals | undefined {
    return this.#signal;
  }

  dispose(): void {
    process.off('SIGINT', this.#handler);
    process.off('SIGTERM', this.#handler);
  }
}

function decode<T>(schema: SchemaName, value: Buffer | null): T | null {
  if (value === null || value.length < 5 || value[0] !== 0) return null;
  return avroType(schema).fromBuffer(value.subarray(5)) as T;
}

async function metricSum(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = options(argv);
  if (parsed === 'help') {
    io.out(HELP);
    return 0;
  }
  const opts = parsed;
  const infra = infraFromEnv();
  const runId = Date.now().toString(36);
  const version = `${SERVED_RELEASE}+${runId}`;
  const topics = {
    inference: topicName(infra.topicPrefix, 'inference'),
    alerts: topicName(infra.topicPrefix, 'alerts'),
    rollback: topicName(infra.topicPrefix, 'rollback'),
    audit: topicName(infra.topicPrefix, 'audit'),
    dlq: topicName(infra.topicPrefix, 'dlq'),
  };

  io.out(`vigil demo: a model in production, watched by Vigil (run ${runId})`);
  io.out('');
  io.out('[1/4] local stack (Kafka and the schema registry; the first run downloads them with Maven)');
  const status = await stackUp({ onProgress: (m) => io.out(`      ${m}`) });
  printStatus({ out: (line) => io.out(`      ${line}`), err: io.err }, status);

  io.out(`[2/4] topics (prefix "${infra.topicPrefix}")`);
  const outcomes = await ensureTopics(infra.brokers, infra.topicPrefix, opts.partitions);
  const misconfigured = outcomes.filter((o) => o.action === 'misconfigured');
  if (misconfigured.length > 0) {
    throw new VigilError(
      'VIGIL_TOPIC_MISCONFIGURED',
      `${misconfigured.map((o) => `${o.topic}: ${o.problems.join('; ')}`).join(' | ')}. Delete or fix these topics (or use another VIGIL_TOPIC_PREFIX), then retry.`,
    );
  }
  const created = outcomes.filter((o) => o.action === 'created').length;
  const input = outcomes.find((o) => o.topic === topics.inference);
  io.out(
    `      ${created === 0 ? `all ${outcomes.length} exist` : `${created} created, ${outcomes.length - created} existed`}; ${topics.inference} has ${plural(input?.partitions ?? opts.partitions, 'partition')}`,
  );

  if (infra.httpPort !== 0 && (await portInUse(infra.httpPort, infra.httpHost))) throw portTaken(infra);
  const stop = new StopSignal(io);
  try {
    return await watch(io, infra, opts, { runId, version, topics }, stop);
  } finally {
    stop.dispose();
  }
}

function portTaken(infra: InfraSettings): VigilError {
  return new VigilError(
    'VIGIL_CONFIG_INVALID',
    `the metrics port ${infra.httpHost}:${infra.httpPort} is taken by another process (a \`vigil run\` or another demo?); stop it, or set VIGIL_HTTP_PORT to a free port (0 picks one)`,
    { details: { variable: 'VIGIL_HTTP_PORT', port: infra.httpPort } },
  );
}

interface RunNames {
  readonly runId: string;
  readonly version: string;
  readonly topics: { inference: string; alerts: string; rollback: string; audit: string; dlq: string };
}

async function watch(io: CommandIo, infra: InfraSettings, opts: DemoOptions, names: RunNames, stop: StopSignal): Promise<number> {
  const { runId, version, topics } = names;
  const groupId = `vigil-demo-${runId}`;
  const config = buildConfig(
    {
      engine: { groupId, windows: { count: WINDOW_EVENTS, timeMs: 3_600_000 }, reference: { events: REFERENCE_EVENTS } },
      // Drift (psi, the default), single-event anomalies and hallucination risk.
      // A calibrated 0.999 flags about one normal event in a thousand; events beyond every reference
      // distance are CRITICAL.
      detectors: { mahalanobis: { enabled: true, critical: 0.9995, params: { threshold: 0.999 } }, hallucination: { enabled: true } },
      // The assistant's windows: the share of its answers over the hallucination threshold against its reference's.
      models: { [ASSISTANT]: { detectors: { 'hallucination-rate': { enabled: true } } } },
      policy: { rollback: { consecutiveCriticalWindows: K }, lastApproved: { [MODEL]: APPROVED_VERSION } },
    },
    'the demo configuration',
  );
  const engine = new Engine({ config, infra, auditKey: loadAuditKey() });
  const seen = { alerts: 0, commands: 0, bySeverity: new Map<string, number>() };
  const display = new OrderedDisplay((text) => io.out(text));
  const interrupted = (): boolean => stop.received !== undefined;
  let tail: TopicTail | undefined;
  let sender: AvroProducer<InferenceEvent> | undefined;
  let producer: PacedProducer | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let fatal: unknown;
  let failed: () => void = () => undefined;
  const failure = new Promise<'failure'>((resolve) => (failed = () => resolve('failure')));

  const show = (record: TailRecord): void => {
    if (record.topic === topics.alerts) {
      const alert = decode<Alert>('Alert', record.value);
      if (alert === null || (alert.modelId !== MODEL && alert.modelId !== ASSISTANT) || alert.modelVersion !== version) return;
      seen.alerts++;
      seen.bySeverity.set(alert.severity, (seen.bySeverity.get(alert.severity) ?? 0) + 1);
      display.alert(alert);
    } else {
      const command = decode<RollbackCommand>('RollbackCommand', record.value);
      if (command === null || command.modelId !== MODEL || command.fromVersion !== version) return;
      seen.commands++;
      display.command(command);
    }
  };

  try {
    io.out(`[3/4] engine, in this process: group ${groupId}; the first ${count(REFERENCE_EVENTS)} events form the reference, then`);
    io.out(`      every ${WINDOW_EVENTS} events a window is scored; K=${K} consecutive CRITICAL windows roll back to ${MODEL} ${APPROVED_VERSION}`);
    // A fresh group would read the input from its beginning, earlier runs' events included: start at the end.
    await positionGroupAtEnd(kafkaClient({ brokers: infra.brokers, clientId: 'vigil-demo' }), groupId, [topics.inference]);
    try {
      await engine.start();
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') throw portTaken(infra);
      throw error;
    }
    // The engine recovers from most failures itself; when it gives up, so does the demo, saying why.
    watchdog = setInterval(() => {
      if (engine.phase !== 'failed' || fatal !== undefined) return;
      fatal = new VigilError('VIGIL_INTERNAL', 'the engine stopped processing (see its log above)');
      void engine.admin
        .inject({ method: 'GET', url: '/readyz' })
        .then((response) => {
          const reason = (response.json() as { reason?: string }).reason;
          if (reason) fatal = new VigilError('VIGIL_INTERNAL', `the engine stopped processing: ${reason}`);
        })
        .catch(() => undefined)
        .finally(failed);
    }, 1000);
    const address = engine.address();
    const metricsUrl = `http://${address?.address ?? infra.httpHost}:${address?.port ?? infra.httpPort}/metrics`;
    io.out(`      running; metrics at ${metricsUrl}`);

    if (!interrupted()) {
      tail = new TopicTail({
        brokers: infra.brokers,
        groupId: `${groupId}-tail`,
        clientId: 'vigil-demo-tail',
        topics: [topics.alerts, topics.rollback],
        onRecord: show,
        onError: (error) => io.err(`vigil demo: a record could not be shown: ${describeError(error)}`),
      });
      await tail.start();
    }

    if (!interrupted()) {
      const drift = `${featureName(0)}–${featureName(DRIFTED_FEATURES - 1)} shift by ${DRIFT_SIGMA} σ`;
      io.out(`[4/4] producer: ${MODEL}@${version} (this run's build of ${SERVED_RELEASE}), ${FEATURES} numeric features,`);
      io.out(`      ${count(opts.events)} events at ${count(opts.rate)}/s; from event ${count(opts.driftAt)} on, ${drift}`);
      if (opts.driftAt >= opts.events) io.out(`      note: --drift-at ${opts.driftAt} is not below --events ${opts.events}: this run never drifts`);
      else if (opts.driftAt < REFERENCE_EVENTS) io.out(`      note: the drift starts inside the reference (the first ${count(REFERENCE_EVENTS)} events), so the reference is drifted too`);
      io.out('');
      io.out(`Where to look (Kafka ${infra.brokers.join(',')}; values are Avro, schemas in the registry at ${infra.registryUrl}):`);
      const width = Math.max(...[topics.alerts, topics.rollback, topics.audit, topics.dlq].map((t) => t.length)) + 2;
      io.out(`  alerts     ${topics.alerts.padEnd(width)} one record per alert`);
      io.out(`  rollback   ${topics.rollback.padEnd(width)} rollback commands for the deployment side`);
      io.out(`  audit      ${topics.audit.padEnd(width)} hash-chained, signed record of every alert and command`);
      io.out(`  dlq        ${topics.dlq.padEnd(width)} records the engine could not read, bytes unchanged`);
      io.out(`  metrics    ${metricsUrl}   (also /healthz and /readyz)`);
      io.out('  the stack  npx vigil stack status');
      io.out('');
      io.out(`Alerts and rollback commands for ${MODEL}@${version} show below as the engine commits them. Ctrl-C stops the demo.`);
      io.out('An alert reads: time, ALERT, severity, kind, model@version, detector feature = score ≥ threshold, window (event time)');
      io.out('and, in brackets, the input partition and offsets it covers.');
      io.out('');

      sender = await avroProducer<InferenceEvent>({ brokers: infra.brokers, registryUrl: infra.registryUrl, topic: topics.inference, schema: 'InferenceEvent', clientId: 'vigil-demo-producer' });
      const generator = new EventGenerator({
        modelId: MODEL, modelVersion: version, features: FEATURES, seed: opts.seed, driftFrom: opts.driftAt, driftSigma: DRIFT_SIGMA, driftedFeatures: DRIFTED_FEATURES,
        anomalyFrom: REFERENCE_EVENTS, anomalyRate: ANOMALY_RATE,
      });
      const assistant = new AssistantGenerator({ modelId: ASSISTANT, modelVersion: version, seed: opts.seed, hallucinateFrom: Math.floor(opts.driftAt / ASSISTANT_EVERY), hallucinationRate: HALLUCINATION_RATE });
      const milestones = [
        { at: REFERENCE_EVENTS, say: `the engine takes these as the reference; every ${WINDOW_EVENTS} events after them form a window it scores` },
        { at: opts.driftAt, say: `from here on ${drift}` },
      ].filter((m) => m.at > 0 && m.at < opts.events);
      const to = sender;
      producer = new PacedProducer({
        total: opts.events,
        rate: opts.rate,
        next: demoEvents(generator, runId, Date.now, { every: ASSISTANT_EVERY, next: () => assistant.next() }),
        send: (records) => to.send(records),
        onSent: (sent) => {
          while (milestones[0] !== undefined && sent >= milestones[0].at) {
            const m = milestones.shift()!;
            io.out(`${clock(Date.now())}  producer ${count(m.at)} events sent: ${m.say}`);
          }
        },
      });
      const sending = producer;
      let last = '';
      ticker = setInterval(() => {
        void (async () => {
          const consumed = await metricSum(engine.metrics.consumed);
          const windows = await metricSum(engine.metrics.windowsClosed);
          const line = `${count(sending.sent)} of ${count(opts.events)} events sent, ${count(consumed)} consumed, ${plural(windows, 'window')} scored, ${plural(seen.alerts, 'alert')}, ${plural(seen.commands, 'command')}`;
          if (line !== last && !interrupted()) io.out(`${clock(Date.now())}  progress ${line}`);
          last = line;
        })().catch(() => undefined);
      }, PROGRESS_EVERY_MS);
      sending.start().then(
        () => {
          if (!interrupted()) io.out(`${clock(Date.now())}  producer done: ${count(sending.sent)} events sent. The engine keeps watching; Ctrl-C stops the demo.`);
        },
        (error: unknown) => {
          fatal = isVigilError(error) ? error : new VigilError('VIGIL_KAFKA_UNAVAILABLE', `the synthetic producer could not send to ${topics.inference}: ${describeError(error)}`, { cause: error });
          failed();
        },
      );
    }
    const why = await Promise.race([stop.promise, failure]);
    io.out('');
    const cause = why === 'SIGINT' ? 'Ctrl-C (SIGINT)' : why === 'failure' ? `failure: ${describeError(fatal)}` : why;
    io.out(`${clock(Date.now())}  ${cause}; stopping the producer, the engine and the tails`);
  } catch (error) {
    fatal = error;
  }

  // Stop in flow order: nothing new in, the engine drains and commits, the tails show what it wrote.
  const deadline = setTimeout(() => {
    io.err(`vigil demo: could not stop cleanly within ${STOP_DEADLINE_MS / 1000} s; exiting`);
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  clearInterval(ticker);
  clearInterval(watchdog);
  await producer?.stop();
  await sender?.close().catch(() => undefined);
  await engine.stop();
  await tail?.stop().catch(() => undefined);
  display.flush();
  clearTimeout(deadline);
  if (fatal !== undefined && producer === undefined) throw fatal;

  const consumed = await metricSum(engine.metrics.consumed);
  const dead = await metricSum(engine.metrics.deadLettered);
  const severities = [...seen.bySeverity].map(([s, n]) => `${count(n)} ${s}`).join(', ');
  io.out(
    `vigil demo: stopped. ${count(producer?.sent ?? 0)} events produced, ${count(consumed)} consumed by the engine${dead > 0 ? ` (${count(dead)} dead-lettered)` : ''}, ` +
      `${plural(seen.alerts, 'alert')}${severities ? ` (${severities})` : ''}, ${plural(seen.commands, 'rollback command')}.`,
  );
  io.out('The stack keeps running: `npx vigil stack status` reports it, `npx vigil stack down` stops it.');
  if (fatal !== undefined) throw fatal;
  return 0;
}
