import { describe, expect, it } from 'vitest';
import { lockKindOf, parsePackageLock, parsePoetryLock, parseRequirements } from '../../../../src/governance/manifest/lockfiles.js';
import { expectVigilError } from '../helpers.js';

describe('package-lock.json', () => {
  it('reads lockfile v2/v3 packages, nested copies, scopes, aliases, licences and dev flags; skips the root and links', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/lodash': { version: '4.17.21', license: 'MIT' },
        'node_modules/@scope/pkg': { version: '2.0.0', license: 'Apache-2.0', dev: true },
        'node_modules/a/node_modules/lodash': { version: '4.17.20' },
        'node_modules/alias': { name: 'real-name', version: '3.0.0' },
        'node_modules/local': { resolved: '../local', link: true },
      },
    };
    expect(parsePackageLock(JSON.stringify(lock), 'package-lock.json')).toEqual([
      { ecosystem: 'npm', name: '@scope/pkg', version: '2.0.0', license: 'Apache-2.0', dev: true },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.20', license: null, dev: false },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.21', license: 'MIT', dev: false },
      { ecosystem: 'npm', name: 'real-name', version: '3.0.0', license: null, dev: false },
    ]);
  });

  it('reads lockfile v1 nested dependencies', () => {
    const lock = { lockfileVersion: 1, dependencies: { a: { version: '1.0.0', dependencies: { b: { version: '2.0.0', dev: true } } } } };
    expect(parsePackageLock(JSON.stringify(lock), 'l').map((p) => `${p.name}@${p.version}:${p.dev}`)).toEqual(['a@1.0.0:false', 'b@2.0.0:true']);
  });

  it('walks a deeply nested v1 lock without running out of stack', () => {
    const depth = 5000;
    let text = '{"dependencies":';
    for (let i = 0; i < depth; i++) text += `{"p${i}":{"version":"1.0.0","dependencies":`;
    text += '{}' + '}}'.repeat(depth) + '}';
    expect(parsePackageLock(text, 'deep').length).toBe(depth);
  });

  it.each([
    ['not JSON', '{', /package-lock\.json \(root\): not JSON/],
    ['a list', '[]', /not a package-lock object/],
    ['neither packages nor dependencies', '{"name":"x"}', /has neither "packages" nor "dependencies"/],
    ['an entry without a version', '{"packages":{"node_modules/x":{}}}', /packages\["node_modules\/x"\]: has no version/],
    ['an entry that is not an object', '{"packages":{"node_modules/x":5}}', /packages\["node_modules\/x"\]: is not an object/],
  ])('refuses %s, naming the key', (_name, text, message) => {
    const e = expectVigilError(() => parsePackageLock(text, 'package-lock.json'));
    expect(e.code).toBe('VIGIL_INPUT_INVALID');
    expect(e.message).toMatch(message);
  });
});

describe('requirements.txt and pip freeze output', () => {
  it('reads pins, extras, markers, hashes, ranges and URLs; normalises names; skips comments and options', () => {
    const text = [
      '# production',
      '-r base.txt',
      '--index-url https://example.invalid/simple',
      'NumPy==1.26.4',
      'scikit_learn[alldeps]==1.4.2 --hash=sha256:abcd',
      'requests>=2.31,<3 ; python_version >= "3.8"',
      'torch===2.6.0  # pinned',
      'mypkg @ https://example.invalid/mypkg-1.0.tar.gz',
      '',
    ].join('\n');
    expect(parseRequirements(text, 'requirements.txt').map((p) => `${p.name}@${p.version}`)).toEqual(['mypkg@null', 'numpy@1.26.4', 'requests@null', 'scikit-learn@1.4.2', 'torch@2.6.0']);
  });

  it.each([
    ['a line that is not a requirement', 'numpy==1.0\n!!!\n', /line 2: "!!!" is not a requirement/],
    ['a bad specifier', 'numpy==1.0\nscipy $(rm -rf)\n', /line 2: .* is not a version specifier/],
  ])('refuses %s, naming the line', (_name, text, message) => {
    expect(expectVigilError(() => parseRequirements(text, 'r.txt')).message).toMatch(message);
  });
});

describe('poetry.lock', () => {
  it('reads [[package]] tables and ignores their sub-tables', () => {
    const text = [
      '[[package]]',
      'name = "Pandas"',
      'version = "2.2.2"',
      'category = "main"',
      '',
      '[package.dependencies]',
      'name = "not-a-package-name"',
      'numpy = ">=1.22"',
      '',
      '[[package]]',
      'name = "pytest"',
      'version = "8.2.0"',
      'category = "dev"',
      '',
      '[metadata]',
      'lock-version = "2.0"',
    ].join('\n');
    expect(parsePoetryLock(text, 'poetry.lock')).toEqual([
      { ecosystem: 'pypi', name: 'pandas', version: '2.2.2', license: null, dev: false },
      { ecosystem: 'pypi', name: 'pytest', version: '8.2.0', license: null, dev: true },
    ]);
  });

  it('refuses a package without a version, and a file with no package', () => {
    expect(expectVigilError(() => parsePoetryLock('[[package]]\nname = "x"\n', 'poetry.lock')).message).toMatch(/line 1: \[\[package\]\] has no name or no version/);
    expect(expectVigilError(() => parsePoetryLock('just some text', 'poetry.lock')).message).toMatch(/holds no \[\[package\]\] table/);
  });
});

describe('lock file kinds', () => {
  it('is told by the file name', () => {
    expect(lockKindOf('a/package-lock.json')).toBe('package-lock');
    expect(lockKindOf('npm-shrinkwrap.json')).toBe('package-lock');
    expect(lockKindOf('poetry.lock')).toBe('poetry-lock');
    expect(lockKindOf('requirements-prod.txt')).toBe('requirements');
    expect(lockKindOf('pip-freeze.txt')).toBe('requirements');
    expect(expectVigilError(() => lockKindOf('Cargo.lock'))).toMatchObject({ code: 'VIGIL_USAGE', message: expect.stringMatching(/cannot tell the kind of lock file Cargo\.lock/) });
  });
});
