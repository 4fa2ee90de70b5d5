/**
 * Scoring throughput per core of the event detectors: events per second over batches of 4,096, on this
 * thread (one core). Anomaly detectors on 16 numeric features (reference of 4,096 rows prepared once,
 * not timed); the LLM detectors on events with 20 token log-probabilities, 3 contexts of 200 words,
 * a 40-word answer, 3 samples of 40 words and 384-dimension response and context embeddings.
 */
import { loadavg } from 'node:os';
import type { NumericColumns } from '../src/contracts/batch.js';
import type { LlmTrace } from '../src/contracts/records.js';
import { mulberry32, normal } from '../src/demo/random.js';
import { buildReferenceProfile, type ReferenceProfile } from '../workers/detectors/reference.js';
import { eventDetectorIds, getEventDetector } from '../workers/detectors/registry.js';
import type { Summary } from '../workers/detectors/types.js';
import type { Scenario } from './run.js';

const BATCH = 4_096;
const FEATURES = 16;
const ROUNDS = 3;
const rng = mulberry32(7);
const gauss = normal(rng);

const VOCAB = Array.from({ length: 3_000 }, (_, i) => {
  let w = '';
  for (let k = 0, n = 3 + (i % 7); k < n; k++) w += String.fromCharCode(97 + Math.floor(rng() * 26));
  return i % 17 === 0 ? w[0]!.toUpperCase() + w.slice(1) : w;
});

function text(words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = rng();
    out.push(r < 0.05 ? String(Math.floor(rng() * 5000)) : VOCAB[Math.floor(rng() * VOCAB.length)]!);
    if (i % 15 === 14) out[out.length - 1] += '.';
  }
  return `${out.join(' ')}.`;
}

function numeric(count: number, shift: number): NumericColumns {
  const features = new Float64Array(count * FEATURES);
  for (let i = 0; i < features.length; i++) features[i] = gauss() + shift;
  return {
    count,
    featureCount: FEATURES,
    features,
    scores: new Float64Array(count),
    latencies: Float64Array.from({ length: count }, () => 20 * Math.exp(0.3 * gauss())),
    statuses: Uint8Array.from({ length: count }, () => (rng() < 0.01 ? 1 : 0)),
    timestamps: Float64Array.from({ length: count }, (_, i) => 1_790_000_000_000 + i),
  };
}

function llmTrace(): LlmTrace {
  const contexts = [text(200), text(200), text(200)];
  return {
    prompt: text(20),
    response: text(40),
    contexts,
    tokenLogprobs: Array.from({ length: 20 }, () => -Math.abs(gauss())),
    responseEmbedding: Array.from({ length: 384 }, gauss),
    contextEmbedding: Array.from({ length: 384 }, gauss),
    samples: [text(40), text(40), text(40)],
    inputTokens: 300,
    outputTokens: 20,
  };
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

const scenario: Scenario = {
  name: 'anomaly-throughput',
  description: 'Event detectors: events/s per core over batches of 4,096 (16 features; LLM events with 20 logprobs, 3 × 200-word contexts, 384-dim embeddings)',
  async run() {
    const loadStart = loadavg()[0]!;
    const refColumns = numeric(BATCH, 0);
    const names = Array.from({ length: FEATURES }, (_, f) => `f${f}`);
    const bare = buildReferenceProfile({ columns: refColumns, featureNames: names, id: 'bench' });
    const detectorData: Record<string, Summary> = {};
    const prepareMs: Record<string, number> = {};
    for (const id of eventDetectorIds()) {
      const d = getEventDetector(id);
      if (!d.prepareReference) continue;
      const t = performance.now();
      detectorData[id] = d.prepareReference(refColumns, bare, d.parseParams(undefined));
      prepareMs[id] = r1(performance.now() - t);
    }
    const reference: ReferenceProfile = { ...bare, detectorData };
    const batch: NumericColumns = { ...numeric(BATCH, 0.1), llm: Array.from({ length: BATCH }, llmTrace) };
    const perDetector: Record<string, { eventsPerSecond: number; eventsPerCpuSecond: number; msPerBatch: number; flagged: number }> = {};
    for (const id of eventDetectorIds()) {
      const d = getEventDetector(id);
      const params = d.parseParams(undefined);
      d.scoreEvents(batch, reference, params); // warm-up
      let best = Infinity;
      let bestCpu = Infinity;
      let flagged = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const cpu = process.cpuUsage();
        const t = performance.now();
        flagged = d.scoreEvents(batch, reference, params).flagged.length;
        best = Math.min(best, performance.now() - t);
        const used = process.cpuUsage(cpu);
        bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
      }
      perDetector[id] = { eventsPerSecond: Math.round((BATCH / best) * 1000), eventsPerCpuSecond: Math.round((BATCH / bestCpu) * 1000), msPerBatch: r1(best), flagged };
    }
    const loadEnd = loadavg()[0]!;
    return {
      batch: BATCH,
      rounds: `best of ${ROUNDS} after one warm-up`,
      measures: 'eventsPerSecond: wall clock; eventsPerCpuSecond: CPU time of this process (user + system, all its threads, garbage collection included), less sensitive to other processes sharing the cores',
      llmEvent: '20 token log-probabilities, 3 contexts of 200 words, a 40-word answer, 3 samples of 40 words, 384-dimension response and context embeddings; random words, so nearly every answer is unsupported and flagged',
      perDetector,
      prepareReferenceMs: prepareMs,
      loadAverage1m: { start: r1(loadStart), end: r1(loadEnd) },
      notes:
        loadStart > 1.5 || loadEnd > 1.5
          ? `Shared machine under load (1-minute load average ${r1(loadStart)} at start, ${r1(loadEnd)} at end, > 1.5): rates are lower bounds of what an idle core does.`
          : 'Machine load below 1.5 during the run.',
    };
  },
};
export default scenario;
