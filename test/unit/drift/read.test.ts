import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { parseColumnSpec, resolveFeatures } from '../../../src/drift/columns.js';
import { parseTable, readTable, type ReadLimits } from '../../../src/drift/read.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const LIMITS: ReadLimits = { maxBytes: 1 << 20, maxLineChars: 200, maxColumns: 50 };

function fails(file: string, content: string | Uint8Array, pattern: RegExp, limits: ReadLimits = LIMITS): VigilError {
  try {
    parseTable(file, typeof content === 'string' ? enc(content) : content, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    const e = error as VigilError;
    expect(e.code).toBe('VIGIL_INPUT_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(pattern);
    expect(e.message.startsWith(`${file}:`)).toBe(true);
    return e;
  }
  throw new Error(`expected ${file} to be refused`);
}

describe('CSV reader', () => {
  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF, a BOM and empty fields as absent', () => {
    const t = parseTable('a.csv', enc('\ufeffx,"na,me"\r\n1,"say ""hi"""\r\n,"two\nlines"\n\n3,\n'));
    expect(t.columns).toEqual(['x', 'na,me']);
    expect(t.cells[0]).toEqual(['1', null, '3']);
    expect(t.cells[1]).toEqual(['say "hi"', 'two\nlines', null]);
    expect(t.lines).toEqual([2, 3, 6]);
  });

  it('refuses ragged rows naming the line', () => {
    fails('r.csv', 'a,b\n1,2\n3\n', /^r\.csv: line 3: 1 fields, the header has 2 \(a ragged row\)$/);
    fails('r.csv', 'a,b\n1,2,3\n', /line 2: 3 fields/);
  });

  it('refuses empty files, header-only files, duplicate and empty column names', () => {
    fails('e.csv', '', /empty file/);
    fails('e.csv', '  \n\n', /empty file/);
    fails('h.csv', 'a,b\n', /no data rows after the header/);
    fails('d.csv', 'a,a\n1,2\n', /column name "a" appears twice/);
    fails('n.csv', 'a,,c\n1,2,3\n', /column 2 has no name/);
  });

  it('refuses binary junk, invalid UTF-8, oversized lines and unclosed quotes', () => {
    fails('b.csv', Uint8Array.of(0x61, 0x2c, 0x62, 0x0a, 0x00, 0xff, 0x13), /binary content \(a NUL byte at offset 4\)/);
    fails('u.csv', Uint8Array.of(0x61, 0x0a, 0xc3, 0x28, 0x0a), /not valid UTF-8/);
    fails('l.csv', `a\n${'9'.repeat(500)}\n`, /line 2: longer than 200 characters/);
    fails('l.csv', `a\n"${'x\n'.repeat(300)}"\n`, /line 2: longer than 200 characters/);
    fails('q.csv', 'a\n"open\n', /line 2: a quoted field is not closed/);
    fails('q.csv', 'a\n"x"y\n', /unexpected character "y" after a closing quote/);
    fails("w.csv", `${Array.from({ length: 60 }, (_, i) => `c${i}`).join(",")}\n1\n`, /60 columns, more than the limit of 50/, { ...LIMITS, maxLineChars: 10_000 });
  });

  it('refuses a file over the byte limit before reading it, and a file that does not exist', async () => {
    await expect(readTable('/nonexistent/dir/file.csv')).rejects.toThrow(/file\.csv: cannot be read \(ENOENT\)/);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-read-')), 'big.csv');
    writeFileSync(path, `a\n${'1\n'.repeat(1000)}`);
    await expect(readTable(path, { ...LIMITS, maxBytes: 100 })).rejects.toThrow(/2002 bytes, more than the 100-byte limit/);
  });
});

describe('JSON lines reader', () => {
  it('reads flat objects, missing keys and nulls as absent, and remembers which cells were JSON numbers', () => {
    const t = parseTable('a.jsonl', enc('{"x": 1.5, "c": "red"}\n\n{"c": "12", "x": null}\n{"x": 3, "flag": true}\n'));
    expect(t.columns).toEqual(['x', 'c', 'flag']);
    expect(t.cells).toEqual([
      ['1.5', null, '3'],
      ['red', '12', null],
      [null, null, 'true'],
    ]);
    expect([...t.numericCells![0]!]).toEqual([1, 0, 1]);
    expect(t.lines).toEqual([1, 3, 4]);
  });

  it('refuses invalid JSON, non-objects, nested values and oversized lines, naming the line', () => {
    fails('j.jsonl', '{"x": 1}\n{"x": \n', /^j\.jsonl: line 2: not valid JSON/);
    fails('j.jsonl', '[1, 2]\n', /line 1: expected a JSON object, got an array/);
    fails('j.jsonl', '{"x": {"y": 1}}\n', /line 1, column "x": a nested object/);
    fails('j.jsonl', '{"x": [1]}\n', /a nested array/);
    fails('j.jsonl', `{"x": "${'a'.repeat(300)}"}\n`, /line 1: longer than 200 characters/);
  });
});

describe('column types', () => {
  const ref = parseTable('ref.csv', enc('age,city,code\n31,paris,7\n45,lyon,8\n,nice,9\n'));

  it('infers numeric and categorical from the reference and extracts sorted numeric values', () => {
    const cur = parseTable('cur.csv', enc('age,city,code\n50,paris,7\n20,,x1\n'));
    const features = resolveFeatures(ref, cur, parseColumnSpec('age,city,code:categorical'));
    expect(features.map((f) => [f.name, f.type, f.declared])).toEqual([
      ['age', 'numeric', false],
      ['city', 'categorical', false],
      ['code', 'categorical', true],
    ]);
    expect([...features[0]!.reference!]).toEqual([31, 45]);
    expect(features[0]!.referenceMissing).toBe(1);
    expect(features[1]!.currentMissing).toBe(1);
  });

  it('names the file, line, column and value of a non-number in a numeric column', () => {
    const cur = parseTable('cur.csv', enc('age,city,code\n50,paris,7\n20,nice,x1\n'));
    expect(() => resolveFeatures(ref, cur, undefined)).toThrow(/^cur\.csv: line 3, column "code": "x1" is not a number \(the column is numeric\)$/);
    const bad = parseTable('cur.csv', enc('age,city,code\nNaN,paris,7\n'));
    expect(() => resolveFeatures(ref, bad, undefined)).toThrow(/line 2, column "age": "NaN" is not a number/);
    expect(() => resolveFeatures(ref, cur, parseColumnSpec('city:numeric'))).toThrow(/^ref\.csv: line 2, column "city": "paris" is not a number/);
  });

  it('names the file of a missing column', () => {
    const cur = parseTable('cur.csv', enc('age,city\n50,paris\n'));
    expect(() => resolveFeatures(ref, cur, undefined)).toThrow(/^cur\.csv: no column "code" \(columns: "age", "city"\)$/);
    expect(() => resolveFeatures(ref, cur, parseColumnSpec('height'))).toThrow(/^ref\.csv: no column "height"/);
  });

  it('rejects bad --columns specs as usage errors', () => {
    expect(() => parseColumnSpec('a,,b')).toThrow(/an empty entry/);
    expect(() => parseColumnSpec('a:text')).toThrow(/must be numeric or categorical, got "text"/);
    expect(() => parseColumnSpec('a,a')).toThrow(/listed twice/);
    expect(parseColumnSpec('a:b:numeric')).toEqual([{ name: 'a:b', type: 'numeric' }]);
  });
});
