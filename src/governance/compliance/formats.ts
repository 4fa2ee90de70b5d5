/**
 * Check reports in the four forms `vigil check` writes: text for people, JSON for programs, SARIF 2.1.0
 * for code-scanning tools, JUnit XML for CI test reports. Pure: the report in, a string out.
 */
import type { CheckReport, Finding, RuleOutcome } from './types.js';

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface FormatOptions {
  /** The manifest file as the user named it (SARIF artifact location, JUnit properties). */
  readonly manifestFile: string;
  /** The manifest text, to point SARIF results at a line. */
  readonly manifestText?: string;
  readonly toolVersion: string;
}

export function formatReport(report: CheckReport, format: CheckFormat, options: FormatOptions): string {
  switch (format) {
    case 'text':
      return formatText(report);
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(report, options), null, 2);
    case 'junit':
      return toJunit(report, options);
  }
}

export function formatText(report: CheckReport): string {
  const lines = [`${report.modelId}@${report.modelVersion} (risk class ${report.riskClass}) against ${report.packs.map((p) => `${p.pack} ${p.version}`).join(', ')}`];
  for (const outcome of report.outcomes) {
    if (outcome.status !== 'fail') continue;
    for (const f of outcome.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.ruleId} [${f.clause.framework} ${f.clause.ref}] ${f.path}: ${f.message}`);
  }
  const c = report.counts;
  lines.push(`${report.passed ? 'PASSED' : 'FAILED'}: ${c.pass} rules passed, ${c.fail} failed (${c.errors} errors, ${c.warnings} warnings), ${c.notApplicable} not applicable`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// SARIF 2.1.0
// ---------------------------------------------------------------------------------------------------

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export function toSarif(report: CheckReport, options: FormatOptions): Record<string, unknown> {
  const rules = report.outcomes.map((o) => o);
  const index = new Map(rules.map((o, i) => [`${o.pack}/${o.rule.id}`, i]));
  const uri = toUri(options.manifestFile);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil',
            version: options.toolVersion,
            rules: rules.map((o) => ({
              id: o.rule.id,
              name: o.rule.id.replace(/[^A-Za-z0-9]+/g, ''),
              shortDescription: { text: o.rule.title },
              fullDescription: { text: `${o.clause.framework} ${o.clause.ref} (${o.clause.title}): ${o.rule.description ?? o.rule.title}` },
              defaultConfiguration: { level: o.rule.severity },
              properties: { pack: o.pack, framework: o.clause.framework, clause: o.clause.ref, clauseTitle: o.clause.title, tags: ['compliance', o.pack] },
            })),
          },
        },
        artifacts: [{ location: { uri }, roles: ['analysisTarget'] }],
        invocations: [{ executionSuccessful: true }],
        results: report.findings.map((f) => sarifResult(f, index.get(`${f.pack}/${f.ruleId}`) ?? -1, uri, options.manifestText)),
        properties: { modelId: report.modelId, modelVersion: report.modelVersion, riskClass: report.riskClass, notApplicable: report.counts.notApplicable },
      },
    ],
  };
}

function sarifResult(f: Finding, ruleIndex: number, uri: string, text: string | undefined): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: f.severity,
    message: { text: `${f.message} (${f.clause.framework} ${f.clause.ref}: ${f.clause.title})` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri, index: 0 }, region: { startLine: text === undefined ? 1 : lineOf(text, f.path) } },
        logicalLocations: [{ fullyQualifiedName: f.path, kind: 'member' }],
      },
    ],
    properties: { pack: f.pack, framework: f.clause.framework, clause: f.clause.ref },
  };
}

function toUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/'));
}

/** 1-based line of the JSON key at a dotted path, found by walking the keys in order; 1 when not found. */
export function lineOf(text: string, path: string): number {
  let at = 0;
  for (const segment of path.split('.')) {
    if (/^\d+$/.test(segment)) continue;
    const next = text.indexOf(`"${segment}"`, at);
    if (next < 0) break;
    at = next;
  }
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------------
// JUnit XML: one test suite per pack, one test case per rule
// ---------------------------------------------------------------------------------------------------

export function toJunit(report: CheckReport, options: FormatOptions): string {
  const byPack = new Map<string, RuleOutcome[]>();
  for (const o of report.outcomes) byPack.set(o.pack, [...(byPack.get(o.pack) ?? []), o]);
  const count = (list: readonly RuleOutcome[], status: RuleOutcome['status']) => list.filter((o) => o.status === status).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="vigil check" tests="${report.outcomes.length}" failures="${report.counts.fail}" errors="0" skipped="${report.counts.notApplicable}">`);
  for (const [pack, outcomes] of byPack) {
    out.push(`  <testsuite name="${xml(pack)}" tests="${outcomes.length}" failures="${count(outcomes, 'fail')}" errors="0" skipped="${count(outcomes, 'not-applicable')}">`);
    out.push('    <properties>');
    out.push(`      <property name="manifest" value="${xml(options.manifestFile)}"/>`);
    out.push(`      <property name="model" value="${xml(`${report.modelId}@${report.modelVersion}`)}"/>`);
    out.push('    </properties>');
    for (const o of outcomes) {
      const name = `${o.rule.id}: ${o.rule.title} [${o.clause.framework} ${o.clause.ref}]`;
      const open = `    <testcase classname="${xml(`vigil.${pack}`)}" name="${xml(name)}"`;
      if (o.status === 'pass') out.push(`${open}/>`);
      else if (o.status === 'not-applicable') out.push(`${open}>`, `      <skipped message="${xml(o.note ?? 'not applicable')}"/>`, '    </testcase>');
      else {
        const body = o.findings.map((f) => `${f.path}: ${f.message}`).join('\n');
        out.push(`${open}>`, `      <failure type="${o.rule.severity}" message="${xml(o.findings[0]?.message ?? '')}">${xml(body)}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}

/** XML-escaped text with the characters XML 1.0 cannot hold replaced by U+FFFD. */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
