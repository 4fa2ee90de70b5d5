import { describe, expect, it } from 'vitest';
import { avroType } from '../../../src/contracts/schemas.js';
import type { IoLogRecord } from '../../../src/contracts/records.js';
import { VigilError } from '../../../src/errors.js';
import { IoLogBuilder, IoLogService, decodeIoLogValue, encodeIoLogBody, ioLogSettingsFor, isSampled, readIoLog, topicRetentionMs, type IoLogAccessEvent } from '../../../src/iolog/index.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { frame } from '../../../src/pipeline/sink/encode.js';
import { seededRandom, testProvider } from '../security/crypto/helpers.js';
import { llmEvent, settings, tabularEvent } from './fixtures.js';

const TOPIC = 'vigil.iolog';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('sampling', () => {
  it('is deterministic per model and eventId, and close to the rate', () => {
    const picks = Array.from({ length: 20_000 }, (_, i) => isSampled('credit-risk', `evt-${i}`, 0.1));
    expect(Array.from({ length: 20_000 }, (_, i) => isSampled('credit-risk', `evt-${i}`, 0.1))).toEqual(picks);
    const rate = picks.filter(Boolean).length / picks.length;
    expect(rate).toBeGreaterThan(0.09);
    expect(rate).toBeLessThan(0.11);
    expect(isSampled('m', 'e', 0)).toBe(false);
    expect(isSampled('m', 'e', 1)).toBe(true);
  });

  it('applies per-model overrides and logs alerted events whatever the rate', () => {
    const s = settings({ sampleRate: 0, models: { 'credit-risk': { sampleRate: 1, retentionDays: 90 }, quiet: { enabled: false } } });
    expect(ioLogSettingsFor(s, 'credit-risk')).toEqual({ enabled: true, sampleRate: 1, alwaysOnAlert: true, retentionDays: 90 });
    expect(topicRetentionMs(s)).toBe(90 * 86_400_000);
    const builder = new IoLogBuilder({ settings: s, envelope: new Envelope(testProvider()), topic: TOPIC });
    expect(builder.decide({ modelId: 'credit-risk', eventId: 'a' }, false)).toBe('SAMPLED');
    expect(builder.decide({ modelId: 'other', eventId: 'a' }, false)).toBeNull();
    expect(builder.decide({ modelId: 'other', eventId: 'a' }, true)).toBe('ALERT');
    expect(builder.decide({ modelId: 'quiet', eventId: 'a' }, true)).toBeNull();
    expect(builder.decide({ modelId: '__proto__', eventId: 'a' }, true)).toBe('ALERT');
  });
});

describe('IoLogBuilder and readIoLog', () => {
  it('builds records that encode as IoLogRecord Avro and read back redacted', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider, { random: seededRandom('b1') }), topic: TOPIC });
    const event = llmEvent(1, { prompt: 'My mail is ann@example.com, card 4539 1488 0343 6467' });
    const record = (await builder.build(event, { alerted: false })) as IoLogRecord;
    expect(record).toMatchObject({ eventId: 'evt-1', modelId: 'support-assistant', modelVersion: '1.1.0', principal: 'svc-gateway', reason: 'SAMPLED', algorithm: 'AES-256-GCM', redactions: { email: 1, card: 1 } });
    const wire = frame(7, encodeIoLogBody(record));
    const decoded = decodeIoLogValue(wire, 'vigil.iolog[0]@0');
    expect(avroType('IoLogRecord').isValid(decoded)).toBe(true);
    const [entry] = await collect(readIoLog([decoded], new Envelope(provider), { modelId: 'support-assistant' }, TOPIC));
    expect(entry?.payload.prompt).toBe('My mail is [EMAIL], card [CARD]');
    expect(entry?.payload.contexts).toHaveLength(3);
    expect(entry?.payload.response).toBe(event.llm?.response);
  });

  it('keeps payloads bounded: a 1 MiB prompt is redacted whole, then cut to maxTextChars', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings({ maxTextChars: 1000 }), envelope: new Envelope(provider), topic: TOPIC });
    const prompt = `${'lorem ipsum '.repeat(87_381)}tail@example.com`;
    const record = await builder.record(llmEvent(3, { prompt }), 'SAMPLED');
    expect(record.redactions).toEqual({ email: 1 });
    expect(record.ciphertext.length).toBeLessThan(40_000);
    const [entry] = await collect(readIoLog([record], provider, { modelId: 'support-assistant' }, TOPIC));
    expect(entry?.payload.prompt).toHaveLength(1000 + '…[TRUNCATED]'.length);
    expect(entry?.payload.prompt?.endsWith('…[TRUNCATED]')).toBe(true);
  });

  it('filters by event, time range and retention before decrypting anything', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider), topic: TOPIC });
    const records = await Promise.all(Array.from({ length: 10 }, (_, i) => builder.record(tabularEvent(i), 'SAMPLED')));
    // A record of another model with a broken ciphertext proves filtering happens first.
    const foreign = { ...(records[0] as IoLogRecord), modelId: 'other', ciphertext: Buffer.alloc(20) };
    const all = [foreign, ...records];
    const reader = new Envelope(provider);
    const t0 = Date.UTC(2026, 10, 1);
    expect((await collect(readIoLog(all, reader, { modelId: 'credit-risk', eventId: 'evt-3' }, TOPIC))).map((e) => e.eventId)).toEqual(['evt-3']);
    expect((await collect(readIoLog(all, reader, { modelId: 'credit-risk', from: t0 + 2000, to: t0 + 5000 }, TOPIC))).map((e) => e.eventId)).toEqual(['evt-2', 'evt-3', 'evt-4']);
    expect(await collect(readIoLog(all, reader, { modelId: 'credit-risk', retentionMs: 3500, now: t0 + 9000 }, TOPIC))).toHaveLength(4);
    expect(await collect(readIoLog(all, reader, { modelId: 'credit-risk', limit: 2 }, TOPIC))).toHaveLength(2);
  });

  it('refuses a record whose clear fields were edited, naming the event', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider), topic: TOPIC });
    const record = await builder.record(tabularEvent(5), 'SAMPLED');
    for (const edit of [{ principal: 'someone-else' }, { timestamp: record.timestamp + 1 }, { modelVersion: '9.9.9' }, { reason: 'ALERT' as const }, { redactions: { email: 3 } }, { eventId: 'evt-6' }]) {
      const edited = { ...record, ...edit };
      const error = await collect(readIoLog([edited], new Envelope(provider), { modelId: 'credit-risk' }, TOPIC)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('VIGIL_DECRYPT_FAILED');
      expect((error as VigilError).message).toContain(`event ${edited.eventId}`);
    }
    await expect(collect(readIoLog([record], new Envelope(provider), { modelId: 'credit-risk' }, 'other.iolog'))).rejects.toThrow(/authentication failed/);
  });

  it('keeps hostile map keys as plain data (no prototype pollution), and colliding redacted keys apart', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider), topic: TOPIC });
    const features = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>;
    const attributes = JSON.parse('{"__proto__": "x", "a@b.com": "1", "c@d.org": "2"}') as Record<string, string>;
    const record = await builder.record(tabularEvent(9, { features, attributes }), 'SAMPLED');
    const [entry] = await collect(readIoLog([record], provider, { modelId: 'credit-risk' }, TOPIC));
    expect(Object.getPrototypeOf(entry?.payload.features)).toBe(Object.prototype);
    expect(Object.keys(entry?.payload.features ?? {})).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(entry?.payload.attributes ?? {})).toEqual(['__proto__', '[EMAIL]', '[EMAIL] #2']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('refuses malformed wire values with the decode codes', () => {
    const good = frame(1, encodeIoLogBody({ eventId: 'e', modelId: 'm', modelVersion: 'v', principal: 'p', timestamp: 1, redactions: {}, keyId: 'k', wrappedKey: Buffer.alloc(1), kekId: 'x', nonce: Buffer.alloc(12), ciphertext: Buffer.alloc(16), algorithm: 'AES-256-GCM', reason: 'SAMPLED' }));
    const code = (value: Buffer): string => {
      try {
        decodeIoLogValue(value, 'vigil.iolog[0]@1');
        return 'accepted';
      } catch (error) {
        return error instanceof VigilError ? error.code : 'other';
      }
    };
    expect(code(good)).toBe('accepted');
    expect(code(good.subarray(0, 3))).toBe('VIGIL_DECODE_SHORT');
    expect(code(Buffer.concat([Buffer.of(1), good.subarray(1)]))).toBe('VIGIL_DECODE_MAGIC');
    expect(code(Buffer.concat([good, Buffer.of(0)]))).toBe('VIGIL_DECODE_TRAILING');
    expect(['VIGIL_DECODE_TRUNCATED', 'VIGIL_DECODE_MALFORMED']).toContain(code(good.subarray(0, good.length - 4)));
    // A string that claims 2^40 bytes: refused without allocating them.
    const huge = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]), Buffer.from('abc')]);
    const before = process.memoryUsage().arrayBuffers;
    expect(['VIGIL_DECODE_TRUNCATED', 'VIGIL_DECODE_MALFORMED']).toContain(code(huge));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    expect(code(Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.alloc(64, 0xff)]))).not.toBe('accepted');
  });
});

describe('IoLogService (the admin API side)', () => {
  it('returns entries to auditors only, and access-logs every attempt', async () => {
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(provider), topic: TOPIC });
    const records = [await builder.record(tabularEvent(1), 'ALERT')];
    const log: IoLogAccessEvent[] = [];
    const service = new IoLogService({ source: () => records, envelope: new Envelope(provider), topic: TOPIC, accessLog: { record: async (e) => void log.push(e) }, clock: () => 42 });
    expect(await service.read('viewer-1', ['viewer'], { modelId: 'credit-risk' })).toEqual({ status: 'forbidden', reason: 'reading the I/O log needs the auditor role' });
    const ok = await service.read('auditor-1', ['auditor'], { modelId: 'credit-risk' });
    expect(ok.status === 'ok' ? ok.entries.map((e) => e.eventId) : ok).toEqual(['evt-1']);
    expect(log.map((e) => [e.principal, e.allowed, e.returned, e.at])).toEqual([
      ['viewer-1', false, 0, 42],
      ['auditor-1', true, 1, 42],
    ]);
  });
});
