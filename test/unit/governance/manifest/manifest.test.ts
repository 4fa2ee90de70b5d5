import { Ajv } from 'ajv';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, configurationHash, hashFile, readDeclarations } from '../../../../src/governance/manifest/capture.js';
import { compareEnvironment, ENV_HASH_ATTRIBUTE, environmentHash } from '../../../../src/governance/manifest/env-hash.js';
import { captureEnvironment, type EnvironmentSources } from '../../../../src/governance/manifest/environment.js';
import { buildSbom, purlOf, sbomSummary } from '../../../../src/governance/manifest/sbom.js';
import { checkManifest, manifestProblems } from '../../../../src/governance/manifest/validate.js';
import { packageRoot } from '../../../../src/stack/paths.js';
import { expectVigilError, makeManifest, runCli, tempDir } from '../helpers.js';

// CycloneDX's own JSON schemas, as shipped inside the CycloneDX library package.
const schemaDir = join(packageRoot(), 'node_modules/@cyclonedx/cyclonedx-library/res/schema');
const load = (f: string, id: string) => ({ ...(JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as object), $id: id });
const cdxAjv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
cdxAjv.addSchema(load('spdx.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'));
cdxAjv.addSchema(load('jsf-0.82.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json'));
const validateBom = cdxAjv.compile(load('bom-1.6.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/bom-1.6.schema.json'));

const fixedSources = (env: Record<string, string>): EnvironmentSources => ({
  os: () => ({ platform: 'linux', release: '6.1.0', type: 'Linux', arch: 'arm64', cpuModel: 'Test CPU', cpuCount: 8, memoryBytes: 16 * 2 ** 30 }),
  env,
  nodeVersion: '20.11.1',
  exec: (command) => (command === 'python3' ? 'Python 3.12.3' : command === 'git' ? 'f'.repeat(40) : null),
  cwd: '/',
});

describe('the CycloneDX SBOM', () => {
  const packages = [
    { ecosystem: 'npm' as const, name: '@scope/pkg', version: '2.0.0', license: 'Apache-2.0', dev: true },
    { ecosystem: 'npm' as const, name: 'lodash', version: '4.17.21', license: 'MIT', dev: false },
    { ecosystem: 'npm' as const, name: 'dual', version: '1.0.0', license: '(MIT OR GPL-3.0-or-later)', dev: false },
    { ecosystem: 'npm' as const, name: 'odd', version: '1.0.0', license: 'SEE LICENSE IN LICENSE.md', dev: false },
    { ecosystem: 'pypi' as const, name: 'scikit-learn', version: '1.4.2', license: null, dev: false },
    { ecosystem: 'pypi' as const, name: 'requests', version: null, license: null, dev: false },
  ];
  const subject = { modelId: 'credit-risk', modelVersion: '1.1.0', timestamp: new Date('2026-01-02T03:04:05Z'), toolVersion: '0.1.0' };

  it('is valid against the CycloneDX 1.6 JSON schema', () => {
    const bom = buildSbom(subject, packages);
    expect(validateBom(bom), JSON.stringify(validateBom.errors)).toBe(true);
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { type: 'machine-learning-model', name: 'credit-risk', version: '1.1.0' } } });
  });

  it('the schema check is not vacuous', () => {
    expect(validateBom({ ...buildSbom(subject, packages), specVersion: 16 })).toBe(false);
  });

  it('names components by package URL, with scope, group and licences', () => {
    const bom = buildSbom(subject, packages);
    const byName = new Map((bom.components ?? []).map((c) => [c.name, c]));
    expect(byName.get('pkg')).toMatchObject({ group: '@scope', purl: 'pkg:npm/%40scope/pkg@2.0.0', scope: 'optional', licenses: [{ license: { id: 'Apache-2.0' } }] });
    expect(byName.get('dual')?.licenses).toEqual([{ expression: 'MIT OR GPL-3.0-or-later' }]);
    expect(byName.get('odd')?.licenses).toEqual([{ license: { name: 'SEE LICENSE IN LICENSE.md' } }]);
    expect(byName.get('requests')).toMatchObject({ purl: 'pkg:pypi/requests' });
    expect(purlOf(packages[4] as (typeof packages)[number])).toBe('pkg:pypi/scikit-learn@1.4.2');
  });

  it('is deterministic: same input, same document', () => {
    expect(JSON.stringify(buildSbom(subject, packages))).toBe(JSON.stringify(buildSbom(subject, [...packages].reverse())));
  });

  it('summarises components by ecosystem and licence', () => {
    expect(sbomSummary(buildSbom(subject, packages))).toMatchObject({ components: 6, byEcosystem: { npm: 4, pypi: 2 }, byLicence: { '(none declared)': 2, MIT: 1 } });
  });
});

describe('the captured environment', () => {
  it('records the names of environment variables, never their values', () => {
    const env = captureEnvironment(fixedSources({ API_TOKEN: 'hunter2-secret', VIGIL_BROKERS: 'kafka:9092', 'BAD NAME': 'x' }));
    expect(env.envVarNames).toEqual(['API_TOKEN', 'VIGIL_BROKERS']);
    expect(JSON.stringify(env)).not.toContain('hunter2');
    expect(captureEnvironment(fixedSources({ API_TOKEN: 'x', VIGIL_BROKERS: 'y' }), { envPrefixes: ['VIGIL_'] }).envVarNames).toEqual(['VIGIL_BROKERS']);
  });

  it('records the platform, runtimes (detected and given), git commit and image digest', () => {
    const env = captureEnvironment(fixedSources({}), { runtimes: { cuda: '12.4' }, containerImageDigest: `sha256:${'1'.repeat(64)}` });
    expect(env).toMatchObject({ os: { platform: 'linux' }, arch: 'arm64', cpuCount: 8, runtimes: { node: '20.11.1', python: '3.12.3', cuda: '12.4' }, gitCommit: 'f'.repeat(40), containerImageDigest: `sha256:${'1'.repeat(64)}` });
  });
});

describe('the environment hash', () => {
  const approved = makeManifest();

  it('is recorded in the manifest and checked on load', () => {
    expect(approved.environmentHash).toBe(environmentHash(approved));
    expect(manifestProblems(approved)).toEqual([]);
    expect(manifestProblems({ ...approved, environment: { ...approved.environment, arch: 'arm64' } })[0]).toMatchObject({ path: 'environmentHash' });
  });

  it('changes with the artifact, configuration, image, runtimes and dependencies; not with the owner', () => {
    const h = (patch: Parameters<typeof makeManifest>[0]) => makeManifest(patch).environmentHash;
    const base = approved.environmentHash;
    expect(h((m) => { m.artifact = { ...m.artifact, sha256: 'f'.repeat(64) }; })).not.toBe(base);
    expect(h((m) => { m.configuration = { ...m.configuration, sha256: 'f'.repeat(64) }; })).not.toBe(base);
    expect(h((m) => { m.environment = { ...m.environment, containerImageDigest: null }; })).not.toBe(base);
    expect(h((m) => { m.environment = { ...m.environment, runtimes: { node: '22.0.0' } }; })).not.toBe(base);
    expect(h((m) => { m.sbom = { ...m.sbom, components: [] }; })).not.toBe(base);
    expect(h((m) => { m.owner = 'someone else'; })).toBe(base);
  });

  it('compareEnvironment: null when the running version reports the approved hash; a finding otherwise', () => {
    expect(ENV_HASH_ATTRIBUTE).toBe('vigil.env.hash');
    expect(compareEnvironment(approved, approved.environmentHash)).toBeNull();
    expect(compareEnvironment(approved, approved.environmentHash.toUpperCase())).toBeNull();
    expect(compareEnvironment(approved, 'b'.repeat(64))).toMatchObject({ kind: 'environment-mismatch', expected: approved.environmentHash, reported: 'b'.repeat(64), message: expect.stringMatching(/credit-risk@1\.1\.0 runs environment b+, not the approved/) });
    expect(compareEnvironment(approved, undefined)).toMatchObject({ kind: 'environment-unreported', reported: null });
    expect(compareEnvironment(approved, 'x'.repeat(10_000))?.reported).toHaveLength(128);
  });
});

describe('building a manifest', () => {
  const dir = tempDir();

  it('hashes a large artifact as a stream, and the configuration by its canonical content', async () => {
    const file = join(dir, 'model.bin');
    const out = createWriteStream(file);
    const expected = createHash('sha256');
    for (let i = 0; i < 40; i++) {
      const chunk = Buffer.alloc(1 << 20, i);
      expected.update(chunk);
      out.write(chunk);
    }
    await new Promise<void>((resolve) => out.end(resolve));
    expect(await hashFile(file)).toEqual({ sha256: expected.digest('hex'), sizeBytes: 40 << 20 });
    writeFileSync(join(dir, 'a.yaml'), 'engine:\n  groupId: x\n  windows: { count: 5 }\n');
    writeFileSync(join(dir, 'b.yaml'), 'engine: { windows: { count: 5 }, groupId: x }\n');
    expect(configurationHash(join(dir, 'a.yaml'))).toBe(configurationHash(join(dir, 'b.yaml')));
  });

  it('refuses declarations with unknown keys or bad documents, and a manifest whose declarations break the schema', async () => {
    writeFileSync(join(dir, 'd1.yaml'), 'owner: x\napprovedBy: me\n');
    expect(expectVigilError(() => readDeclarations(join(dir, 'd1.yaml'))).message).toMatch(/approvedBy is not a known key/);
    writeFileSync(join(dir, 'd2.yaml'), 'documents: { modelCard: 5 }\n');
    expect(expectVigilError(() => readDeclarations(join(dir, 'd2.yaml'))).message).toMatch(/documents must map a kind to a path or URI/);
    writeFileSync(join(dir, 'art'), 'x');
    const input = { modelId: 'm', modelVersion: '1', riskClass: 'high' as const, artifact: join(dir, 'art'), config: null, lockFiles: [], environment: captureEnvironment(fixedSources({})), baseDir: dir, now: new Date(0), toolVersion: '0' };
    await expect(buildManifest({ ...input, declarations: { ioLogging: { enabled: 'yes' } as never } })).rejects.toMatchObject({ code: 'VIGIL_MANIFEST_INVALID', message: expect.stringMatching(/ioLogging\.enabled must be boolean/) });
  });

  it('vigil capture writes a manifest that vigil check accepts, with documents hashed', async () => {
    writeFileSync(join(dir, 'model.onnx'), 'weights');
    writeFileSync(join(dir, 'card.md'), '# Model card');
    writeFileSync(join(dir, 'requirements.txt'), 'numpy==1.26.4\n');
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/lodash': { version: '4.17.21', license: 'MIT' } } }));
    writeFileSync(join(dir, 'declare.yaml'), 'owner: risk-team\nintendedUse: scoring\ndocuments: { modelCard: card.md, dataProtectionAssessment: "https://docs.example.invalid/dpia" }\nrollback: { targetVersion: null, noTargetReason: first version }\n');
    const out = join(dir, 'manifest.json');
    const r = await runCli(['capture', '--model', 'credit-risk', '--version', '1.0.0', '--risk-class', 'limited', '--artifact', join(dir, 'model.onnx'), '--lock', join(dir, 'requirements.txt'), '--lock', join(dir, 'package-lock.json'), '--declare', join(dir, 'declare.yaml'), '--runtime', 'cuda=12.4', '--image-digest', `sha256:${'2'.repeat(64)}`, '--output', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/written to .*manifest\.json \(environment hash [0-9a-f]{64}, 2 components\)/);
    const manifest = checkManifest(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(manifest.artifact.sha256).toBe(createHash('sha256').update('weights').digest('hex'));
    expect(manifest.documents?.modelCard).toEqual({ uri: 'card.md', sha256: createHash('sha256').update('# Model card').digest('hex') });
    expect(manifest.documents?.dataProtectionAssessment).toEqual({ uri: 'https://docs.example.invalid/dpia', sha256: null });
    expect(manifest.environment.runtimes.cuda).toBe('12.4');
    expect(validateBom(manifest.sbom), JSON.stringify(validateBom.errors)).toBe(true);
    const check = await runCli(['check', out, '--format', 'json']);
    expect((JSON.parse(check.out) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['EUAIA-15-MONITORING']));
  });

  it.each([
    ['no --model', ['--version', '1', '--risk-class', 'high', '--artifact', 'x'], /--model is required/],
    ['a bad risk class', ['--model', 'm', '--version', '1', '--risk-class', 'severe', '--artifact', 'x'], /--risk-class must be minimal, limited, high, unacceptable, got "severe"/],
    ['a bad runtime', ['--model', 'm', '--version', '1', '--risk-class', 'high', '--artifact', 'x', '--runtime', 'python'], /--runtime must be NAME=VERSION, got "python"/],
    ['a bad image digest', ['--model', 'm', '--version', '1', '--risk-class', 'high', '--artifact', 'x', '--image-digest', 'latest'], /--image-digest must be sha256:/],
    ['a bad git commit', ['--model', 'm', '--version', '1', '--risk-class', 'high', '--artifact', 'x', '--git-commit', 'HEAD'], /--git-commit must be a full hex commit id/],
    ['a missing artifact', ['--model', 'm', '--version', '1', '--risk-class', 'high', '--artifact', '/nonexistent/model.bin'], /cannot read \/nonexistent\/model\.bin/],
    ['an unknown lock file kind', ['--model', 'm', '--version', '1', '--risk-class', 'high', '--artifact', 'ART', '--lock', 'Gemfile.lock'], /cannot tell the kind of lock file Gemfile\.lock/],
    ['a bad model id', ['--model', '../etc', '--version', '1', '--risk-class', 'high', '--artifact', 'ART'], /modelId must be/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const r = await runCli(['capture', ...args.map((a) => (a === 'ART' ? join(dir, 'model.onnx') : a))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
