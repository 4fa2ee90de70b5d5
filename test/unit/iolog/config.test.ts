import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { VigilError } from '../../../src/errors.js';
import { IoLogBuilder } from '../../../src/iolog/index.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { testProvider } from '../security/crypto/helpers.js';

function problem(yaml: string): string {
  try {
    parseConfigText(yaml, 'vigil.yaml');
  } catch (error) {
    if (error instanceof VigilError && error.code === 'VIGIL_CONFIG_INVALID') return error.message;
    throw error;
  }
  return 'accepted';
}

describe('the iolog and encryption configuration blocks', () => {
  it('default to logging off, and take per-model settings, fields and patterns', () => {
    const defaults = parseConfigText('', 'vigil.yaml').config;
    expect(defaults.iolog).toMatchObject({ enabled: false, sampleRate: 0.01, alwaysOnAlert: true, retentionDays: 30 });
    expect(defaults.encryption).toEqual({ keyFile: null, keyEnv: 'VIGIL_KEK', maxUsesPerDataKey: 16_777_216, state: false, references: false });
    const { config } = parseConfigText(
      [
        'iolog:',
        '  enabled: true',
        '  sampleRate: 0.05',
        '  redaction: { fields: [customer_email], patterns: [{ name: employee_id, regex: "EMP-[0-9]{6}" }] }',
        '  models: { credit-risk: { sampleRate: 0.5, retentionDays: 90 } }',
        'encryption: { keyFile: keys/kek.json, maxUsesPerDataKey: 1000000, state: true }',
      ].join('\n'),
      'vigil.yaml',
    );
    expect(config.iolog.models['credit-risk']).toEqual({ sampleRate: 0.5, retentionDays: 90 });
    expect(config.encryption).toMatchObject({ keyFile: 'keys/kek.json', state: true, references: false });
    const builder = new IoLogBuilder({ settings: config.iolog, envelope: new Envelope(testProvider()), topic: 'vigil.iolog' });
    expect(builder.decide({ modelId: 'credit-risk', eventId: 'x' }, true)).toBe('ALERT');
  });

  it.each([
    ['iolog: { sampleRat: 0.1 }', /iolog\.sampleRat is not a known key/],
    ['iolog: { sampleRate: 1.5 }', /iolog\.sampleRate must be number .*<= 1/],
    ['iolog: { retentionDays: 0 }', /iolog\.retentionDays must be integer >= 1/],
    ['iolog: { models: { m: { maxTextChars: 5 } } }', /iolog\.models\.m\.maxTextChars is not a known key/],
    ['iolog: { redaction: { patterns: [{ name: x }] } }', /iolog\.redaction\.patterns\.0/],
    ['iolog: { redaction: { patterns: [{ name: x, regex: y, flags: g }] } }', /flags is not a known key/],
    ['encryption: { keyFile: "" }', /encryption\.keyFile/],
    ['encryption: { keyEnv: "lower" }', /encryption\.keyEnv/],
    ['encryption: { maxUsesPerDataKey: 4294967296 }', /encryption\.maxUsesPerDataKey must be integer >= 1 and <= 268435456/],
    ['encryption: { kms: aws }', /encryption\.kms is not a known key/],
  ])('%s is refused with the key path', (yaml, message) => {
    expect(problem(yaml)).toMatch(message);
  });

  it('refuses an unsafe configured pattern when the builder is made (start-up), naming its path', () => {
    const { config } = parseConfigText('iolog: { redaction: { patterns: [{ name: greedy, regex: "a+b" }] } }', 'vigil.yaml');
    expect(() => new IoLogBuilder({ settings: config.iolog, envelope: new Envelope(testProvider()), topic: 't' })).toThrow(
      /iolog\.redaction\.patterns\[0\]\.regex "a\+b" is refused: unbounded quantifier/,
    );
  });
});
