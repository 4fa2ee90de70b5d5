import avro from 'avsc';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../../src/contracts/records.js';
import { avroType, schemaSource } from '../../../src/contracts/schemas.js';
import { EventGenerator } from '../../../src/demo/generator.js';
import { VigilError } from '../../../src/errors.js';
import { MAX_LINE_BYTES, readEvents, type RecordedEvent } from '../../../src/replay/events.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const events = new EventGenerator({ modelId: 'm', modelVersion: '1.0.0', seed: 5 }).take(30);

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function all(path: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of readEvents(path)) out.push(e);
  return out;
}

async function failure(path: string): Promise<VigilError> {
  try {
    await all(path);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

/** An Avro object container file: header, then blocks of `perBlock` records. */
function container(records: readonly unknown[], options: { codec?: 'null' | 'deflate'; perBlock?: number; schema?: string } = {}): Buffer {
  const codec = options.codec ?? 'null';
  const type = avroType('InferenceEvent');
  const sync = Buffer.alloc(16, 7);
  const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' }).toBuffer({ 'avro.schema': Buffer.from(options.schema ?? schemaSource('InferenceEvent')), 'avro.codec': Buffer.from(codec) });
  const long = avro.Type.forSchema('long');
  const parts: Buffer[] = [Buffer.from('Obj\u0001', 'latin1'), meta, sync];
  const per = options.perBlock ?? 10;
  for (let i = 0; i < records.length; i += per) {
    const chunk = records.slice(i, i + per);
    let data = Buffer.concat(chunk.map((r) => type.toBuffer(r)));
    if (codec === 'deflate') data = deflateRawSync(data);
    parts.push(long.toBuffer(chunk.length), long.toBuffer(data.length), data, sync);
  }
  return Buffer.concat(parts);
}

describe('reading recorded events', () => {
  it('reads JSON lines, skipping blank lines, filling the schema defaults', async () => {
    const lines = events.map((e) => JSON.stringify(e));
    const { categorical: _c, attributes: _a, llm: _l, ...lean } = events[0]!;
    lines[0] = JSON.stringify(lean);
    lines.splice(3, 0, '', '   ');
    const read = await all(file('ok.jsonl', lines.join('\n')));
    expect(read.map((r) => r.event)).toEqual(events);
    expect(read[3]!.at).toBe('line 6');
  });

  it('reads an Avro object container file, plain or deflated', async () => {
    expect((await all(file('ok.avro', container(events)))).map((r) => r.event)).toEqual(events);
    const deflated = await all(file('ok-deflate.avro', container(events, { codec: 'deflate', perBlock: 7 })));
    expect(deflated.map((r) => r.event)).toEqual(events);
    expect(deflated[29]!.at).toBe('record 30');
  });

  it.each([
    ['a line that is not JSON', '{"eventId":', /line 1: not a JSON document/],
    ['a line that is not an object', '[1,2]', /line 1: field \(event\) must be an object/],
    ['an unknown field', JSON.stringify({ ...events[0], colour: 'red' }), /line 1: field colour is not a field of InferenceEvent/],
    ['an unknown nested field', JSON.stringify({ ...events[0], llm: { response: 'x', mood: 1 } }), /line 1: field llm\.mood is not a field of InferenceEvent/],
    ['a timestamp as text', JSON.stringify({ ...events[0], timestamp: '2026-01-01' }), /line 1: field timestamp expected long, got "2026-01-01"/],
    ['a bad status', JSON.stringify({ ...events[0], status: 'FINE' }), /line 1: field status expected one of OK, ERROR, TIMEOUT, FALLBACK, got "FINE"/],
    ['a missing required field', JSON.stringify({ ...events[0], modelId: undefined }), /line 1: field modelId expected string, got nothing/],
  ])('refuses %s, naming the line and the field', async (_what, content, message) => {
    const error = await failure(file('bad.jsonl', content));
    expect(error.code).toBe('VIGIL_INPUT_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
  });

  it('names the line of a bad feature value in the committed fixture', async () => {
    const error = await failure(join(import.meta.dirname, '../../fixtures/replay/bad-field.jsonl'));
    expect(error.message).toMatch(/bad-field\.jsonl line 3: field features\.a expected double, got "high"/);
  });

  it('refuses a line longer than the limit without holding it whole', async () => {
    const path = file('long.jsonl', `${JSON.stringify(events[0])}\n{"eventId":"${'x'.repeat(MAX_LINE_BYTES + 10)}"}\n`);
    expect((await failure(path)).message).toMatch(new RegExp(`line 2: longer than ${MAX_LINE_BYTES} bytes`));
  });

  it('refuses a missing file with its name', async () => {
    expect((await failure(join(dir, 'nope.jsonl'))).message).toMatch(/cannot read events file .*nope\.jsonl/);
  });

  it.each([
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 40), /block 3: declares \d+ records in \d+ bytes, more than the file holds/],
    ['a wrong sync marker', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 1), Buffer.from([9])]), /block 3: the sync marker after it does not match/],
    ['a cut header', (b: Buffer) => b.subarray(0, 20), /header: the metadata is cut short/],
  ])('refuses an Avro file with %s, naming where', async (_what, damage, message) => {
    const error = await failure(file('bad.avro', damage(container(events))));
    expect(error.code).toBe('VIGIL_INPUT_INVALID');
    expect(error.message).toMatch(message);
  });

  it('refuses a block that claims more records than it holds, and an unreadable writer schema', async () => {
    const good = container(events.slice(0, 1));
    // Rewrite the record count of the one block (right after the 16-byte sync of the header) to 100.
    const headerEnd = good.indexOf(Buffer.alloc(16, 7)) + 16;
    const bloated = Buffer.concat([good.subarray(0, headerEnd), avro.Type.forSchema('long').toBuffer(100), good.subarray(headerEnd + 1)]);
    expect((await failure(file('count.avro', bloated))).message).toMatch(/record 2: the record is cut short/);
    const other = container([], { schema: JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }) });
    expect((await failure(file('schema.avro', other))).message).toMatch(/header: the writer schema cannot be read as an InferenceEvent/);
  });

  it('checks decoded Avro records like JSON ones (a NaN feature is still refused by decode, not here)', async () => {
    const read = await all(file('one.avro', container([{ ...events[0]!, features: { a: Number.NaN } } satisfies InferenceEvent])));
    expect(Number.isNaN(read[0]!.event.features['a'])).toBe(true);
    expect(readFileSync(join(dir, 'one.avro')).subarray(0, 4).toString('latin1')).toBe('Obj\u0001');
  });
});
