import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';
import { gaussian, mulberry32 } from '../workers/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-cli-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

function csv(seed: number, n: number, shift: number): string {
  const rng = mulberry32(seed);
  const g = gaussian(rng);
  const lines = ['age,plan'];
  for (let i = 0; i < n; i++) lines.push(`${(40 + 10 * (g() + shift)).toFixed(2)},${rng() < 0.3 + shift / 4 ? 'pro' : 'free'}`);
  return `${lines.join('\n')}\n`;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['drift', ...argv], { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

const ref = file('ref.csv', csv(1, 1500, 0));
const same = file('same.csv', csv(2, 500, 0));
const shifted = file('shifted.csv', csv(3, 500, 0.6));

describe('vigil drift', () => {
  it('prints its usage for --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: vigil drift --reference FILE --current FILE/);
  });

  it('exits 0 without drift and 1 with drift, naming the drifted features', async () => {
    const quiet = await run(['--reference', ref, '--current', same]);
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/0 of 2 features drifted/);
    const loud = await run(['--reference', ref, '--current', shifted, '--correction', 'bonferroni', '--binning', 'fixed-k', '--bins', '12']);
    expect(loud.code).toBe(1);
    expect(loud.out).toMatch(/2 of 2 features drifted: age, plan/);
    expect(loud.out).toMatch(/fixed-k \(1[34] bins\)/);
  });

  it('compares a CSV reference with a JSON-lines current file', async () => {
    const lines = csv(2, 300, 0)
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [age, plan] = line.split(',');
        return JSON.stringify({ age: Number(age), plan });
      });
    const current = file('current.jsonl', `${lines.join('\n')}\n`);
    const { code, out } = await run(['--reference', ref, '--current', current]);
    expect(code).toBe(0);
    expect(out).toMatch(/^age {2}numeric \(inferred\) {2}reference 1500 values, current 300 {2}→ {2}no drift$/m);
  });

  it('writes JSON and HTML reports, to a file with --out', async () => {
    const json = await run(['--reference', ref, '--current', shifted, '--format', 'json', '--columns', 'age:numeric']);
    const report = JSON.parse(json.out) as { features: { name: string; drift: boolean; statistics: { name: string }[] }[]; options: { binning: string } };
    expect(report.features.map((f) => [f.name, f.drift])).toEqual([['age', true]]);
    expect(report.options.binning).toBe('reference-quantile');
    const out = join(dir, 'report.html');
    const html = await run(['--reference', ref, '--current', shifted, '--format', 'html', '--out', out]);
    expect(html.code).toBe(1);
    expect(html.out).toMatch(/report written to .*report\.html/);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
  });

  it('exits 2 on bad files, naming the file, line and column', async () => {
    const cases: [string, RegExp][] = [
      [file('text.csv', 'age,plan\n41,free\nold,pro\n'), /text\.csv: line 3, column "age": "old" is not a number/],
      [file('ragged.csv', 'age,plan\n41,free\n42\n'), /ragged\.csv: line 3: 1 fields, the header has 2/],
      [file('empty.csv', ''), /empty\.csv: empty file/],
      [file('junk.csv', '\u0000\u0001\u0002garbage'), /junk\.csv: binary content/],
      [file('nocol.csv', 'age\n41\n'), /nocol\.csv: no column "plan"/],
      [file('long.csv', `age,plan\n${'4'.repeat(1_100_000)},free\n`), /long\.csv: line 2: longer than 1048576 characters/],
    ];
    for (const [current, pattern] of cases) {
      const { code, err } = await run(['--reference', ref, '--current', current]);
      expect(code, String(pattern)).toBe(2);
      expect(err).toMatch(pattern);
      expect(err).toMatch(/\[VIGIL_INPUT_INVALID\]/);
    }
  });

  it('exits 2 on bad usage', async () => {
    for (const argv of [[], ['--reference', ref], ['--reference', ref, '--current', same, '--format', 'pdf'], ['--reference', ref, '--current', same, '--alpha', '2'], ['--reference', ref, '--current', same, '--binning', 'magic'], ['--reference', ref, '--current', same, '--nope']]) {
      const { code, err } = await run(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toMatch(/\[VIGIL_USAGE\]/);
    }
  });
});
