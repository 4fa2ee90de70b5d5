import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { protectionFromConfig } from '../../../src/iolog/index.js';
import { writeKeyringFile } from '../../../src/security/crypto/keyring.js';
import { testKeyring } from '../security/crypto/helpers.js';
import { tabularEvent } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-protection-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('protectionFromConfig', () => {
  it('needs no key when nothing is switched on', () => {
    const { config } = parseConfigText('', 'vigil.yaml');
    expect(protectionFromConfig(config, 'vigil.', {})).toEqual({ provider: null, envelope: null, iolog: null, sealState: false, sealReferences: false });
  });

  it('builds the provider, envelope and builder from the configuration, relative to the working directory', async () => {
    writeKeyringFile(join(dir, 'kek.json'), testKeyring('protection'));
    const { config } = parseConfigText('iolog: { models: { credit-risk: { enabled: true, sampleRate: 1 } } }\nencryption: { keyFile: kek.json, state: true }', 'vigil.yaml');
    const protection = protectionFromConfig(config, 't.', {}, dir);
    expect(protection.sealState).toBe(true);
    expect(protection.iolog?.topic).toBe('t.iolog');
    const record = await protection.iolog?.build(tabularEvent(1), { alerted: false });
    expect(record?.kekId).toBe(protection.provider?.primaryKekId());
    expect(await protection.iolog?.build({ ...tabularEvent(2), modelId: 'other' }, { alerted: false })).toBeNull();
  });

  it('fails at start-up with a missing key or an unsafe pattern', () => {
    const logging = parseConfigText('iolog: { enabled: true }', 'vigil.yaml').config;
    expect(() => protectionFromConfig(logging, 'vigil.', {}, dir)).toThrow(/no key-encryption key/);
    const unsafe = parseConfigText('iolog: { enabled: true, redaction: { patterns: [{ name: p, regex: "x*" }] } }', 'vigil.yaml').config;
    expect(() => protectionFromConfig(unsafe, 'vigil.', { VIGIL_KEK: Buffer.alloc(32, 1).toString('base64') }, dir)).toThrow(/unbounded quantifier "\*"/);
  });
});
