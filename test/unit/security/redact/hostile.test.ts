/**
 * Hostile inputs of 1 MiB: shapes that make backtracking matchers quadratic (many anchors, no
 * terminator). A quadratic scan of 1 MiB needs ~10^11-10^12 steps (minutes); the bound below is
 * seconds on a loaded machine, and the scaling check compares 1 MiB against 256 KiB.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../src/demo/random.js';
import { Redactor } from '../../../../src/security/redact/index.js';

const MiB = 1 << 20;
const fill = (unit: string, size = MiB): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const redactor = new Redactor({ patterns: [{ name: 'employee_id', regex: 'EMP-?[0-9]{4,8}' }] });

function run(text: string): { ms: number; out: string } {
  const start = process.hrtime.bigint();
  const out = redactor.redactText(text, {});
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out };
}
const timeMs = (text: string): number => run(text).ms;

const random = mulberry32(7);
const HOSTILE: Record<string, string> = {
  letters: fill('a'),
  ats: fill('a@'),
  atsDotted: fill('a@b.'),
  digits: fill('1'),
  digitSpaces: fill('1 '),
  pluses: fill('+1'),
  parens: fill('('),
  jwtHeads: fill('eyJaaaaaaaaaaaaaaaaaaaaa.'),
  keyBlocks: fill('-----BEGIN '),
  passwordWords: fill('password'),
  openQuotes: fill('password="'),
  bearers: fill('Bearer '),
  ibanHeads: fill('GB82 '),
  ninoHeads: fill('AB 12 34 56 '),
  hexColons: fill('ffff:'),
  awsHeads: fill('AKIA'),
  customHeads: fill('EMP-'),
  urlHeads: fill('://a:b'),
  printable: Array.from({ length: MiB }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join(''),
};

describe('redaction on hostile 1 MiB inputs', () => {
  it.each(Object.keys(HOSTILE))('%s: finishes in seconds and keeps the output bounded', (name) => {
    const text = HOSTILE[name] as string;
    const { ms, out } = run(text);
    expect(ms).toBeLessThan(15_000);
    expect(out.length).toBeLessThanOrEqual(text.length * 2);
  }, 60_000);

  it('scales linearly: 1 MiB costs about 4x 256 KiB, never 16x', () => {
    for (const unit of ['a@', '+1', 'eyJaaaaaaaaaaaaaaaaaaaaa.', 'password="']) {
      const small = Math.min(timeMs(fill(unit, MiB / 4)), timeMs(fill(unit, MiB / 4)), timeMs(fill(unit, MiB / 4)));
      const large = Math.min(timeMs(fill(unit, MiB)), timeMs(fill(unit, MiB)));
      expect(large / Math.max(small, 1), unit).toBeLessThan(10);
    }
  }, 120_000);
});
