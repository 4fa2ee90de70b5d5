/** `vigil drift` with the multivariate, embedding, streams and performance sections: verdicts, exit codes, the JSON shape, bad input. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main.js';
import { csvOf, dataset, type Cells } from '../drift/tables.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-sections-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['drift', ...argv], { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

/** Cells with row `r` of column `name` replaced. */
function withCell(cells: Cells, name: string, r: number, value: string | number | null): Cells {
  const column = [...cells[name]!];
  column[r] = value;
  return { ...cells, [name]: column };
}

const refCells = dataset(1, 800);
const ref = file('ref.csv', csvOf(refCells));
const quiet = file('quiet.csv', csvOf(dataset(2, 300)));
const loud = file('loud.csv', csvOf(dataset(3, 300, { shift: 1, jump: 4, jumpAt: 150, flip: 0.3 })));
const ALL = ['--embedding', 'emb', '--streams', 'lat', '--label', 'truth', '--prediction', 'pred', '--probability', 'prob'];

const CHECK = {
  type: 'object',
  required: ['detector', 'subject', 'statistic', 'value', 'threshold', 'drift', 'details'],
  additionalProperties: false,
  properties: {
    detector: { enum: ['mmd', 'pca-drift', 'embedding-drift', 'adwin', 'page-hinkley', 'kswin', 'ddm', 'cusum', 'performance'] },
    subject: { type: 'string', minLength: 1 },
    statistic: { type: 'string', minLength: 1 },
    value: { type: ['number', 'null'] },
    threshold: { type: 'string', minLength: 1 },
    drift: { type: 'boolean' },
    details: { type: 'object', additionalProperties: { anyOf: [{ type: ['string', 'number', 'boolean'] }, { type: 'array', items: { type: 'integer' } }] } },
    note: { type: 'string' },
  },
};
const SECTION = { type: 'object', required: ['checks', 'drift'], additionalProperties: false, properties: { checks: { type: 'array', minItems: 1, items: CHECK }, drift: { type: 'boolean' } } };
const REPORT_SCHEMA = {
  type: 'object',
  required: ['reference', 'current', 'features', 'sections', 'summary'],
  properties: {
    sections: { type: 'object', additionalProperties: false, properties: { multivariate: SECTION, embedding: SECTION, streams: SECTION, performance: SECTION } },
    summary: {
      type: 'object',
      required: ['features', 'drifted', 'driftedFeatures', 'driftedSections'],
      properties: { driftedSections: { type: 'array', items: { enum: ['multivariate', 'embedding', 'streams', 'performance'] } } },
    },
  },
};
const validate = new Ajv({ allErrors: true }).compile(REPORT_SCHEMA);

interface JsonReport {
  features: { name: string }[];
  sections: Record<string, { drift: boolean; checks: { detector: string; subject: string; drift: boolean; details: Record<string, unknown> }[] }>;
  summary: { driftedSections: string[] };
}

describe('vigil drift sections', () => {
  it('reports every section in JSON of the documented shape, and exits 1 when they drift', async () => {
    const { code, out } = await run(['--reference', ref, '--current', loud, '--format', 'json', ...ALL]);
    expect(code).toBe(1);
    const report = JSON.parse(out) as JsonReport;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.summary.driftedSections).toEqual(['multivariate', 'embedding', 'streams', 'performance']);
    // Declared embedding, label, prediction and probability columns are not compared one by one.
    expect(report.features.map((f) => f.name)).toEqual(['x', 'y', 'z', 'lat', 'err', 'target', 'guess']);
    expect(report.sections['multivariate']!.checks.map((c) => [c.detector, c.subject])).toEqual([
      ['mmd', 'x, y, z, lat, err, target, guess'],
      ['pca-drift', 'x, y, z, lat, err, target, guess'],
    ]);
    expect(report.sections['performance']!.checks.map((c) => c.subject)).toEqual(['accuracy', 'f1', 'rocAuc']);
  });

  it('exits 0 on data like the reference, every section present and quiet', async () => {
    const { code, out } = await run(['--reference', ref, '--current', quiet, '--format', 'json', ...ALL, '--stream-detectors', 'adwin']);
    const report = JSON.parse(out) as JsonReport;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.entries(report.sections).map(([name, s]) => [name, s.drift])).toEqual([
      ['multivariate', false],
      ['embedding', false],
      ['streams', false],
      ['performance', false],
    ]);
    expect(code).toBe(0);
  });

  it('exits 1 when only a section drifts, and names it in the summary line', async () => {
    const { code, out } = await run(['--reference', ref, '--current', loud, '--columns', 'z', '--streams', 'lat', '--stream-detectors', 'adwin']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Sequential drift per stream {2}→ {2}DRIFT$/m);
    expect(out).toMatch(/^0 of 1 features drifted; sections drifted: streams$/m);
  });

  it('turns the multivariate section off with --multivariate none and runs one method when asked', async () => {
    const off = JSON.parse((await run(['--reference', ref, '--current', quiet, '--format', 'json', '--multivariate', 'none'])).out) as JsonReport;
    expect(off.sections).toEqual({});
    const pca = JSON.parse((await run(['--reference', ref, '--current', quiet, '--format', 'json', '--multivariate', 'pca'])).out) as JsonReport;
    expect(pca.sections['multivariate']!.checks.map((c) => c.detector)).toEqual(['pca-drift']);
  });

  it('reads embeddings as JSON arrays from JSON lines, where no other column may hold one', async () => {
    const jsonl = (cells: Cells, rows: number): string =>
      Array.from({ length: rows }, (_, i) => JSON.stringify({ x: cells['x']![i], emb: JSON.parse(String(cells['emb']![i])) as number[] })).join('\n');
    const shifted = dataset(5, 300, { shift: 1 });
    const current = file('cur.jsonl', jsonl(shifted, 300));
    const reference = file('ref.jsonl', jsonl(refCells, 800));
    const { code, out } = await run(['--reference', reference, '--current', current, '--format', 'json', '--embedding', 'emb']);
    expect(code).toBe(1);
    expect((JSON.parse(out) as JsonReport).sections['embedding']!.checks[0]!.drift).toBe(true);
    const refused = await run(['--reference', reference, '--current', current]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/ref\.jsonl: line 1, column "emb": a nested array/);
  });

  it('renders each section in the HTML page, escaped', async () => {
    const out = join(dir, 'report.html');
    const { code } = await run(['--reference', ref, '--current', loud, '--format', 'html', '--out', out, ...ALL]);
    expect(code).toBe(1);
    const html = readFileSync(out, 'utf8');
    for (const id of ['multivariate', 'embedding', 'streams', 'performance']) expect(html).toMatch(new RegExp(`<section class="feature" id="${id}">\\s*<h2>[^<]+ <span class="badge bad">drift</span></h2>`));
    expect(html).toContain('<td>adwin</td><td>lat</td>');
    expect(html).toMatch(/sections drifted: multivariate, embedding, streams, performance/);
    const hostile = (cells: Cells): string => csvOf({ '<i>t</i>': cells['lat']!, x: cells['x']! });
    const page = join(dir, 'hostile.html');
    await run(['--reference', file('h-ref.csv', hostile(refCells)), '--current', file('h-cur.csv', hostile(dataset(3, 300, { jump: 4, jumpAt: 150 }))), '--format', 'html', '--out', page, '--streams', '<i>t</i>']);
    const escaped = readFileSync(page, 'utf8');
    expect(escaped).toContain('<td>adwin</td><td>&lt;i&gt;t&lt;/i&gt;</td>');
    expect(escaped).not.toContain('<i>');
  });

  it('exits 2 on bad input, naming the file, line and column', async () => {
    const bad = (name: string, cells: Cells): string => file(name, csvOf(cells));
    const base = dataset(9, 300);
    const cases: [string[], RegExp][] = [
      [['--streams', 'speed'], /ref\.csv: no column "speed"/],
      [['--current', bad('text.csv', withCell(base, 'lat', 1, 'fast')), '--streams', 'lat'], /text\.csv: line 3, column "lat": "fast" is not a number/],
      [['--current', bad('dim.csv', withCell(base, 'emb', 2, '[1,2,3]')), '--embedding', 'emb'], /dim\.csv: line 4, column "emb": an embedding of 3 numbers; expected 4/],
      [['--current', bad('notarray.csv', withCell(base, 'emb', 0, 'abc')), '--embedding', 'emb'], /notarray\.csv: line 2, column "emb": "abc" is not a JSON array of numbers/],
      [['--current', bad('item.csv', withCell(base, 'emb', 5, '[1,"a",3,4]')), '--embedding', 'emb'], /item\.csv: line 7, column "emb": item 1 of the embedding is "a"/],
      [['--current', bad('gap.csv', withCell(base, 'y', 3, null)), '--embedding', 'x,y'], /gap\.csv: line 5, column "y": no value, but the row's other embedding columns have one/],
      [['--streams', 'lat', '--stream-detectors', 'ddm'], /ref\.csv: line 2, column "lat": [\d.]+ is not 0 or 1/],
      [['--current', bad('prob.csv', withCell(base, 'prob', 7, 1.5)), '--label', 'truth', '--prediction', 'pred', '--probability', 'prob'], /prob\.csv: line 9, column "prob": 1\.5 is not a probability in \[0, 1\]/],
      [['--current', bad('target.csv', withCell(base, 'target', 4, 'n/a')), '--label', 'target', '--prediction', 'guess', '--task', 'regression'], /target\.csv: line 6, column "target": "n\/a" is not a number/],
      [['--label', 'truth', '--prediction', 'nothing'], /ref\.csv: no column "nothing"/],
      [['--current', bad('unpredicted.csv', withCell(base, 'pred', 10, null)), '--label', 'truth', '--prediction', 'pred'], /unpredicted\.csv: line 12, column "pred": no prediction, but the row has a label in "truth"/],
    ];
    for (const [argv, pattern] of cases) {
      const current = argv[0] === '--current' ? [] : ['--current', quiet];
      const { code, err } = await run(['--reference', ref, ...current, ...argv]);
      expect(code, String(pattern)).toBe(2);
      expect(err).toMatch(pattern);
      expect(err).toMatch(/\[VIGIL_INPUT_INVALID\]/);
    }
  });

  it('exits 2 on bad usage of the section flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--label', 'truth'], /--label and --prediction go together: --prediction is missing/],
      [['--prediction', 'pred'], /--label is missing/],
      [['--probability', 'prob'], /--probability needs --label COLUMN and --prediction COLUMN/],
      [['--stream-detectors', 'adwin'], /--stream-detectors needs --streams COLUMNS/],
      [['--streams', 'lat', '--stream-detectors', 'adwin,magic'], /--stream-detectors entries must be among adwin, page-hinkley, kswin, ddm, cusum, got "magic"/],
      [['--multivariate', 'mmd,mmd'], /--multivariate: an entry is listed twice/],
      [['--label', 'target', '--prediction', 'guess', '--task', 'regression', '--probability', 'prob'], /--probability applies to --task classification only/],
      [['--label', 'truth', '--prediction', 'pred', '--task', 'ranking'], /--task must be one of classification, regression/],
      [['--seed', '1.5'], /--seed must be a whole number/],
    ];
    for (const [argv, pattern] of cases) {
      const { code, err } = await run(['--reference', ref, '--current', quiet, ...argv]);
      expect(code, argv.join(' ')).toBe(2);
      expect(err).toMatch(pattern);
      expect(err).toMatch(/\[VIGIL_USAGE\]/);
    }
    const one = await run(['--reference', ref, '--current', quiet, '--columns', 'x,truth', '--multivariate', 'mmd']);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/--multivariate needs at least two numeric columns; .*ref\.csv has 1/);
  });
});
