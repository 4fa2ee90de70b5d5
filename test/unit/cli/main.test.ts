import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';

async function run(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, text: lines.join('\n') };
}

describe('the vigil command line', () => {
  it('prints usage with exit 0 for --help and 2 with no command', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, text: expect.stringMatching(/Usage: vigil <command>/) });
    expect((await run([])).code).toBe(2);
  });

  it('rejects an unknown command with exit 2 and names it', async () => {
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, text: expect.stringMatching(/unknown command "frobnicate"/) });
  });

  it.each([
    [['stack', 'sideways'], /vigil stack: expected up, down or status, got "sideways"/],
    [['stack'], /vigil stack: expected up, down or status, got nothing/],
    [['stack', 'up', '--bogus'], /Unknown option '--bogus'/],
    [['stack', 'up', '--timeout', '-5'], /--timeout/],
    [['stack', 'up', '--timeout', 'soon'], /--timeout must be a whole number from 1 to 3600, got "soon"/],
    [['stack', 'up', '--mode', 'kubernetes'], /--mode must be jvm, docker or auto/],
    [['topics'], /vigil topics: expected create, got nothing/],
    [['topics', 'create', 'extra'], /unexpected argument "extra"/],
    [['run', '--config', '/nonexistent/vigil.yaml'], /\/nonexistent\/vigil\.yaml/],
    [['run', 'now'], /unexpected argument "now"/],
  ])('%o is a usage error (exit 2) that says what is wrong', async (argv, message) => {
    const { code, text } = await run(argv);
    expect(code).toBe(2);
    expect(text).toMatch(message);
  });

  it.each([['stack'], ['topics'], ['demo'], ['run']])('`vigil %s --help` exits 0 with a usage text', async (command) => {
    const { code, text } = await run([command, '--help']);
    expect(code).toBe(0);
    expect(text).toMatch(new RegExp(`Usage: vigil ${command}`));
  });
});

describe('vigil run with a bad configuration file', () => {
  it('names the file and the key at fault, exit 2, before touching Kafka', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-cfg-')), 'vigil.yaml');
    writeFileSync(file, 'engine:\n  windows:\n    count: lots\n');
    const { code, text } = await run(['run', '--config', file]);
    expect(code).toBe(2);
    expect(text).toContain(file);
    expect(text).toMatch(/engine\.windows\.count/);
  });
});
