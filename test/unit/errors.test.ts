import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, VigilError } from '../../src/errors.js';
import { packageRoot } from '../../src/stack/paths.js';

describe('the error catalogue', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `(VIGIL_[A-Z_]+)` \| (\d) \| (yes|no) \| (.+) \|$/gm)].map((m) => [m[1], { exit: Number(m[2]), retriable: m[3] === 'yes', summary: m[4] }]),
  );

  it('documents every code in the README with its exit code, retriability and meaning', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect({ code, ...rows.get(code) }).toEqual({ code, exit: spec.exit, retriable: spec.retriable, summary: spec.summary });
    }
  });

  it('documents no code that does not exist', () => {
    expect([...rows.keys()].filter((c) => c === undefined || !(c in ERROR_CODES))).toEqual([]);
  });

  it('carries code, cause, details and the retriable flag', () => {
    const cause = new Error('boom');
    const error = new VigilError('VIGIL_STACK_PORT_IN_USE', 'port taken', { cause, details: { port: 19092 } });
    expect(error).toMatchObject({ code: 'VIGIL_STACK_PORT_IN_USE', retriable: false, exitCode: 2, cause, details: { port: 19092 } });
    expect(new VigilError('VIGIL_KAFKA_UNAVAILABLE', 'x').retriable).toBe(true);
    expect(new VigilError('VIGIL_KAFKA_UNAVAILABLE', 'x', { retriable: false }).retriable).toBe(false);
  });
});
