/**
 * Cost per event of protecting the I/O log, on one core, in process (no Kafka): redaction of the
 * event's inputs and outputs, serialization of the redacted payload (JSON), envelope encryption of
 * it, and all of it together as the IoLogBuilder does it (plus the Avro encoding of the record, for
 * scale). Wall-clock and CPU time are both reported: on a shared machine CPU time is the steadier
 * measure of the work itself. Two kinds of events: the
 * demo's 20-feature tabular events, and LLM events with a prompt, a 200-word response and three
 * 200-word retrieved contexts carrying a few e-mail addresses, phone numbers and card numbers.
 */
import { loadavg } from 'node:os';
import { CONFIG_DEFAULTS } from '../src/config/defaults.js';
import type { InferenceEvent } from '../src/contracts/records.js';
import { EventGenerator } from '../src/demo/generator.js';
import { mulberry32 } from '../src/demo/random.js';
import { IoLogBuilder, encodeIoLogBody, isSampled } from '../src/iolog/index.js';
import { Envelope, LocalKeyProvider, newKek, rotateKeyring } from '../src/security/crypto/index.js';
import { Redactor, redactEvent } from '../src/security/redact/index.js';
import type { Scenario } from './run.js';

const VOCABULARY = (
  'the a of to and in policy refund customer account payment order delivery within days support ticket ' +
  'staff request invoice balance credit limit review approved declined contract clause section terms ' +
  'service product warranty return shipping address update confirm verify identity document'
).split(' ');

function passage(random: () => number, words: number, pii: boolean): string {
  const out: string[] = [];
  for (let w = 0; w < words; w++) out.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)] as string);
  if (pii) {
    out[Math.floor(random() * words)] = `customer${Math.floor(random() * 1000)}@example.com`;
    out[Math.floor(random() * words)] = '+1 202 555 0143';
    out[Math.floor(random() * words)] = '4539 1488 0343 6467';
  }
  return out.join(' ');
}

function llmEvents(n: number): InferenceEvent[] {
  const random = mulberry32(11);
  const base = new EventGenerator({ modelId: 'support-assistant', modelVersion: '2.0.0', features: 0 });
  return Array.from({ length: n }, () => ({
    ...base.next(),
    llm: {
      prompt: `Customer asks: ${passage(random, 30, false)}`,
      response: passage(random, 200, false),
      contexts: [passage(random, 200, true), passage(random, 200, false), passage(random, 200, false)],
      tokenLogprobs: [],
      responseEmbedding: null,
      contextEmbedding: null,
      samples: [],
      inputTokens: 700,
      outputTokens: 260,
    },
  }));
}

function tabularEvents(n: number): InferenceEvent[] {
  const generator = new EventGenerator({ modelId: 'credit-risk', modelVersion: '1.1.0' });
  return Array.from({ length: n }, () => generator.next());
}

interface Cost {
  /** Median wall-clock µs per event over three passes. */
  readonly microsPerEvent: number;
  readonly eventsPerSecond: number;
  /** Median CPU time (user + system) µs per event: what the work costs, less sensitive to other load. */
  readonly cpuMicrosPerEvent: number;
  readonly passesMicros: number[];
  readonly passesCpuMicros: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Three timed passes (after a warm-up pass) over `rounds` x `events`; medians of wall and CPU time. */
async function perEvent(events: readonly InferenceEvent[], rounds: number, body: (e: InferenceEvent) => unknown): Promise<Cost> {
  for (const e of events) await body(e); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      for (const e of events) {
        await body(e);
        n++;
      }
    }
    const used = process.cpuUsage(cpuStart);
    wall.push(Number(process.hrtime.bigint() - start) / 1e3 / n);
    cpu.push((used.user + used.system) / n);
  }
  return {
    microsPerEvent: round2(median(wall)),
    eventsPerSecond: Math.round(1e6 / median(wall)),
    cpuMicrosPerEvent: round2(median(cpu)),
    passesMicros: wall.map(round2),
    passesCpuMicros: cpu.map(round2),
  };
}

async function measure(kind: string, events: InferenceEvent[], rounds: number): Promise<Record<string, unknown>> {
  const settings = { ...CONFIG_DEFAULTS.iolog, enabled: true, sampleRate: 1 };
  const provider = new LocalKeyProvider(rotateKeyring(null, newKek()));
  const envelope = new Envelope(provider);
  const redactor = new Redactor();
  const builder = new IoLogBuilder({ settings, envelope, topic: 'vigil.iolog', redactor });
  const redacted = events.map((e) => redactEvent(redactor, e).payload);
  const payloads = redacted.map((p) => Buffer.from(JSON.stringify(p)));
  let k = 0;
  let i = 0;
  const context = { topic: 'vigil.iolog', modelId: 'm', subject: 'e' };
  const records = await Promise.all(events.slice(0, 100).map((e) => builder.record(e, 'SAMPLED')));
  return {
    kind,
    eventsPerPass: events.length * rounds,
    payloadBytes: Math.round(payloads.reduce((s, p) => s + p.length, 0) / payloads.length),
    samplingDecision: await perEvent(events, rounds, (e) => isSampled(e.modelId, e.eventId, 0.1)),
    redaction: await perEvent(events, rounds, (e) => redactEvent(redactor, e)),
    serialization: await perEvent(events, rounds, () => Buffer.from(JSON.stringify(redacted[k++ % redacted.length]))),
    encryption: await perEvent(events, rounds, () => envelope.seal(payloads[i++ % payloads.length] as Buffer, context)),
    redactAndEncrypt: await perEvent(events, rounds, (e) => builder.record(e, 'SAMPLED')),
    avroEncodeOfRecord: await perEvent(events, rounds, () => encodeIoLogBody(records[i++ % records.length] as (typeof records)[number])),
  };
}

const scenario: Scenario = {
  name: 'protect',
  description: 'per-event cost of I/O-log redaction and AES-256-GCM envelope encryption, one core, no Kafka',
  async run() {
    const loadStart = loadavg()[0] as number;
    const tabular = await measure('demo tabular event (20 features)', tabularEvents(5000), 2);
    const llm = await measure('LLM event (prompt, 200-word response, 3 x 200-word contexts)', llmEvents(500), 2);
    const loadEnd = loadavg()[0] as number;
    const notes: string[] = [];
    if (Math.max(loadStart, loadEnd) > 1.5) {
      notes.push(`the machine was shared and loaded (1-minute load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end, on 2 cores): absolute rates are lower than on an idle machine`);
    }
    return { loadAverage1m: { start: loadStart, end: loadEnd }, tabular, llm, notes };
  },
};
export default scenario;
