/**
 * The drift report as one self-contained HTML page: inline CSS and SVG, no script, no external
 * asset. Per feature: the verdict, a distribution plot (reference against current, as shares of each
 * sample) and the table of statistics; then one table per section (multivariate, embedding,
 * streams, performance), a row per check. Every string from the input files is escaped.
 */
import { SECTION_NAMES, SECTION_TITLES, type Section, type SectionName } from './checks.js';
import type { DriftReport, FeatureReport, Plot } from './report.js';
import { detailText, fmt, summaryLine } from './text.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const REF = '#4c78a8';
const CUR = '#f58518';
const W = 560;
const H = 200;
const PAD = { left: 58, right: 12, top: 12, bottom: 40 };

function axis(maxY: number): string {
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const v = (maxY * t) / 4;
    const y = PAD.top + (H - PAD.top - PAD.bottom) * (1 - t / 4);
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" class="tick">${escapeHtml(Number(v.toPrecision(2)).toString())}</text>`);
  }
  return parts.join('');
}

/** Numeric features: the two histograms as step outlines over one set of bins; categorical: paired bars. */
function plotSvg(plot: Plot, name: string): string {
  const n = plot.reference.length;
  if (n === 0) return '<p class="note">nothing to plot</p>';
  const maxY = Math.max(...plot.reference, ...plot.current, 1e-12) * 1.08;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number): number => PAD.top + plotH * (1 - v / maxY);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(`distribution of ${name}`)}">`, axis(maxY)];
  if (plot.edges) {
    const x = (i: number): number => PAD.left + (plotW * i) / n;
    for (const [values, colour, opacity] of [[plot.reference, REF, 0.35], [plot.current, CUR, 0.35]] as const) {
      let d = `M${x(0)},${y(0)}`;
      values.forEach((v, i) => (d += ` L${x(i)},${y(v)} L${x(i + 1)},${y(v)}`));
      d += ` L${x(n)},${y(0)} Z`;
      parts.push(`<path d="${d}" fill="${colour}" fill-opacity="${opacity}" stroke="${colour}" stroke-width="1.5"/>`);
    }
    const edges = plot.edges;
    for (const i of [0, Math.floor(n / 2), n]) parts.push(`<text x="${x(i)}" y="${H - PAD.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(fmt(edges[i]!))}</text>`);
  } else {
    const band = plotW / n;
    const bar = Math.max(1, band * 0.38);
    plot.reference.forEach((v, i) => {
      const x0 = PAD.left + band * i + band * 0.1;
      parts.push(`<rect x="${x0}" y="${y(v)}" width="${bar}" height="${y(0) - y(v)}" fill="${REF}"/>`);
      parts.push(`<rect x="${x0 + bar}" y="${y(plot.current[i]!)}" width="${bar}" height="${y(0) - y(plot.current[i]!)}" fill="${CUR}"/>`);
      const label = plot.labels![i]!;
      parts.push(`<text x="${x0 + bar}" y="${H - PAD.bottom + 14}" text-anchor="middle" class="tick">${escapeHtml(label.length > 10 ? `${label.slice(0, 9)}…` : label)}</text>`);
    });
  }
  parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#888"/>`);
  parts.push(`<rect x="${PAD.left}" y="${H - 16}" width="10" height="10" fill="${REF}"/><text x="${PAD.left + 14}" y="${H - 7}" class="tick">reference</text>`);
  parts.push(`<rect x="${PAD.left + 90}" y="${H - 16}" width="10" height="10" fill="${CUR}"/><text x="${PAD.left + 104}" y="${H - 7}" class="tick">current</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function featureSection(f: FeatureReport): string {
  const verdict = f.note ? 'not tested' : f.drift ? `drift (by ${f.verdictBy})` : 'no drift';
  const rows = f.statistics
    .map(
      (s) =>
        `<tr class="${s.drift ? 'drift' : ''}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(fmt(s.value))}</td><td>${escapeHtml(fmt(s.pValue))}</td><td>${escapeHtml(fmt(s.adjustedPValue))}</td><td>${escapeHtml(s.threshold)}${s.criticalValue !== undefined ? ` <span class="muted">(critical ${escapeHtml(fmt(s.criticalValue))})</span>` : ''}</td><td>${s.drift ? 'drift' : 'ok'}</td><td class="muted">${escapeHtml(String(s.details['binning'] ?? s.details['method'] ?? ''))}</td></tr>`,
    )
    .join('');
  return `<section class="feature">
<h2>${escapeHtml(f.name)} <span class="badge ${f.drift ? 'bad' : 'good'}">${escapeHtml(verdict)}</span></h2>
<p class="muted">${f.type} (${f.typeSource}) · reference ${f.referenceCount} values${f.referenceMissing ? ` + ${f.referenceMissing} missing` : ''} · current ${f.currentCount} values${f.currentMissing ? ` + ${f.currentMissing} missing` : ''}</p>
${f.note ? `<p class="note">${escapeHtml(f.note)}</p>` : ''}
<div class="row"><div>${plotSvg(f.plot, f.name)}</div>
<table><thead><tr><th>statistic</th><th>value</th><th>p</th><th>adjusted p</th><th>threshold</th><th>verdict</th><th>binning / method</th></tr></thead><tbody>${rows}</tbody></table></div>
</section>`;
}

function sectionHtml(name: SectionName, section: Section): string {
  const rows = section.checks
    .map((c) => {
      const details = Object.entries(c.details)
        .map(([k, v]) => `${escapeHtml(k)} <strong>${escapeHtml(detailText(v))}</strong>`)
        .join(' · ');
      const value = c.note !== undefined ? `<span class="note">${escapeHtml(c.note)}</span>` : escapeHtml(fmt(c.value ?? undefined));
      return `<tr class="${c.drift ? 'drift' : ''}"><td>${escapeHtml(c.detector)}</td><td>${escapeHtml(c.subject)}</td><td>${escapeHtml(c.statistic)}</td><td>${value}</td><td>${escapeHtml(c.threshold)}</td><td>${c.note !== undefined ? 'not tested' : c.drift ? 'drift' : 'ok'}</td><td class="muted wrap">${details}</td></tr>`;
    })
    .join('');
  return `<section class="feature" id="${name}">
<h2>${escapeHtml(SECTION_TITLES[name])} <span class="badge ${section.drift ? 'bad' : 'good'}">${section.drift ? 'drift' : 'no drift'}</span></h2>
<table><thead><tr><th>detector</th><th>on</th><th>statistic</th><th>value</th><th>threshold</th><th>verdict</th><th>details</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

export function renderHtml(report: DriftReport): string {
  const conventions = Object.entries(report.conventions)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drift report: ${escapeHtml(report.current.file)} against ${escapeHtml(report.reference.file)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:#222;margin:0;background:#f6f7f9}
header{background:#fff;border-bottom:1px solid #ddd;padding:16px 28px}
h1{font-size:20px;margin:0 0 6px} h2{font-size:16px;margin:0 0 4px}
main{padding:16px 28px} .feature{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 18px;margin:0 0 16px}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
table{border-collapse:collapse;font-size:13px} th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
th{color:#555;font-weight:600} tr.drift td{background:#fff1f0}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;vertical-align:middle} .bad{background:#fde2e1;color:#a8071a} .good{background:#e3f6e8;color:#135200}
.wrap{white-space:normal;max-width:520px} .muted{color:#777} .note{color:#8a5a00} .tick{font-size:10px;fill:#666} dt{font-weight:600;margin-top:4px} dd{margin:0 0 0 12px;color:#444}
.summary{font-size:15px}
</style></head><body>
<header><h1>Drift report</h1>
<p class="summary">${escapeHtml(summaryLine(report))}</p>
<p class="muted">reference ${escapeHtml(report.reference.file)} (${report.reference.rows} rows) · current ${escapeHtml(report.current.file)} (${report.current.rows} rows) · alpha ${report.options.alpha} · correction ${report.options.correction} · binning ${report.options.binning}</p>
</header>
<main>
${report.features.map(featureSection).join('\n')}
${SECTION_NAMES.map((name) => (report.sections[name] === undefined ? '' : sectionHtml(name, report.sections[name]!))).join('\n')}
<section class="feature"><h2>Conventions</h2><dl>${conventions}</dl></section>
</main></body></html>
`;
}
