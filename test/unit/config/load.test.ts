import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from '../../../src/config/defaults.js';
import { MAX_CONFIG_BYTES, buildConfig, loadConfig, parseConfigText } from '../../../src/config/load.js';
import { VigilError } from '../../../src/errors.js';

const FULL = `
engine:
  groupId: vigil-prod
  sessionTimeoutMs: 12000
  windows: { count: 500, timeMs: 30000 }
  reference: { events: 2000, file: refs/credit.jsonl }
  pool: { threads: 4, maxQueue: 64 }
detectors:
  psi: { enabled: true, bins: 20, warning: 0.05, critical: 0.2 }
policy:
  rollback: { consecutiveCriticalWindows: 5, enabled: false }
  lastApproved:
    credit-risk: 3.1.0
    support-assistant: "2025-02-01"
models:
  credit-risk:
    detectors: { psi: { bins: 8 } }
    windows: { count: 200 }
    reference: { events: 300 }
`;

function failure(run: () => unknown): VigilError {
  try {
    run();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a VigilError');
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('loadConfig: where the file comes from', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the defaults when no file is named and the cwd has no vigil.yaml', () => {
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBeNull();
    expect(loaded.config).toEqual(CONFIG_DEFAULTS);
    expect(loaded.config.engine.windows).toEqual({ count: 1000, timeMs: 60_000 });
    expect(loaded.config.engine.reference).toEqual({ events: 1000, file: null });
    expect(loaded.config.detectors.psi).toEqual({ enabled: true, bins: 10, warning: 0.1, critical: 0.25 });
    expect(loaded.config.policy.rollback.consecutiveCriticalWindows).toBe(3);
    expect(loaded.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(isDeepFrozen(loaded.config)).toBe(true);
  });

  it('reads vigil.yaml from the cwd, VIGIL_CONFIG over it, and --config over both', () => {
    writeFileSync(join(dir, 'vigil.yaml'), 'engine: { groupId: from-cwd }\n');
    writeFileSync(join(dir, 'env.yaml'), 'engine: { groupId: from-env }\n');
    writeFileSync(join(dir, 'flag.yaml'), 'engine: { groupId: from-flag }\n');
    expect(loadConfig({ env: {}, cwd: dir }).config.engine.groupId).toBe('from-cwd');
    expect(loadConfig({ env: {}, cwd: dir }).source).toBe(join(dir, 'vigil.yaml'));
    expect(loadConfig({ env: { VIGIL_CONFIG: 'env.yaml' }, cwd: dir }).config.engine.groupId).toBe('from-env');
    expect(loadConfig({ path: 'flag.yaml', env: { VIGIL_CONFIG: 'env.yaml' }, cwd: dir }).config.engine.groupId).toBe('from-flag');
  });

  it('fails, naming the file, when a named file does not exist or is too large', () => {
    const missing = failure(() => loadConfig({ path: 'nope.yaml', env: {}, cwd: dir }));
    expect(missing.code).toBe('VIGIL_CONFIG_INVALID');
    expect(missing.message).toContain(join(dir, 'nope.yaml'));
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(failure(() => loadConfig({ env: { VIGIL_CONFIG: 'big.yaml' }, cwd: dir })).message).toMatch(/big\.yaml is \d+ bytes/);
  });

  it('treats an empty file as all defaults, with the same hash', () => {
    writeFileSync(join(dir, 'vigil.yaml'), '# nothing set\n');
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.config).toEqual(CONFIG_DEFAULTS);
    expect(loaded.source).toBe(join(dir, 'vigil.yaml'));
    expect(loaded.configHash).toBe(buildConfig({}, 'the built-in defaults').configHash);
  });
});

describe('parseConfigText: a full valid file', () => {
  it('keeps every value given and defaults the rest', () => {
    const { config, source } = parseConfigText(FULL, '/etc/vigil.yaml');
    expect(source).toBe('/etc/vigil.yaml');
    expect(config.engine).toEqual({
      groupId: 'vigil-prod',
      sessionTimeoutMs: 12000,
      fetchMaxBytesPerPartition: 4_194_304,
      fastRecordDecoding: true,
      framedReads: true,
      windows: { count: 500, timeMs: 30_000 },
      reference: { events: 2000, file: 'refs/credit.jsonl' },
      pool: { threads: 4, maxQueue: 64 },
    });
    expect(config.detectors.psi).toEqual({ enabled: true, bins: 20, warning: 0.05, critical: 0.2 });
    expect(config.policy).toEqual({
      rollback: { consecutiveCriticalWindows: 5, enabled: false },
      lastApproved: { 'credit-risk': '3.1.0', 'support-assistant': '2025-02-01' },
    });
    expect(config.models['credit-risk']).toEqual({ detectors: { psi: { bins: 8 } }, windows: { count: 200 }, reference: { events: 300 } });
    expect(isDeepFrozen(config)).toBe(true);
  });

  it('gives the same hash whatever the key order, and another hash for another value', () => {
    const a = parseConfigText('engine: { groupId: g, windows: { count: 5, timeMs: 10 } }\ndetectors: { psi: { bins: 4 } }\n', 'a.yaml');
    const b = parseConfigText('detectors:\n  psi:\n    bins: 4\nengine:\n  windows:\n    timeMs: 10\n    count: 5\n  groupId: g\n', 'b.yaml');
    const c = parseConfigText('engine: { groupId: g, windows: { count: 5, timeMs: 11 } }\ndetectors: { psi: { bins: 4 } }\n', 'c.yaml');
    expect(a.configHash).toBe(b.configHash);
    expect(c.configHash).not.toBe(a.configHash);
    // Writing a default explicitly is the same configuration as leaving it out.
    expect(parseConfigText('detectors: { psi: { bins: 10 } }\n', 'd.yaml').configHash).toBe(buildConfig({}, 'defaults').configHash);
  });
});

describe('parseConfigText: rejections name the file, the key path and what is expected', () => {
  it.each([
    ['the root', 'engin: {}\n', 'engin'],
    ['engine', 'engine: { groupID: x }\n', 'engine.groupID'],
    ['engine.windows', 'engine: { windows: { size: 10 } }\n', 'engine.windows.size'],
    ['detectors.psi', 'detectors: { psi: { bins: 10, treshold: 0.2 } }\n', 'detectors.psi.treshold'],
    ['policy.rollback', 'policy: { rollback: { k: 3 } }\n', 'policy.rollback.k'],
    ['a model override', 'models: { credit-risk: { windows: { count: 5, extra: 1 } } }\n', 'models.credit-risk.windows.extra'],
    ['a model override top level', 'models: { m1: { policy: {} } }\n', 'models.m1.policy'],
  ])('rejects an unknown key in %s', (_where, text, path) => {
    const error = failure(() => parseConfigText(text, '/srv/vigil.yaml'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toContain('/srv/vigil.yaml');
    expect(error.message).toContain(`${path} is not a known key`);
    expect(error.details['path']).toBe(path);
  });

  it.each([
    ['detectors: { psi: { bins: ten } }\n', 'detectors.psi.bins', 'must be integer >= 2', '"ten"'],
    ['detectors: { psi: { bins: 1 } }\n', 'detectors.psi.bins', 'must be integer >= 2', '1'],
    ['detectors: { psi: { enabled: "yes" } }\n', 'detectors.psi.enabled', 'must be boolean', '"yes"'],
    ['detectors: { psi: { critical: -1 } }\n', 'detectors.psi.critical', 'must be number > 0', '-1'],
    ['engine: { windows: { count: 2.5 } }\n', 'engine.windows.count', 'must be integer >= 1', '2.5'],
    ['engine: { windows: { timeMs: 0 } }\n', 'engine.windows.timeMs', 'must be integer >= 1', '0'],
    ['engine: { groupId: 42 }\n', 'engine.groupId', 'must be a non-empty string', '42'],
    ['engine: { reference: { file: "" } }\n', 'engine.reference.file', 'must be a non-empty string', '""'],
    ['engine: { pool: [1, 2] }\n', 'engine.pool', 'must be a mapping', '[1,2]'],
    ['policy: { lastApproved: { m1: 3 } }\n', 'policy.lastApproved.m1', 'must be a non-empty string', '3'],
    ['models: { m1: { reference: { events: 0 } } }\n', 'models.m1.reference.events', 'must be integer >= 1', '0'],
    ['- 1\n- 2\n', '(root)', 'must be a mapping', '[1,2]'],
  ])('rejects %j at %s', (text, path, expected, got) => {
    const error = failure(() => parseConfigText(text, 'vigil.yaml'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toContain(`${path} ${expected}`);
    expect(error.message).toContain(`(got ${got})`);
    expect(error.message).toContain('vigil.yaml');
  });

  it('reports every problem at once, one per key path', () => {
    const error = failure(() => parseConfigText('engine: { windows: { count: 0 }, bogus: 1 }\ndetectors: { psi: { bins: 1.5 } }\n', 'v.yaml'));
    expect(error.details['problems']).toBe(3);
    expect(error.message).toContain('engine.windows.count must be integer >= 1');
    expect(error.message).toContain('engine.bogus is not a known key');
    expect(error.message).toContain('detectors.psi.bins must be integer >= 2');
    expect(error.message.match(/detectors\.psi\.bins/g)).toHaveLength(1);
  });

  it('rejects model ids that could reach an object prototype', () => {
    const error = failure(() => parseConfigText('models:\n  __proto__: { windows: { count: 2 } }\n', 'v.yaml'));
    expect(error.message).toContain('models.__proto__ is not a valid id');
  });

  it('rejects a warning threshold above the critical one, globally and per model', () => {
    expect(failure(() => parseConfigText('detectors: { psi: { warning: 0.3 } }\n', 'v.yaml')).message).toContain(
      'detectors.psi.warning must be a number <= detectors.psi.critical (0.25) (got 0.3)',
    );
    expect(failure(() => parseConfigText('models: { m1: { detectors: { psi: { critical: 0.05 } } } }\n', 'v.yaml')).message).toContain(
      'models.m1.detectors.psi.warning must be a number <= models.m1.detectors.psi.critical (0.05)',
    );
  });
});

describe('parseConfigText: YAML syntax errors name the line', () => {
  it('reports an unclosed flow sequence with its line', () => {
    const error = failure(() => parseConfigText('engine:\n  groupId: g\ndetectors: { psi: [1, 2\n', '/srv/vigil.yaml'));
    expect(error.code).toBe('VIGIL_CONFIG_INVALID');
    expect(error.message).toMatch(/^invalid YAML in \/srv\/vigil\.yaml at line \d+, column \d+: /);
    expect(error.details['line']).toBeGreaterThanOrEqual(3);
  });

  it('reports a duplicate key with its line', () => {
    const error = failure(() => parseConfigText('engine:\n  groupId: a\n  groupId: b\n', 'v.yaml'));
    expect(error.message).toContain('at line 3, column 3');
    expect(error.details['line']).toBe(3);
  });

  it('reports a bad indentation at the line where the stray mapping starts', () => {
    // `groupId: a` followed by a deeper-indented key makes `a` the start of a nested mapping.
    const error = failure(() => parseConfigText('engine:\n  groupId: a\n    sessionTimeoutMs: 7000\n', 'v.yaml'));
    expect(error.message).toContain('at line 2, column 12');
    expect(error.details['line']).toBe(2);
  });
});
