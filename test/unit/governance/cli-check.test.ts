import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeManifest, runCli, tempDir } from './helpers.js';

const dir = tempDir();
const write = (name: string, value: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
};
const good = write('good.json', makeManifest());
const context = write('context.json', { submitter: 'alice', approvals: [{ actor: 'bob', at: 1 }, { actor: 'carol', at: 2 }], approvedEarlier: ['1.0.0'] });

describe('vigil check', () => {
  it('exits 0 on a compliant manifest', async () => {
    const r = await runCli(['check', good, '--context', context]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASSED: 37 rules passed, 0 failed/m);
  });

  it('exits 1 on violations, in every format', async () => {
    const bad = write('bad.json', makeManifest((m) => { delete m.rollback; }));
    for (const format of ['text', 'json', 'sarif', 'junit']) {
      const r = await runCli(['check', bad, '--format', format]);
      expect(r.code, format).toBe(1);
      expect(r.out, format).toContain('EUAIA-15-FAIL-SAFE');
    }
    const json = JSON.parse((await runCli(['check', bad, '--format', 'json'])).out) as { passed: boolean; findings: { path: string }[] };
    expect(json.passed).toBe(false);
    expect(json.findings.map((f) => f.path)).toContain('rollback');
  });

  it('exits 0 when only warnings are found', async () => {
    const warn = write('warn.json', makeManifest((m) => { m.ioLogging = { enabled: true, encrypted: true, retentionDays: 5000 }; }));
    const r = await runCli(['check', warn, '--pack', 'nist-ai-rmf', '--context', context]);
    expect(r.out).toMatch(/WARNING NIST-MANAGE-4\.1-POST-DEPLOYMENT/);
    expect(r.code).toBe(0);
  });

  it('writes the report to --output and says where', async () => {
    const out = join(dir, 'report.sarif');
    const r = await runCli(['check', good, '--format', 'sarif', '--output', out, '--context', context]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: '2.1.0' });
  });

  it.each([
    ['no manifest', [], /expected a manifest file/],
    ['a bad format', ['--format', 'xml'], /--format must be text, json, sarif, junit, got "xml"/],
    ['an unknown pack', ['--pack', 'sox'], /no rule pack named "sox"/],
    ['an unknown flag', ['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const r = await runCli(['check', ...(args.length === 0 || args[0]?.startsWith('--') ? (args.length === 0 ? [] : [good, ...args]) : args)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it.each([
    ['not JSON', '{"manifestVersion": 1,', /is not JSON/, '(root)'],
    ['a wrong type', JSON.stringify({ ...makeManifest(), riskClass: 'extreme' }), /riskClass must be/, 'riskClass'],
    ['a missing field', JSON.stringify({ ...makeManifest(), artifact: { uri: 'm', sizeBytes: 1 } }), /artifact\.sha256 is required/, 'artifact.sha256'],
    ['an unknown field', JSON.stringify({ ...makeManifest(), approvedBy: 'me' }), /approvedBy is not a known key/, 'approvedBy'],
    ['an environment variable value smuggled in as a name', JSON.stringify(makeManifest((m) => { m.environment = { ...m.environment, envVarNames: ['API_KEY=hunter2'] }; })), /environment\.envVarNames\.0/, 'environment.envVarNames.0'],
    ['an edited manifest (environment hash no longer matches)', JSON.stringify({ ...makeManifest(), artifact: { uri: 'model.bin', sha256: 'f'.repeat(64), sizeBytes: 1234 } }), /environmentHash must be the hash of the manifest's environment/, 'environmentHash'],
    ['a list instead of an object', '[]', /\(root\) must be/, '(root)'],
    ['a __proto__ document kind', JSON.stringify(makeManifest()).replace('"documents":{', '"documents":{"__proto__":{"uri":"x","sha256":null},'), /documents\.__proto__ is not a valid id/, 'documents'],
    ['a __proto__ runtime', JSON.stringify(makeManifest()).replace('"runtimes":{', '"runtimes":{"__proto__":"1",'), /environment\.runtimes\.__proto__ is not a valid id/, 'runtimes'],
    ['an empty file', '', /is not JSON/, '(root)'],
  ])('exits 2 on a manifest that is %s, naming the file and field', async (_name, text, message, field) => {
    const file = write(`m-${field.replace(/\W/g, '_')}-${Math.random()}.json`, text);
    const r = await runCli(['check', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(file);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/\[VIGIL_MANIFEST_INVALID\]$/);
  });

  it('exits 2 on a missing or oversized manifest and a malformed context', async () => {
    expect((await runCli(['check', join(dir, 'nope.json')])).err).toMatch(/cannot read manifest .*nope\.json/);
    const big = write('big.json', `{"x":"${'a'.repeat(16 * 1024 * 1024)}"}`);
    expect(await runCli(['check', big])).toMatchObject({ code: 2, err: expect.stringMatching(/at most 16777216/) });
    const ctx = write('ctx.json', { approvals: [{ actor: '', at: 1 }] });
    expect(await runCli(['check', good, '--context', ctx])).toMatchObject({ code: 2, err: expect.stringMatching(/approvals\[0\]\.actor must be a non-empty string/) });
    const ctx2 = write('ctx2.json', { approvers: [] });
    expect(await runCli(['check', good, '--context', ctx2])).toMatchObject({ code: 2, err: expect.stringMatching(/approvers must be absent/) });
  });

  it('has --help', async () => {
    expect(await runCli(['check', '--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: vigil check MANIFEST/) });
  });
});
