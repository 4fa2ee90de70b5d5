/**
 * Canaries: events carrying known personal data and secrets become IoLogRecords whose raw Avro bytes
 * (as written to the topic) contain none of the canaries in any encoding, and whose decrypted
 * payloads hold placeholders instead of them.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../../src/config/defaults.js';
import { IoLogBuilder, encodeIoLogBody, readIoLog } from '../../../src/iolog/index.js';
import { frame } from '../../../src/pipeline/sink/encode.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { encryptSection } from '../../../src/security/crypto/section.js';
import { testProvider } from '../security/crypto/helpers.js';
import { llmEvent, settings, tabularEvent } from './fixtures.js';

const CANARIES = {
  email: 'canary.person@example.org',
  phone: '+1 202 555 0188',
  card: '4539 1488 0343 6467',
  cardDigits: '4916338506082832',
  iban: 'DE89370400440532013000',
  ssn: '219-09-9999',
  ip: '203.0.113.77',
  ipv6: '2001:db8:85a3::8a2e:370:7334',
  apiKey: 'sk-canaryAbCdEfGhIjKlMnOpQrStUv',
  awsKey: 'AKIACANARY0000000042',
  password: 'Hunter2Canary!',
  employee: 'EMP-889911',
  fieldValue: 'private-field-value-canary',
};

/** Every byte form a canary could take in a record: UTF-8, UTF-16 (both orders), base64 at all three alignments, hex. */
function encodings(canary: string): Buffer[] {
  const utf8 = Buffer.from(canary, 'utf8');
  const utf16le = Buffer.from(canary, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();
  const base64 = [0, 1, 2].map((shift) => {
    const text = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    // Drop the characters that depend on the padding bytes before and the bytes after.
    return Buffer.from(text.slice(Math.ceil((shift * 4) / 3) + 1, Math.floor(((shift + utf8.length) * 4) / 3) - 1), 'ascii');
  });
  return [utf8, utf16le, utf16be, ...base64, Buffer.from(utf8.toString('hex'), 'ascii'), Buffer.from(utf8.toString('hex').toUpperCase(), 'ascii')];
}

describe('canary test', () => {
  it('no canary appears in the raw Avro bytes of the records, in any encoding, and none survives decryption', async () => {
    const config = settings({
      redaction: { fields: ['internal_note'], patterns: [{ name: 'employee_id', regex: 'EMP-[0-9]{6}' }] },
      maxTextChars: CONFIG_DEFAULTS.iolog.maxTextChars,
    });
    const provider = testProvider();
    const builder = new IoLogBuilder({ settings: config, envelope: new Envelope(provider), topic: 'vigil.iolog' });
    const prose = `Customer ${CANARIES.email} (phone ${CANARIES.phone}) paid with ${CANARIES.card} from IBAN ${CANARIES.iban}; SSN ${CANARIES.ssn}; staff ${CANARIES.employee}.`;
    const events = [
      llmEvent(1, {
        prompt: `${prose} Use key ${CANARIES.apiKey} and password=${CANARIES.password}`,
        contexts: [`login from ${CANARIES.ip} and ${CANARIES.ipv6}`, `aws id ${CANARIES.awsKey}`, prose],
        response: `I have noted ${CANARIES.email} and card ${CANARIES.cardDigits}.`,
      }),
      tabularEvent(2, {
        features: { income: 52000.5, card_no: Number(CANARIES.cardDigits) },
        categorical: { contact: CANARIES.email, note: `call ${CANARIES.phone}` },
        attributes: { internal_note: CANARIES.fieldValue, password: CANARIES.password, [CANARIES.email]: 'key-is-an-address', client: CANARIES.ip },
        endpoint: `/score?api_key=${CANARIES.apiKey}`,
      }),
    ];
    const records = await Promise.all(events.map((e, i) => builder.record(e, i === 0 ? 'ALERT' : 'SAMPLED')));
    const raw = Buffer.concat(records.map((r) => frame(1, encodeIoLogBody(r))));

    // Control: the same search does find every canary in the unprotected events, whatever the encoding.
    const clear = JSON.stringify(events);
    for (const control of [Buffer.from(clear), Buffer.from(clear, 'utf16le'), Buffer.from(Buffer.from(clear).toString('base64')), Buffer.from(Buffer.from(clear).toString('hex'))]) {
      const missed = Object.entries(CANARIES).filter(([, canary]) => !encodings(canary).some((form) => control.includes(form)));
      expect(missed).toEqual([]);
    }

    const found: string[] = [];
    for (const [name, canary] of Object.entries(CANARIES)) {
      for (const [i, form] of encodings(canary).entries()) if (form.length >= 6 && raw.includes(form)) found.push(`${name}#${i}`);
    }
    expect(found).toEqual([]);

    const entries = [];
    for (const modelId of ['support-assistant', 'credit-risk']) {
      for await (const entry of readIoLog(records, new Envelope(provider), { modelId }, 'vigil.iolog')) entries.push(entry);
    }
    const plaintext = JSON.stringify(entries.map((e) => e.payload));
    expect(Object.entries(CANARIES).filter(([, canary]) => plaintext.includes(canary))).toEqual([]);
    expect(plaintext).toContain('[EMAIL]');
    expect(plaintext).toContain('[REDACTED]');
    expect(records[0]?.redactions).toMatchObject({ email: 3, phone: 2, card: 3, iban: 2, national_id: 2, ip: 2, credential: 3, employee_id: 2 });
    expect(records[1]?.redactions).toMatchObject({ field: 2, email: 2, card: 1, phone: 1, ip: 1, credential: 1 });
  });

  it('a sealed vigil.state body carrying canaries shows none of them in any encoding', async () => {
    const envelope = new Envelope(testProvider());
    const body = Buffer.from(JSON.stringify({ lastEvents: Object.values(CANARIES), note: CANARIES.email }));
    const section = await encryptSection(envelope, body, { topic: 'vigil.state', modelId: 'credit-risk', subject: 'credit-risk/1.1.0/p0' });
    const found = Object.entries(CANARIES).filter(([, canary]) => encodings(canary).some((form) => form.length >= 6 && section.includes(form)));
    expect(found).toEqual([]);
    expect(Object.entries(CANARIES).filter(([, canary]) => encodings(canary).some((form) => body.includes(form))).length).toBe(Object.keys(CANARIES).length);
  });
});
