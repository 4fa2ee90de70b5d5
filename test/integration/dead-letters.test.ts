import { Writable } from 'node:stream';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../src/contracts/records.js';
import { avroType } from '../../src/contracts/schemas.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { mulberry32 } from '../../src/demo/random.js';
import { Engine } from '../../src/engine.js';
import type { ErrorCode } from '../../src/errors.js';
import { frame } from '../../src/pipeline/sink/encode.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { collect, consumedAll, stack, testAuditKey, uniquePrefix, type Collected } from './helpers.js';

/**
 * The acceptance test: 10,000 good events with 1,000 malformed records of every kind mixed in
 * at seeded random positions. Every good event is scored once, every bad one lands in the dead-letter
 * topic once with its original bytes and the contract's headers, and the engine never restarts.
 */

const GOOD = 10_000;
const BAD = 1_000;
const TOTAL = GOOD + BAD;
const MODELS = ['dl-alpha', 'dl-beta', 'dl-gamma', 'dl-delta'] as const;
const VERSION = '1.0.0';
const UNKNOWN_SCHEMA_ID = 999_999;

type Kind =
  | 'magic'
  | 'short'
  | 'tombstone'
  | 'empty'
  | 'unknown-schema'
  | 'truncated'
  | 'trailing'
  | 'hostile-map'
  | 'hostile-string'
  | 'enum-range'
  | 'empty-model-id'
  | 'future-timestamp'
  | 'nan-feature'
  | 'infinite-feature'
  | 'duplicate';

/** What each kind must come out as: its error code and what its message must name. */
const EXPECT: Record<Kind, { code: ErrorCode; message: RegExp }> = {
  magic: { code: 'VIGIL_DECODE_MAGIC', message: /magic byte/ },
  short: { code: 'VIGIL_DECODE_SHORT', message: /record has [1-4] bytes/ },
  tombstone: { code: 'VIGIL_DECODE_SHORT', message: /empty value/ },
  empty: { code: 'VIGIL_DECODE_SHORT', message: /empty value/ },
  'unknown-schema': { code: 'VIGIL_DECODE_UNKNOWN_SCHEMA', message: new RegExp(String(UNKNOWN_SCHEMA_ID)) },
  truncated: { code: 'VIGIL_DECODE_TRUNCATED', message: /runs past the end/ },
  trailing: { code: 'VIGIL_DECODE_TRAILING', message: /bytes left after the record/ },
  'hostile-map': { code: 'VIGIL_DECODE_OVERSIZED', message: /\bfeatures\b.*1073741824/ },
  'hostile-string': { code: 'VIGIL_DECODE_OVERSIZED', message: /\beventId\b.*2147483648/ },
  'enum-range': { code: 'VIGIL_DECODE_MALFORMED', message: /\bstatus\b.*out of range/ },
  'empty-model-id': { code: 'VIGIL_EVENT_INVALID', message: /\bmodelId\b/ },
  'future-timestamp': { code: 'VIGIL_EVENT_INVALID', message: /\btimestamp\b/ },
  'nan-feature': { code: 'VIGIL_EVENT_INVALID', message: /\bfeatures\.f\d\d is NaN\b/ },
  'infinite-feature': { code: 'VIGIL_EVENT_INVALID', message: /\bfeatures\.f\d\d is -?Infinity\b/ },
  duplicate: { code: 'VIGIL_EVENT_DUPLICATE', message: /\beventId\b/ },
};
const KINDS = Object.keys(EXPECT) as Kind[];

interface Sent {
  readonly key: string;
  readonly value: Buffer | null;
  readonly kind: Kind | 'good';
}

/** Samples of one metric family from the Prometheus text exposition. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k!] = v!;
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

const sum = (xs: readonly { value: number }[]): number => xs.reduce((n, x) => n + x.value, 0);

/** The records of the run, in send order: good events and malformed ones at seeded random positions. */
function buildInput(encode: (event: InferenceEvent) => Buffer, schemaId: number): { sent: Sent[]; goodPerModel: Map<string, number> } {
  const rng = mulberry32(20_261_126);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

  // 1,000 bad slots among 11,000, none in the first 50 (so a duplicate always has an earlier original).
  const slots = Array.from({ length: TOTAL - 50 }, (_, i) => i + 50);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const badSlots = new Set(slots.slice(0, BAD));
  // Kinds spread evenly (66 or 67 each), in shuffled order over the bad slots.
  const kinds = Array.from({ length: BAD }, (_, i) => KINDS[i % KINDS.length]!);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }

  const generators = new Map(MODELS.map((m, i) => [m, new EventGenerator({ modelId: m, modelVersion: VERSION, seed: 11 + i })]));
  const remaining = new Map<string, number>(MODELS.map((m) => [m, GOOD / MODELS.length]));
  const goodPerModel = new Map<string, number>(MODELS.map((m) => [m, 0]));
  const templates = new EventGenerator({ modelId: 'template', modelVersion: VERSION, seed: 99 });
  const type = avroType('InferenceEvent');
  const fields = (type as avro.types.RecordType).fields;
  const long = avro.Type.forSchema('long');

  // Offset of the status enum in an event's body: the one byte that differs between OK and FALLBACK.
  const statusOffset = (event: InferenceEvent): number => {
    const ok = type.toBuffer({ ...event, status: 'OK' });
    const fallback = type.toBuffer({ ...event, status: 'FALLBACK' });
    const differing = [...ok.keys()].filter((i) => ok[i] !== fallback[i]);
    expect(differing).toHaveLength(1);
    return differing[0]!;
  };

  const sent: Sent[] = [];
  const goodSent: Sent[] = [];
  let k = 0;
  for (let slot = 0; slot < TOTAL; slot++) {
    if (!badSlots.has(slot)) {
      const model = pick(MODELS.filter((m) => remaining.get(m)! > 0));
      remaining.set(model, remaining.get(model)! - 1);
      goodPerModel.set(model, goodPerModel.get(model)! + 1);
      const record: Sent = { key: model, value: encode(generators.get(model)!.next()), kind: 'good' };
      sent.push(record);
      goodSent.push(record);
      continue;
    }
    const kind = kinds[k]!;
    const key = pick(MODELS);
    const event: InferenceEvent = { ...templates.next(), eventId: `bad-${k}`, modelId: key, status: 'OK' };
    const body = type.toBuffer(event);
    const valid = frame(schemaId, body);
    k++;
    let value: Buffer | null;
    switch (kind) {
      case 'magic':
        value = Buffer.from(valid);
        value[0] = 1 + Math.floor(rng() * 255);
        break;
      case 'short':
        value = valid.subarray(0, 1 + Math.floor(rng() * 4));
        break;
      case 'tombstone':
        value = null;
        break;
      case 'empty':
        value = Buffer.alloc(0);
        break;
      case 'unknown-schema':
        value = frame(UNKNOWN_SCHEMA_ID, body);
        break;
      case 'truncated':
        value = valid.subarray(0, valid.length - 1 - Math.floor(rng() * Math.min(40, body.length - 1)));
        break;
      case 'trailing':
        value = Buffer.concat([valid, Buffer.from([0, 1, 2].slice(0, 1 + Math.floor(rng() * 3)))]);
        break;
      case 'hostile-map': {
        // A valid prefix up to `features`, then a block count of 2^30 entries and three bytes.
        const prefix = fields.slice(0, fields.findIndex((f) => f.name === 'features')).map((f) => f.type.toBuffer((event as unknown as Record<string, unknown>)[f.name]));
        value = frame(schemaId, Buffer.concat([...prefix, long.toBuffer(2 ** 30), Buffer.from('abc')]));
        break;
      }
      case 'hostile-string':
        // eventId claims 2 GiB.
        value = frame(schemaId, Buffer.concat([long.toBuffer(2 ** 31), Buffer.from('evil')]));
        break;
      case 'enum-range':
        value = Buffer.from(valid);
        value[5 + statusOffset(event)] = 2 * (4 + Math.floor(rng() * 60)); // zig-zag of an index in [4, 64): one byte
        break;
      case 'empty-model-id':
        value = encode({ ...event, modelId: '' });
        break;
      case 'future-timestamp':
        value = encode({ ...event, timestamp: Date.now() + 86_400_000 });
        break;
      case 'nan-feature':
        value = encode({ ...event, features: { ...event.features, f03: Number.NaN } });
        break;
      case 'infinite-feature':
        value = encode({ ...event, features: { ...event.features, f07: rng() < 0.5 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY } });
        break;
      case 'duplicate': {
        const original = pick(goodSent);
        sent.push({ key: original.key, value: Buffer.from(original.value!), kind });
        continue;
      }
    }
    sent.push({ key, value, kind });
  }
  expect(k).toBe(BAD);
  return { sent, goodPerModel };
}

describe('dead letters on the real stack: malformed records mixed into good traffic', () => {
  const prefix = uniquePrefix('dlq');
  const auditKey = testAuditKey();
  const logged: { level: number; msg: string }[] = [];
  const notRunning: string[] = [];
  let monitor: ReturnType<typeof setInterval> | undefined;
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 2);
    const config = buildConfig(
      { engine: { groupId: `${prefix}engine`, windows: { count: 1000, timeMs: 3_600_000 }, reference: { events: 1000 } } },
      'test',
    );
    // The engine logs nothing in normal operation; a failed batch or transaction (after which the
    // consumer retries or restarts) is logged at error level, so the log is where a restart shows.
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logged.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    engine = new Engine({
      config,
      infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 },
      auditKey,
      listen: false,
      logger: createLogger({ level: 'warn', destination }),
    });
    await engine.start();
    monitor = setInterval(() => {
      if (engine.phase !== 'running') notRunning.push(engine.phase);
    }, 50);
    producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  });

  afterAll(async () => {
    if (monitor) clearInterval(monitor);
    await producer?.close();
    await engine?.stop();
  });

  it('scores every good event once, dead-letters every bad record once with its bytes and headers, and never restarts', async () => {
    const startedAt = Date.now();
    const { sent, goodPerModel } = buildInput((e) => producer.encoder.encode(e), producer.encoder.schemaId);
    expect(sent).toHaveLength(TOTAL);
    for (let i = 0; i < sent.length; i += 500) await producer.sendRaw(sent.slice(i, i + 500));

    await consumedAll(engine, TOTAL, 60_000);
    const finishedAt = Date.now();

    // Where each record landed: records of one key share a partition and keep their send order, so
    // the i-th record read for a key is the i-th one sent with it (checked byte for byte).
    const input = await collect<never>(`${prefix}inference`, null, (r) => r.length >= TOTAL, 30_000);
    expect(input).toHaveLength(TOTAL);
    const readByKey = new Map<string, Collected<never>[]>();
    for (const r of [...input].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))) {
      const list = readByKey.get(r.key!) ?? [];
      list.push(r);
      readByKey.set(r.key!, list);
    }
    const at = new Map<string, Sent>();
    const cursor = new Map<string, number>();
    for (const s of sent) {
      const i = cursor.get(s.key) ?? 0;
      cursor.set(s.key, i + 1);
      const read = readByKey.get(s.key)?.[i];
      expect(read, `record ${i} of key ${s.key}`).toBeDefined();
      expect(read!.raw === null ? null : Buffer.from(read!.raw)).toEqual(s.value);
      at.set(`${read!.partition}:${read!.offset}`, s);
    }
    const bad = sent.filter((s) => s.kind !== 'good');
    expect(bad).toHaveLength(BAD);

    // Every bad record exactly once in the dead-letter topic (read a little past the expected count, so
    // an extra copy would show), with its key and bytes unchanged and the contract's headers.
    let reachedAt: number | undefined;
    const dead = await collect<never>(
      `${prefix}dlq`,
      null,
      (r) => {
        if (r.length < BAD) return false;
        reachedAt ??= Date.now();
        return Date.now() - reachedAt > 2_000;
      },
      30_000,
    );
    const positions = new Set<string>();
    const deadByKind = new Map<Kind, number>();
    for (const d of dead) {
      const h = d.headers;
      expect(Object.keys(h).sort()).toEqual(
        ['vigil.error.code', 'vigil.error.message', 'vigil.failed.at', 'vigil.source.offset', 'vigil.source.partition', 'vigil.source.topic'].sort(),
      );
      expect(h['vigil.source.topic']).toBe(`${prefix}inference`);
      expect(h['vigil.source.partition']).toMatch(/^[01]$/);
      expect(h['vigil.source.offset']).toMatch(/^\d+$/);
      const position = `${h['vigil.source.partition']}:${h['vigil.source.offset']}`;
      expect(positions.has(position), `dead letter for ${position} written twice`).toBe(false);
      positions.add(position);
      const original = at.get(position);
      expect(original, `dead letter points at ${position}, which is no input record`).toBeDefined();
      const kind = original!.kind;
      expect(kind, `good record at ${position} was dead-lettered: ${h['vigil.error.code']} ${h['vigil.error.message']}`).not.toBe('good');
      if (kind === 'good') continue;
      deadByKind.set(kind, (deadByKind.get(kind) ?? 0) + 1);
      expect(d.key).toBe(original!.key);
      expect(d.raw === null ? null : Buffer.from(d.raw)).toEqual(original!.value);
      expect(h['vigil.error.code'], `${kind} at ${position}: ${h['vigil.error.message']}`).toBe(EXPECT[kind].code);
      expect(h['vigil.error.message']!.length).toBeGreaterThan(0);
      expect(h['vigil.error.message'], kind).toMatch(EXPECT[kind].message);
      const failedAt = Number(h['vigil.failed.at']);
      expect(Number.isSafeInteger(failedAt)).toBe(true);
      expect(failedAt).toBeGreaterThanOrEqual(startedAt);
      expect(failedAt).toBeLessThanOrEqual(finishedAt);
    }
    const injectedByKind = new Map<Kind, number>();
    for (const s of bad) injectedByKind.set(s.kind as Kind, (injectedByKind.get(s.kind as Kind) ?? 0) + 1);
    expect(deadByKind).toEqual(injectedByKind);
    expect(dead).toHaveLength(BAD);
    expect(injectedByKind.size).toBe(KINDS.length);

    // Every good event scored exactly once, and the dead-letter counter by code matches what went in.
    const text = (await engine.admin.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sum(samples(text, 'vigil_events_consumed_total'))).toBe(TOTAL);
    expect(samples(text, 'vigil_events_decoded_total')).toEqual([{ labels: { topic: `${prefix}inference` }, value: GOOD }]);
    const latency = samples(text, 'vigil_model_latency_ms_count');
    expect(sum(latency)).toBe(GOOD);
    expect(new Map(latency.map((s) => [`${s.labels.model}@${s.labels.version}`, s.value]))).toEqual(
      new Map([...goodPerModel].map(([model, n]) => [`${model}@${VERSION}`, n])),
    );
    expect(sum(samples(text, 'vigil_model_invocations_total'))).toBe(GOOD);
    const expectedByCode = new Map<string, number>();
    for (const [kind, n] of injectedByKind) expectedByCode.set(EXPECT[kind].code, (expectedByCode.get(EXPECT[kind].code) ?? 0) + n);
    expect(new Map(samples(text, 'vigil_events_dead_lettered_total').map((s) => [s.labels.code!, s.value]))).toEqual(expectedByCode);

    // The engine never restarted: always running, no aborted transaction, nothing logged at error level.
    expect(engine.phase).toBe('running');
    expect(notRunning).toEqual([]);
    expect(sum(samples(text, 'vigil_transactions_total').filter((s) => s.labels.outcome === 'aborted'))).toBe(0);
    expect(logged.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
    expect((await engine.admin.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
