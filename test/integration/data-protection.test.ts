/**
 * Data protection on the real stack: events carrying personal data pass through the engine with I/O
 * logging and state encryption on. The raw bytes of vigil.iolog and vigil.state hold none of the
 * canaries in any encoding; a key holder reads the I/O log back, redacted; and the key-encryption key
 * rotated mid-stream leaves every record readable.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceEvent, IoLogRecord, StateRecord } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { readIoLog } from '../../src/iolog/index.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { newKek, readKeyringFile, rotateKeyring, writeKeyringFile, LocalKeyProvider } from '../../src/security/crypto/keyring.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { collect, consumedAll, stack, testAuditKey, uniquePrefix } from './helpers.js';

const CANARIES = {
  email: 'zora.canary@example.org',
  card: '4539148803436467',
  name: 'Quillon Vantablack',
  secret: 'sk-canaryZyXwVuTsRqPoNmLkJiHg',
};

function encodings(canary: string): Buffer[] {
  const utf8 = Buffer.from(canary, 'utf8');
  const utf16 = Buffer.from(canary, 'utf16le');
  const base64 = [0, 1, 2].map((shift) => {
    const text = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    return Buffer.from(text.slice(Math.ceil((shift * 4) / 3) + 1, Math.floor(((shift + utf8.length) * 4) / 3) - 1), 'ascii');
  });
  return [utf8, utf16, Buffer.from(utf16).swap16(), ...base64, Buffer.from(utf8.toString('hex'), 'ascii')];
}

function leaks(raw: readonly (Buffer | null)[]): string[] {
  const found: string[] = [];
  for (const bytes of raw) {
    if (bytes === null) continue;
    for (const [name, canary] of Object.entries(CANARIES)) for (const form of encodings(canary)) if (bytes.includes(form)) found.push(name);
  }
  return [...new Set(found)];
}

describe('data protection in the engine', () => {
  const prefix = uniquePrefix('protect');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
  const keyFile = join(dir, 'kek.json');
  let engine: Engine | undefined;

  afterAll(async () => {
    await engine?.stop();
  });

  it('keeps every canary out of vigil.iolog and vigil.state, and the log readable across a key rotation', async () => {
    writeKeyringFile(keyFile, rotateKeyring(null, newKek()));
    await ensureTopics(stack().brokers, prefix, 1);
    const config = buildConfig(
      {
        engine: { groupId: `${prefix}engine`, windows: { count: 100, timeMs: 3_600_000 }, reference: { events: 100 } },
        iolog: { enabled: true, sampleRate: 1 },
        encryption: { keyFile, state: true, references: true },
      },
      'test',
    );
    engine = new Engine({ config, infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey: testAuditKey(), listen: false, logger: createLogger({ level: 'silent' }) });
    await engine.start();
    const producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
    const prose = `Customer ${CANARIES.name} <${CANARIES.email}> paid with card ${CANARIES.card}; use key ${CANARIES.secret}.`;
    const events = new EventGenerator({ modelId: 'assistant', modelVersion: '1', seed: 3, features: 3 }).take(300).map((e, i) => ({
      ...e,
      categorical: { contact: CANARIES.email },
      llm: { prompt: prose, response: `Noted, ${CANARIES.name}.`, contexts: [prose], tokenLogprobs: [-0.1, -0.2], responseEmbedding: null, contextEmbedding: null, samples: [], inputTokens: 10, outputTokens: 2 },
      eventId: `evt-${i}`,
    }));
    try {
      await producer.send(events.slice(0, 150).map((value) => ({ key: value.modelId, value })));
      await consumedAll(engine, 150, 60_000);
      // Rotation drill: a new primary key-encryption key, picked up without a restart.
      writeKeyringFile(keyFile, rotateKeyring(readKeyringFile(keyFile), newKek()));
      await producer.send(events.slice(150).map((value) => ({ key: value.modelId, value })));
      await consumedAll(engine, 300, 60_000);
    } finally {
      await producer.close();
    }

    const iolog = await collect<IoLogRecord>(`${prefix}iolog`, 'IoLogRecord', (r) => r.length >= 300, 30_000);
    const state = await collect<StateRecord>(`${prefix}state`, 'StateRecord', (r) => r.length > 0, 10_000);
    expect(iolog).toHaveLength(300);
    expect(state.length).toBeGreaterThan(0);
    expect(state.every((r) => r.value!.encrypted)).toBe(true);
    // Control: the events as produced do carry the canaries.
    expect(leaks([Buffer.from(JSON.stringify(events))]).sort()).toEqual(Object.keys(CANARIES).sort());
    expect(leaks(iolog.map((r) => r.raw))).toEqual([]);
    expect(leaks(state.map((r) => r.raw))).toEqual([]);
    // Both keys wrapped data keys: records before and after the rotation.
    const kekIds = new Set(iolog.map((r) => JSON.stringify(r.value!).match(/kek-[0-9a-f]{16}/)?.[0]));
    expect(kekIds.size).toBe(2);

    // The key holder reads every record back, redacted (the name is not personal data a pattern knows: it stays, encrypted at rest).
    const provider = new LocalKeyProvider(readKeyringFile(keyFile));
    const entries = [];
    for await (const entry of readIoLog(iolog.map((r) => r.value!), provider, { modelId: 'assistant' }, `${prefix}iolog`)) entries.push(entry);
    expect(entries).toHaveLength(300);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(CANARIES.email);
    expect(text).not.toContain(CANARIES.card);
    expect(text).not.toContain(CANARIES.secret);
    expect(text).toContain(CANARIES.name);
  }, 180_000);
});
