/** The drift report as plain text: one block per feature, one line per statistic. */
import type { DriftReport, Statistic } from './report.js';

/** A number for people: 4 significant digits, exponent form for tiny or huge values. */
export function fmt(value: number | undefined): string {
  if (value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a < 1e-3 || a >= 1e6 ? value.toExponential(3) : Number(value.toPrecision(4)).toString();
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
  lines.push(`${report.summary.drifted} of ${report.summary.features} features drifted${report.summary.drifted ? `: ${report.summary.driftedFeatures.join(', ')}` : ''}`);
  return lines.join('\n');
}
