/** The evidence report as one self-contained HTML page: inline CSS and SVG, no script, no external resource. */
import { driftChart, esc } from './svg.js';
import type { EvidenceReport } from './types.js';

const time = (at: number | null) => (at === null ? '—' : new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
const table = (head: readonly string[], rows: readonly (readonly string[])[], empty: string) =>
  rows.length === 0 ? `<p class="muted">${esc(empty)}</p>` : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
const badge = (ok: boolean, yes: string, no: string) => `<span class="badge ${ok ? 'ok' : 'bad'}">${esc(ok ? yes : no)}</span>`;
const code = (s: string | null) => (s === null ? '—' : `<code>${esc(s)}</code>`);

const CSS = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:1040px;margin:0 auto;padding:24px 32px 64px;background:#fff;min-height:100vh}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #e3e6eb}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#69707d}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13.5px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{background:#f0f2f5;font-weight:600}code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12.5px;font-weight:600}.ok{background:#dff3e4;color:#17622c}.bad{background:#fde2e1;color:#9b1c1c}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:14px 0}.card{border:1px solid #e3e6eb;border-radius:8px;padding:10px 14px;min-width:150px}.card b{display:block;font-size:22px}
.chart svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}.chart .line{fill:none;stroke:#2563eb;stroke-width:2}.chart .dots circle{fill:#2563eb}
.chart .grid{stroke:#e3e6eb}.chart .threshold{stroke:#dc2626;stroke-dasharray:5 4}.chart .threshold-label{fill:#dc2626}.chart figcaption{font-size:13px;color:#69707d}
nav a{margin-right:12px;font-size:13.5px}@media print{nav{display:none}main{padding:0}}`;

export function renderHtml(r: EvidenceReport): string {
  const auditOk = r.audit?.verified ?? null;
  const checksOk = r.checks.every((c) => c.passed);
  const sections: string[] = [];
  sections.push(`<section id="summary"><h2>Summary</h2><div class="summary">
<div class="card">Versions<b>${r.versions.length}</b></div>
<div class="card">Deployments<b>${r.deployments.length}</b></div>
<div class="card">Alerts<b>${r.alerts.length}</b></div>
<div class="card">Rollbacks<b>${r.rollbacks.length}</b></div>
<div class="card">Compliance<b>${r.checks.length === 0 ? '—' : badge(checksOk, 'passed', 'violations')}</b></div>
<div class="card">Audit trail<b>${auditOk === null ? '—' : badge(auditOk, 'verified', 'broken')}</b></div></div>${
    r.unreadable.length === 0 ? '' : `<h3>Records that could not be read (${r.unreadable.length})</h3><ul>${r.unreadable.slice(0, 50).map((u) => `<li>${esc(u)}</li>`).join('')}</ul>`
  }</section>`);
  sections.push(`<section id="manifests"><h2>Deployment manifests and dependencies</h2>${r.manifests
    .map(
      (m) => `<h3>Version ${esc(m.version)}</h3>${table(
        ['field', 'value'],
        [
          ['Captured', esc(m.capturedAt)],
          ['Owner', esc(m.owner ?? '—')],
          ['Intended use', esc(m.intendedUse ?? '—')],
          ['Risk class', esc(m.riskClass)],
          ['Artifact SHA-256', code(m.artifactSha256)],
          ['Environment hash', code(m.environmentHash)],
          ['Platform', esc(m.platform)],
          ['Runtimes', esc(Object.entries(m.runtimes).map(([k, v]) => `${k} ${v}`).join(', '))],
          ['Container image', code(m.containerImageDigest)],
          ['Git commit', code(m.gitCommit)],
          ['Documents', esc(m.documents.join(', ') || '—')],
          ['SBOM', esc(`${m.sbom.components} components (${Object.entries(m.sbom.byEcosystem).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`)],
          ['Licences', esc(Object.entries(m.sbom.byLicence).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}: ${v}`).join('; ') || '—')],
        ],
        '',
      )}`,
    )
    .join('') || '<p class="muted">No manifest was given.</p>'}</section>`);
  sections.push(`<section id="compliance"><h2>Compliance checks</h2>${r.checks
    .map(
      (c) => `<h3>Version ${esc(c.version)} ${badge(c.passed, 'passed', 'violations')}</h3><p class="muted">${esc(c.packs.map((p) => `${p.framework} (${p.pack} ${p.version})`).join(', '))}: ${c.counts.pass} rules passed, ${c.counts.fail} failed, ${c.counts.notApplicable} not applicable.</p>${table(
        ['severity', 'rule', 'clause', 'field', 'finding'],
        c.findings.map((f) => [esc(f.severity), code(f.ruleId), esc(`${f.clause.framework} ${f.clause.ref} — ${f.clause.title}`), code(f.path), esc(f.message)]),
        'No finding.',
      )}`,
    )
    .join('') || '<p class="muted">No check result was given.</p>'}</section>`);
  sections.push(`<section id="approvals"><h2>Approvals</h2>${table(
    ['version', 'status', 'risk class', 'submitted by', 'approved by (when)', 'rejected'],
    r.versions.map((v) => [esc(v.version), esc(v.status), esc(v.riskClass ?? '—'), esc(`${v.submitter ?? '—'} (${time(v.submittedAt)})`), esc(v.approvals.map((a) => `${a.actor} (${time(a.at)})`).join(', ') || '—'), esc(v.rejection === null ? '—' : `${v.rejection.actor}: ${v.rejection.reason}`)]),
    'No governance event for this model.',
  )}${r.refusedEvents.length === 0 ? '' : `<h3>Refused governance steps</h3>${table(['event', 'code', 'why'], r.refusedEvents.map((e) => [code(e.eventId), esc(e.code), esc(e.message)]), '')}`}</section>`);
  sections.push(`<section id="deployments"><h2>Deployments</h2>${table(
    ['when', 'version', 'by', 'rollback target'],
    r.deployments.map((d) => [esc(time(d.at)), esc(d.version), esc(d.actor), esc(d.rollbackTarget ?? `none: ${d.noTargetReason ?? ''}`)]),
    'No deployment in the period.',
  )}</section>`);
  sections.push(`<section id="alerts"><h2>Alerts</h2><p class="muted">${esc(Object.entries(r.alertCounts).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none')}</p>${table(
    ['window end', 'severity', 'kind', 'version', 'detector', 'feature', 'score', 'threshold'],
    r.alerts.slice(0, 500).map((a) => [esc(time(a.at)), esc(a.severity), esc(a.kind), esc(a.version), esc(a.detector), esc(a.feature ?? '—'), esc(a.score.toFixed(4)), esc(String(a.threshold))]),
    'No alert in the period.',
  )}${r.alerts.length > 500 ? `<p class="muted">${r.alerts.length - 500} more alerts are in the JSON form of this report.</p>` : ''}</section>`);
  sections.push(`<section id="rollbacks"><h2>Rollbacks</h2>${table(
    ['when', 'action', 'from', 'to', 'issued by', 'reason', 'alerts'],
    r.rollbacks.map((b) => [esc(time(b.at)), esc(b.action), esc(b.from), esc(b.to), esc(b.by), esc(b.reason), esc(String(b.alertIds.length))]),
    'No rollback in the period.',
  )}</section>`);
  const features = Object.keys(r.drift).sort();
  sections.push(`<section id="drift"><h2>Drift over time</h2>${features.map((f) => driftChart(f, r.drift[f] ?? [])).join('') || '<p class="muted">No drift score in the period.</p>'}</section>`);
  sections.push(`<section id="audit"><h2>Audit trail verification</h2>${
    r.audit === null
      ? '<p class="muted">No audit trail was given.</p>'
      : table(
          ['chain', 'result', 'records', 'checkpoints', 'signing keys', 'head', 'findings'],
          r.audit.chains.map((c) => [code(c.chainId), badge(c.ok, 'verified', 'broken'), String(c.records), String(c.checkpoints), esc(c.keyIds.join(', ')), c.head === null ? '—' : code(`seq ${c.head.seq} ${c.head.hash}`), esc(c.findings.map((f) => `${f.kind}: ${f.message}`).join(' | ') || 'none')]),
          'No audit record.',
        )
  }</section>`);
  const period = `${r.period.from === null ? 'the beginning' : time(r.period.from)} to ${r.period.to === null ? 'now' : time(r.period.to)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Evidence report: ${esc(r.modelId)}</title><style>${CSS}</style></head>
<body><main>
<h1>Evidence report: ${esc(r.modelId)}</h1>
<p class="muted">Period: ${esc(period)}. Generated ${esc(time(r.generatedAt))} by Vigil.</p>
<nav>${['summary', 'manifests', 'compliance', 'approvals', 'deployments', 'alerts', 'rollbacks', 'drift', 'audit'].map((id) => `<a href="#${id}">${id}</a>`).join('')}</nav>
${sections.join('\n')}
</main></body></html>
`;
}
