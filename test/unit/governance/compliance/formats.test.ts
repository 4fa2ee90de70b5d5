import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/governance/compliance/evaluate.js';
import { formatText, lineOf, toJunit, toSarif, xml } from '../../../../src/governance/compliance/formats.js';
import { loadPacks } from '../../../../src/governance/compliance/packs.js';
import { packageRoot } from '../../../../src/stack/paths.js';
import { makeManifest } from '../helpers.js';

// The OASIS SARIF 2.1.0 JSON schema (draft-07), kept as a fixture so the check runs offline.
const sarifSchema = JSON.parse(readFileSync(join(packageRoot(), 'test/fixtures/governance/sarif-schema-2.1.0.json'), 'utf8')) as object;
const validateSarif = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(sarifSchema);

const failing = makeManifest((m) => {
  delete m.owner;
  m.ioLogging = { enabled: true, encrypted: false, retentionDays: 10 };
  m.intendedUse = 'scores <loans> & "credit" \u0001';
});
const report = evaluate(failing, { submitter: 'a' }, loadPacks());
const options = { manifestFile: 'deploy/manifest v1.json', manifestText: JSON.stringify(failing, null, 2), toolVersion: '0.1.0' };

describe('SARIF output', () => {
  it('is valid against the SARIF 2.1.0 schema, with and without findings', () => {
    expect(report.findings.length).toBeGreaterThan(3);
    const sarif = toSarif(report, options);
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    const clean = toSarif(evaluate(makeManifest(), {}, loadPacks()), options);
    expect(validateSarif(clean), JSON.stringify(validateSarif.errors)).toBe(true);
  });

  it('the schema check is not vacuous: a result without a message is refused', () => {
    const sarif = toSarif(report, options) as { runs: { results: Record<string, unknown>[] }[] };
    delete sarif.runs[0]?.results[0]?.message;
    expect(validateSarif(sarif)).toBe(false);
  });

  it('has one rule per evaluated rule, results pointing at their rule, level, clause and manifest line', () => {
    const sarif = toSarif(report, options) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[] };
    const run = sarif.runs[0] as (typeof sarif.runs)[number];
    expect(sarif.version).toBe('2.1.0');
    expect(run.tool.driver.rules).toHaveLength(report.outcomes.length);
    const result = run.results.find((r) => r.ruleId === 'EUAIA-17-ACCOUNTABILITY') as Record<string, unknown>;
    expect(result).toMatchObject({ level: 'error', message: { text: expect.stringContaining('EU AI Act Art. 17(1)(m)') } });
    expect(run.tool.driver.rules[result.ruleIndex as number]?.id).toBe('EUAIA-17-ACCOUNTABILITY');
    const encrypted = run.results.find((r) => r.ruleId === 'NIST-MEASURE-2.7-SECURITY') as { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] };
    const location = encrypted.locations[0]?.physicalLocation;
    expect(location?.artifactLocation.uri).toBe('deploy/manifest%20v1.json');
    expect(options.manifestText.split('\n')[(location?.region.startLine ?? 0) - 1]).toContain('"encrypted"');
  });

  it('finds the line of a nested key, and line 1 when absent', () => {
    const text = '{\n  "a": {\n    "b": 1\n  },\n  "b": 2\n}';
    expect(lineOf(text, 'a.b')).toBe(3);
    expect(lineOf(text, 'zzz')).toBe(1);
  });
});

describe('JUnit XML output', () => {
  const junit = toJunit(report, options);

  it('has one test suite per pack and one test case per rule, with failures and skips counted', () => {
    expect(junit.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="vigil check"')).toBe(true);
    expect(junit.match(/<testsuite /g)).toHaveLength(3);
    expect(junit.match(/<testcase /g)).toHaveLength(report.outcomes.length);
    expect(junit.match(/<failure /g)).toHaveLength(report.counts.fail);
    expect(junit.match(/<skipped /g)).toHaveLength(report.counts.notApplicable);
    expect(junit).toContain(`failures="${report.counts.fail}"`);
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xml('a<b>&"c\'\u0001\uD800')).toBe('a&lt;b&gt;&amp;&quot;c&apos;\uFFFD\uFFFD');
    // Every tag opened is closed: a crude well-formedness check without an XML library.
    const body = junit.replace(/<\?xml[^>]*\?>/, '');
    const stack: string[] = [];
    for (const m of body.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2] as string);
    }
    expect(stack).toEqual([]);
  });
});

describe('text output', () => {
  it('lists each finding with rule, clause and field, then a summary', () => {
    const text = formatText(report);
    expect(text).toMatch(/ERROR {3}EUAIA-17-ACCOUNTABILITY \[EU AI Act Art\. 17\(1\)\(m\)\] owner: owner is missing or empty/);
    expect(text.split('\n').at(-1)).toMatch(/^FAILED: \d+ rules passed, \d+ failed \(\d+ errors, \d+ warnings\), \d+ not applicable$/);
  });
});
