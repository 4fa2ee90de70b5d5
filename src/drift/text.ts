/** The drift report as plain text: one block per feature, one line per statistic; then one block per section, one line per check. */
import { SECTION_NAMES, SECTION_TITLES, type Check, type DetailValue, type Section } from './checks.js';
import type { DriftReport, Statistic } from './report.js';

/** A number for people: 4 significant digits, exponent form for tiny or huge values. */
export function fmt(value: number | undefined): string {
  if (value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a < 1e-3 || a >= 1e6 ? value.toExponential(3) : Number(value.toPrecision(4)).toString();
}

/** A detail value for people: numbers by `fmt`, lists cut after ten items. */
export function detailText(value: DetailValue): string {
  if (typeof value === 'number') return fmt(value);
  if (typeof value !== 'object') return String(value);
  const shown = value.slice(0, 10).map((v) => fmt(v)).join(', ');
  return value.length > 10 ? `${shown}, … (${value.length})` : `[${shown}]`;
}

/** The details of a check as "key value" pairs on one line. */
export function detailsLine(check: Check): string {
  return Object.entries(check.details)
    .map(([k, v]) => `${k} ${detailText(v)}`)
    .join('  ');
}

function sectionBlock(title: string, section: Section): string[] {
  const lines = [`${title}  →  ${section.drift ? 'DRIFT' : 'no drift'}`];
  for (const c of section.checks) {
    lines.push(`    ${c.detector.padEnd(15)} ${c.subject}`);
    if (c.note !== undefined) lines.push(`        ${c.note}`);
    else lines.push(`        ${c.statistic}: ${fmt(c.value ?? undefined)}  ${c.drift ? 'DRIFT' : 'ok'}  ${c.threshold}`);
    const details = detailsLine(c);
    if (details !== '') lines.push(`        ${details}`);
  }
  lines.push('');
  return lines;
}

function statLine(s: Statistic): string {
  const binning = s.details['binning'] !== undefined ? `  [${s.details['binning']}]` : s.details['method'] !== undefined ? `  [${s.details['method']}]` : '';
  const critical = s.criticalValue !== undefined ? `  critical ${fmt(s.criticalValue)}` : '';
  return `    ${s.name.padEnd(17)} ${fmt(s.value).padStart(10)}  p ${fmt(s.pValue).padStart(10)}  adj ${fmt(s.adjustedPValue).padStart(10)}  ${(s.drift ? 'DRIFT' : 'ok').padEnd(5)}  ${s.threshold}${critical}${binning}`;
}

export function renderText(report: DriftReport): string {
  const lines: string[] = [];
  lines.push(`reference: ${report.reference.file} (${report.reference.rows} rows)`);
  lines.push(`current:   ${report.current.file} (${report.current.rows} rows)`);
  lines.push(`binning:   ${report.conventions['binning']}`);
  lines.push(`tests:     alpha ${report.options.alpha}, correction ${report.options.correction}; ${report.conventions['verdict']}`);
  lines.push('');
  for (const f of report.features) {
    const verdict = f.note ? 'not tested' : f.drift ? `DRIFT (by ${f.verdictBy})` : 'no drift';
    lines.push(`${f.name}  ${f.type} (${f.typeSource})  reference ${f.referenceCount} values${f.referenceMissing ? ` + ${f.referenceMissing} missing` : ''}, current ${f.currentCount}${f.currentMissing ? ` + ${f.currentMissing} missing` : ''}  →  ${verdict}`);
    if (f.note) lines.push(`    ${f.note}`);
    for (const s of f.statistics) lines.push(statLine(s));
    lines.push('');
  }
  for (const name of SECTION_NAMES) {
    const section = report.sections[name];
    if (section !== undefined) lines.push(...sectionBlock(SECTION_TITLES[name], section));
  }
  lines.push(summaryLine(report));
  return lines.join('\n');
}

/** "N of M features drifted: …", and the sections that drifted. */
export function summaryLine(report: DriftReport): string {
  const { drifted, features, driftedFeatures, driftedSections } = report.summary;
  const sections = driftedSections.length > 0 ? `; sections drifted: ${driftedSections.join(', ')}` : '';
  return `${drifted} of ${features} features drifted${drifted ? `: ${driftedFeatures.join(', ')}` : ''}${sections}`;
}
