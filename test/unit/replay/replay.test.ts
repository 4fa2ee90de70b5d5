import avro from 'avsc';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/index.js';
import { avroType } from '../../../src/contracts/schemas.js';
import { EventGenerator } from '../../../src/demo/generator.js';
import { main } from '../../../src/main.js';
import type { CommandIo } from '../../../src/cli/io.js';
import { LocalSchemaSource, readEvents, replay, type RecordedEvent } from '../../../src/replay/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const drifting = new EventGenerator({ modelId: 'fraud', modelVersion: '2.0.0', seed: 7, driftFrom: 2500, driftSigma: 1.5, driftedFeatures: 4 }).take(4000);
const stable = new EventGenerator({ modelId: 'steady', modelVersion: '1.0.0', seed: 8 }).take(2000);
const config = { engine: { windows: { count: 500, timeMs: 3_600_000 }, reference: { events: 1000 }, pool: { threads: 1 } }, policy: { rollback: { consecutiveCriticalWindows: 2 }, lastApproved: { fraud: '1.0.0' } } };
const eventsFile = join(dir, 'events.jsonl');
// Interleaved as a gateway would record them.
const mixed = drifting.flatMap((e, i) => (i < stable.length ? [e, stable[i]!] : [e]));
writeFileSync(eventsFile, mixed.map((e) => JSON.stringify(e)).join('\n'));
const configFile = join(dir, 'vigil.yaml');
writeFileSync(configFile, JSON.stringify(config));

function io(): CommandIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => void out_.push(l), err: (l) => void err_.push(l) };
}

async function* from(list: readonly RecordedEvent[]): AsyncGenerator<RecordedEvent> {
  yield* list;
}

describe('replay', () => {
  it('serves the bundled schemas by local id and refuses other ids', async () => {
    const source = new LocalSchemaSource();
    expect(JSON.parse(await source.schemaFor(source.idOf('InferenceEvent')))).toMatchObject({ name: 'InferenceEvent' });
    await expect(source.schemaFor(999)).rejects.toMatchObject({ code: 'VIGIL_DECODE_UNKNOWN_SCHEMA' });
    await expect(source.schemaFor(0)).rejects.toMatchObject({ code: 'VIGIL_DECODE_UNKNOWN_SCHEMA' });
  });

  it('alerts on the drifted model only, issues its rollback, and gives the same ids every time', async () => {
    const loaded = buildConfig(config, 'test');
    const first = await replay({ config: loaded, events: readEvents(eventsFile) });
    expect(first.events).toBe(6000);
    expect(first.decoded).toBe(6000);
    expect(first.windows).toBe(6 + 2);
    expect(new Set(first.alerts.map((a) => a.modelId))).toEqual(new Set(['fraud']));
    expect(new Set(first.alerts.filter((a) => a.severity === 'CRITICAL').map((a) => a.feature))).toEqual(new Set(['f00', 'f01', 'f02', 'f03']));
    expect(first.commands.map((c) => [c.modelId, c.action, c.fromVersion, c.toVersion])).toEqual([['fraud', 'ROLLBACK', '2.0.0', '1.0.0']]);
    expect(first.byDetector['psi']!.firing).toBe(first.alerts.filter((a) => a.status === 'FIRING').length);
    const again = await replay({ config: loaded, events: from(mixed.map((event, i) => ({ event, at: `line ${i + 1}` }))) });
    expect(again.alerts).toEqual(first.alerts);
    expect(again.commands).toEqual(first.commands);
  });

  it('reports what the engine would dead-letter, with the line of each event', async () => {
    const events = drifting.slice(0, 20).map((event, i) => ({ event, at: `line ${i + 1}` }));
    events.push({ event: { ...drifting[3]! }, at: 'line 21' }); // a duplicate eventId
    const result = await replay({ config: buildConfig(config, 'test'), events: from(events) });
    expect(result.deadLettered).toBe(1);
    expect(result.deadLettersByCode).toEqual({ VIGIL_EVENT_DUPLICATE: 1 });
    expect(result.deadLetters[0]).toMatchObject({ at: 'line 21', code: 'VIGIL_EVENT_DUPLICATE' });
  });
});

describe('vigil replay', () => {
  it('prints a text report with the alerts, the command and counts per detector', async () => {
    const out = io();
    expect(await main(['replay', '--events', eventsFile, '--config', configFile], out)).toBe(0);
    const text = out.out_.join('\n');
    expect(text).toMatch(/replayed 6000 events from .*events\.jsonl: 6000 scored, 0 dead-lettered, 8 windows closed/);
    expect(text).toMatch(/ROLLBACK fraud 2\.0\.0 -> 1\.0\.0 {2}by policy:rollback/);
    expect(text).toMatch(/psi +FIRING \d+ \(CRITICAL \d+, WARNING \d+\) {2}RESOLVED \d+/);
    expect(out.err_).toEqual([]); // no progress bar off a terminal
  });

  it('prints JSON that holds every alert and command', async () => {
    const out = io();
    expect(await main(['replay', '--events', eventsFile, '--config', configFile, '--format', 'json'], out)).toBe(0);
    const report = JSON.parse(out.out_.join('\n')) as { alerts: { alertId: string }[]; commands: unknown[]; events: number };
    expect(report.events).toBe(6000);
    expect(report.commands).toHaveLength(1);
    expect(report.alerts.length).toBeGreaterThan(0);
  });

  it.each([
    [['replay'], /--events FILE is required/],
    [['replay', '--events', eventsFile, '--format', 'xml'], /--format must be text or json, got "xml"/],
    [['replay', '--events', eventsFile, '--colour'], /Unknown option '--colour'/],
    [['replay', '--events', join(dir, 'missing.jsonl')], /cannot read events file .*missing\.jsonl.*\[VIGIL_INPUT_INVALID\]/],
    [['replay', '--events', join(import.meta.dirname, '../../fixtures/replay/bad-field.jsonl')], /line 3: field features\.a expected double, got "high" \[VIGIL_INPUT_INVALID\]/],
    [['replay', '--events', eventsFile, '--config', join(dir, 'missing.yaml')], /cannot read configuration file/],
  ])('exits 2 on %j with a message naming the fault', async (argv, message) => {
    const out = io();
    expect(await main(argv, out)).toBe(2);
    expect(out.err_.join('\n')).toMatch(message);
  });

  it('gives the same report from an Avro container file (written by avsc, deflated) as from JSON lines', async () => {
    const avroFile = join(dir, 'events.avro');
    const encoder = new avro.streams.BlockEncoder(avroType('InferenceEvent'), { codec: 'deflate' });
    const chunks: Buffer[] = [];
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(encoder, 'end');
    for (const event of mixed) encoder.write(event);
    encoder.end();
    await ended;
    writeFileSync(avroFile, Buffer.concat(chunks));
    const [fromJson, fromAvro] = [io(), io()];
    expect(await main(['replay', '--events', eventsFile, '--config', configFile, '--format', 'json'], fromJson)).toBe(0);
    expect(await main(['replay', '--events', avroFile, '--config', configFile, '--format', 'json'], fromAvro)).toBe(0);
    const strip = (text: string) => {
      const { file: _file, ...rest } = JSON.parse(text) as { file: string };
      return rest;
    };
    expect(strip(fromAvro.out_.join('\n'))).toEqual(strip(fromJson.out_.join('\n')));
  });

  it('has --help', async () => {
    const out = io();
    expect(await main(['replay', '--help'], out)).toBe(0);
    expect(out.out_.join('\n')).toMatch(/Usage: vigil replay --events FILE/);
  });
});
