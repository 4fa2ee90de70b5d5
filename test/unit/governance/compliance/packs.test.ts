import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPacks, parsePack, readPackFile } from '../../../../src/governance/compliance/packs.js';
import { compareVersions, parseConstraint, satisfies } from '../../../../src/governance/compliance/versions.js';
import { expectVigilError, tempDir } from '../helpers.js';

const rule = (extra: object = {}) => ({ id: 'R1', title: 'r', clause: { ref: 'C.1', title: 'c' }, severity: 'error', check: { kind: 'rollback-target' }, ...extra });
const doc = (extra: object = {}, rules: object[] = [rule()]) => JSON.stringify({ pack: 'p', framework: 'F', title: 't', version: '1', rules, ...extra });

describe('rule pack loading', () => {
  it('reads YAML and JSON packs', () => {
    expect(parsePack(doc(), 'a.json').rules).toHaveLength(1);
    const yaml = 'pack: p\nframework: F\ntitle: t\nversion: "1"\nrules:\n  - id: R1\n    title: r\n    clause: { ref: C.1, title: c }\n    severity: warning\n    check: { kind: io-logging, encrypted: true }\n';
    expect(parsePack(yaml, 'a.yaml').rules[0]?.check).toEqual({ kind: 'io-logging', encrypted: true });
  });

  it.each([
    ['an unknown top-level key', doc({ extra: 1 }), /extra is not a known key/],
    ['a misspelt rule key', doc({}, [rule({ severty: 'error' })]), /rules\.0\.severty is not a known key/],
    ['an unknown check kind', doc({}, [rule({ check: { kind: 'vibes' } })]), /rules\.0\.check/],
    ['a check with a misspelt parameter', doc({}, [rule({ check: { kind: 'io-logging', encrpyted: true } })]), /rules\.0\.check\.encrpyted is not a known key/],
    ['a bad severity', doc({}, [rule({ severity: 'fatal' })]), /rules\.0\.severity/],
    ['an unknown risk class', doc({}, [rule({ riskClasses: ['extreme'] })]), /rules\.0\.riskClasses\.0/],
    ['a path that is not dotted names', doc({}, [rule({ check: { kind: 'required', paths: ['a..b'] } })]), /rules\.0\.check\.paths\.0/],
    ['no rules', doc({}, []), /rules must be/],
    ['a rule id used twice', doc({}, [rule(), rule()]), /rules\[1\]\.id "R1" is used twice/],
    ['a bad version constraint', doc({}, [rule({ check: { kind: 'banned-packages', packages: [{ name: 'x', versions: ['~>1'], reason: 'r' }] } })]), /versions\[0\].*"~>1" is not a comparison/],
    ['min above max retention', doc({}, [rule({ check: { kind: 'retention', path: 'a', minDays: 10, maxDays: 5 } })]), /minDays is above maxDays/],
    ['YAML that does not parse', 'pack: [unclosed', /neither valid JSON nor valid YAML/],
    ['a YAML alias bomb', 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n', /neither valid JSON nor valid YAML|not a known key/],
    ['a __proto__ key', '{"pack":"p","framework":"F","title":"t","version":"1","rules":[],"__proto__":{"x":1}}', /__proto__ is not a known key|rules must be/],
    ['a document that is a list', '[1,2]', /\(root\) must be/],
  ])('refuses %s with VIGIL_POLICY_INVALID naming the field', (_name, text, message) => {
    const e = expectVigilError(() => parsePack(text, 'pack.yaml'));
    expect(e.code).toBe('VIGIL_POLICY_INVALID');
    expect(e.message).toContain('pack.yaml');
    expect(e.message).toMatch(message);
  });

  it('refuses an oversized pack file before parsing it', () => {
    const file = join(tempDir(), 'big.yaml');
    writeFileSync(file, `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(expectVigilError(() => readPackFile(file))).toMatchObject({ code: 'VIGIL_POLICY_INVALID', message: expect.stringMatching(/at most 1048576/) });
  });

  it('refuses two packs with the same name, and an unknown shipped pack', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), doc());
    writeFileSync(join(dir, 'b.json'), doc());
    expect(expectVigilError(() => loadPacks([join(dir, 'a.json'), join(dir, 'b.json')])).message).toMatch(/both named "p"/);
    expect(expectVigilError(() => loadPacks(['gdpr']))).toMatchObject({ code: 'VIGIL_USAGE', message: expect.stringMatching(/no rule pack named "gdpr"; shipped packs: eu-ai-act, iso-42001, nist-ai-rmf/) });
  });
});

describe('version constraints', () => {
  it('orders versions numerically by part, pre-releases before their release', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('2.0.0-rc.1', '2.0.0')).toBe(-1);
    expect(compareVersions('v1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.2.3+build.5', '1.2.3')).toBe(0);
  });

  it('checks every comparison of a constraint', () => {
    const c = parseConstraint('>=7.0.0 <7.2.4', 'test');
    expect(['6.9.9', '7.0.0', '7.2.3', '7.2.4'].map((v) => satisfies(v, c))).toEqual([false, true, true, false]);
    expect(satisfies('3.3.6', parseConstraint('3.3.6', 'test'))).toBe(true);
    expect(satisfies('3.3.6', parseConstraint('==3.3.6', 'test'))).toBe(true);
  });
});

describe('the governance documentation', () => {
  it('lists every rule of every shipped pack with its clause', async () => {
    const { readFileSync } = await import('node:fs');
    const { packageRoot } = await import('../../../../src/stack/paths.js');
    const doc = readFileSync(join(packageRoot(), 'docs', 'governance.md'), 'utf8');
    for (const pack of loadPacks()) {
      for (const rule of pack.rules) expect(doc, rule.id).toContain(`| \`${rule.id}\` | ${rule.clause.ref} ${rule.clause.title} | ${rule.severity} |`);
    }
  });
});
