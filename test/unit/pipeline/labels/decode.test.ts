import { describe, expect, it } from 'vitest';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { avroType } from '../../../../src/contracts/schemas.js';
import { VigilError } from '../../../../src/errors.js';
import { frameWire } from '../../../../src/pipeline/decode/wire.js';
import { LabelDecoder, MAX_LABEL_BYTES } from '../../../../src/pipeline/labels/decode.js';
import { FakeLookup, NOW, rec } from '../decode/helpers.js';

const LABEL_ID = 21;
const type = avroType('GroundTruth');
const label = (overrides: Record<string, unknown> = {}) => frameWire(LABEL_ID, type.toBuffer({ eventId: 'e-1', modelId: 'm', timestamp: NOW - 1000, label: 'fraud', ...overrides }));

function decoder(): { decoder: LabelDecoder; lookup: FakeLookup } {
  const lookup = new FakeLookup();
  lookup.schemas.set(LABEL_ID, schemaSource('GroundTruth'));
  return { decoder: new LabelDecoder(lookup, () => NOW), lookup };
}

describe('label decoding', () => {
  it('decodes string and numeric labels with their offsets', async () => {
    const { decoder: d } = decoder();
    const out = await d.decode([rec(label(), 5), rec(label({ eventId: 'e-2', label: 0.25 }), 6)]);
    expect(out.deadLetters).toEqual([]);
    expect(out.labels).toEqual([
      { index: 0, offset: '5', label: { eventId: 'e-1', modelId: 'm', timestamp: NOW - 1000, label: 'fraud' } },
      { index: 1, offset: '6', label: { eventId: 'e-2', modelId: 'm', timestamp: NOW - 1000, label: 0.25 } },
    ]);
  });

  it('dead-letters each malformed record with its code and goes on', async () => {
    const { decoder: d } = decoder();
    const good = label();
    const records = [
      rec(null, 0),
      rec(Buffer.from([1, 0, 0, 0, LABEL_ID, 2]), 1),
      rec(Buffer.from([0, 0, 0]), 2),
      rec(frameWire(999, type.toBuffer({ eventId: 'x', modelId: 'm', timestamp: NOW, label: 1 })), 3),
      rec(good.subarray(0, good.length - 3), 4),
      rec(Buffer.concat([good, Buffer.from([7])]), 5),
      rec(label({ eventId: '' }), 6),
      rec(label({ label: Number.NaN }), 7),
      rec(label({ timestamp: NOW + 3 * 24 * 3600 * 1000 }), 8),
      rec(Buffer.concat([good, Buffer.alloc(MAX_LABEL_BYTES)]), 9),
      rec(label({ eventId: 'ok' }), 10),
    ];
    const out = await d.decode(records);
    expect(out.deadLetters.map((x) => [x.index, x.code])).toEqual([
      [0, 'VIGIL_DECODE_SHORT'],
      [1, 'VIGIL_DECODE_MAGIC'],
      [2, 'VIGIL_DECODE_SHORT'],
      [3, 'VIGIL_DECODE_UNKNOWN_SCHEMA'],
      [4, 'VIGIL_DECODE_TRUNCATED'],
      [5, 'VIGIL_DECODE_TRAILING'],
      [6, 'VIGIL_EVENT_INVALID'],
      [7, 'VIGIL_EVENT_INVALID'],
      [8, 'VIGIL_EVENT_INVALID'],
      [9, 'VIGIL_DECODE_OVERSIZED'],
    ]);
    expect(out.labels.map((l) => l.label.eventId)).toEqual(['ok']);
  });

  it('reads an evolved writer schema and keeps known ids through a registry outage', async () => {
    const { decoder: d, lookup } = decoder();
    const evolved = JSON.parse(schemaSource('GroundTruth')) as { fields: unknown[] };
    evolved.fields.push({ name: 'source', type: 'string', default: 'review' });
    lookup.schemas.set(22, JSON.stringify(evolved));
    const writer = (await import('avsc')).default.Type.forSchema(evolved as never, { wrapUnions: false });
    const bytes = frameWire(22, writer.toBuffer({ eventId: 'e-9', modelId: 'm', timestamp: NOW, label: 'ok', source: 'audit' }));
    expect((await d.decode([rec(bytes, 0)])).labels[0]!.label).toEqual({ eventId: 'e-9', modelId: 'm', timestamp: NOW, label: 'ok' });
    lookup.outage = new VigilError('VIGIL_REGISTRY_UNAVAILABLE', 'down');
    expect((await d.decode([rec(bytes, 1)])).labels).toHaveLength(1);
    await expect(d.decode([rec(frameWire(23, Buffer.from([0])), 2)])).rejects.toThrow(/down/);
  });
});
