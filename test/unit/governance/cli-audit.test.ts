import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/contracts/records.js';
import { CheckpointingChain } from '../../../src/governance/audit/chain.js';
import { ed25519Signer, hmacSigner } from '../../../src/governance/audit/keys.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir();
const ed = generateKeyPairSync('ed25519');
const pem = join(dir, 'audit.pub.pem');
writeFileSync(pem, ed.publicKey.export({ type: 'spki', format: 'pem' }));
const secret = randomBytes(32);
const keyring = join(dir, 'keyring.json');
writeFileSync(keyring, JSON.stringify({ keys: [{ keyId: ed25519Signer(ed.privateKey).keyId, algorithm: 'ed25519', publicKey: ed.publicKey.export({ type: 'spki', format: 'pem' }) }, { keyId: 'hmac:1', algorithm: 'hmac-sha256', secret: secret.toString('base64') }] }));

function records(chainId: string, n: number, signer = ed25519Signer(ed.privateKey)): AuditRecord[] {
  const c = new CheckpointingChain(chainId, signer, 4);
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) out.push(...c.append({ timestamp: 1_767_225_600_000 + i, actor: 'engine', action: 'alert.firing', subject: `m@${i}`, payload: { i } }));
  return out;
}
function exportFile(name: string, lines: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

describe('vigil audit verify', () => {
  const a = records('engine-0', 10);
  const b = records('engine-1', 6, hmacSigner(secret, 'hmac:1'));
  const good = exportFile('good.jsonl', [...a, ...b]);

  it('exits 0 on intact chains and names each with its head', async () => {
    const r = await runCli(['audit', 'verify', '--file', good, '--keyring', keyring]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^VERIFIED {2}chain engine-0: 12 records, 2 checkpoints/m);
    expect(r.out).toMatch(/^VERIFIED {2}chain engine-1: 7 records, 1 checkpoints, keys hmac:1/m);
  });

  it('exits 1 and says which record and why, in text and JSON', async () => {
    const tampered = a.map((r) => (r.seq === 3 ? { ...r, subject: 'm@999' } : r));
    const file = exportFile('bad.jsonl', [...tampered.slice(0, 6), ...tampered.slice(7)]);
    const r = await runCli(['audit', 'verify', '--file', file, '--key', pem]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^BROKEN {2}chain engine-0/m);
    expect(r.out).toMatch(/changed {13}record seq 3 \(position 3\) does not match its hash/);
    expect(r.out).toMatch(/removed {13}record seq 6 is missing/);
    const json = JSON.parse((await runCli(['audit', 'verify', '--file', file, '--key', pem, '--format', 'json'])).out) as { ok: boolean; chains: { findings: { kind: string }[] }[] };
    expect(json.ok).toBe(false);
    expect(json.chains[0]?.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['changed', 'removed', 'checkpoint-mismatch']));
  });

  it('reports a line that is not JSON as malformed, by its line number', async () => {
    const file = exportFile('garbled.jsonl', [...a.slice(0, 3), '{"chainId": "engine-0", "seq": 3, ', ...a.slice(3)]);
    const r = await runCli(['audit', 'verify', '--file', file, '--key', pem]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/malformed .*line 4 is not JSON/);
  });

  it('reports an oversized line as malformed without reading it as JSON', async () => {
    const file = exportFile('huge.jsonl', [...a.slice(0, 2), `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`, ...a.slice(2)]);
    const r = await runCli(['audit', 'verify', '--file', file, '--key', pem]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/malformed .*line 3 is longer than 4194304 characters/);
  });

  it('finds truncation against the head saved by an earlier run', async () => {
    const head = join(dir, 'head.json');
    expect((await runCli(['audit', 'verify', '--file', good, '--keyring', keyring, '--save-head', head])).code).toBe(0);
    expect(JSON.parse(readFileSync(head, 'utf8'))).toEqual([
      { chainId: 'engine-0', seq: 11, hash: a[11]?.hash },
      { chainId: 'engine-1', seq: 6, hash: b[6]?.hash },
    ]);
    const cut = exportFile('cut.jsonl', [...a.slice(0, 9), ...b]);
    const r = await runCli(['audit', 'verify', '--file', cut, '--keyring', keyring, '--head', head]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/truncated .*ends at seq 8, before the trusted head seq 11/);
    const gone = exportFile('gone.jsonl', [...b]);
    expect((await runCli(['audit', 'verify', '--file', gone, '--keyring', keyring, '--head', head])).out).toMatch(/chain engine-0: 0 records[\s\S]*truncated/);
  });

  it('exits 1 when a record is signed by a key it does not have', async () => {
    const r = await runCli(['audit', 'verify', '--file', good, '--key', pem]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/unknown-key .*no key "hmac:1" in the keyring/);
  });

  it.each([
    ['neither --file nor --topic', [], /give exactly one of --file/],
    ['both --file and --topic', ['--file', 'x', '--topic'], /give exactly one of --file/],
    ['a missing export', ['--file', join(dir, 'none.jsonl'), '--key', 'x'], /does not exist/],
    ['an export that is a folder', ['--file', dir, '--key', 'pem'], /cannot read audit export .*EISDIR/],
    ['a missing key file', ['--file', 'placeholder', '--key', join(dir, 'nokey.pem')], /key file .*nokey\.pem does not exist/],
    ['a keyring with a short HMAC secret', ['--file', 'placeholder', '--keyring', 'short'], /keys\[0\]\.secret is 4 bytes; at least 32 are needed/],
    ['a keyring that is not JSON', ['--file', 'placeholder', '--keyring', 'notjson'], /keyring .* is not JSON/],
    ['a bad format', ['--file', 'placeholder', '--key', 'x', '--format', 'xml'], /--format must be text or json/],
    ['a bad trusted head', ['--file', 'placeholder', '--key', 'pem', '--head', 'badhead'], /item 0 must be/],
    ['an unknown subcommand', null, /expected verify or report, got "sign"/],
  ])('exits 2 for %s', async (_name, args, message) => {
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ keys: [{ keyId: 'h', algorithm: 'hmac-sha256', secret: 'AAAAAA==' }] }));
    writeFileSync(join(dir, 'notjson.json'), '{');
    writeFileSync(join(dir, 'badhead.json'), JSON.stringify({ chainId: 'x', seq: 'one', hash: 'zz' }));
    const resolved = (args ?? []).map((x) => (x === 'placeholder' ? good : x === 'short' ? join(dir, 'short.json') : x === 'notjson' ? join(dir, 'notjson.json') : x === 'pem' ? pem : x === 'badhead' ? join(dir, 'badhead.json') : x));
    const r = await runCli(args === null ? ['audit', 'sign'] : ['audit', 'verify', ...resolved]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('has --help', async () => {
    expect(await runCli(['audit', '--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: vigil audit verify/) });
    expect((await runCli(['audit', 'verify', '--help'])).code).toBe(0);
  });
});
