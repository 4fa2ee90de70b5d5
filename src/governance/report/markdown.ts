/** The evidence report as Markdown, for pull requests and wikis. */
import type { EvidenceReport } from './types.js';

const time = (at: number | null) => (at === null ? '—' : new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
/** A table cell: pipes and line breaks would break the table. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
const table = (head: readonly string[], rows: readonly (readonly string[])[], empty: string) =>
  rows.length === 0 ? `_${empty}_\n` : `| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |\n${rows.map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n')}\n`;

export function renderMarkdown(r: EvidenceReport): string {
  const out: string[] = [`# Evidence report: ${cell(r.modelId)}`, '', `Period: ${r.period.from === null ? 'the beginning' : time(r.period.from)} to ${r.period.to === null ? 'now' : time(r.period.to)}. Generated ${time(r.generatedAt)}.`, ''];
  if (r.unreadable.length > 0) out.push(`**Records that could not be read (${r.unreadable.length}):**`, '', ...r.unreadable.slice(0, 50).map((u) => `- ${cell(u)}`), '');
  out.push('## Deployment manifests and dependencies', '');
  for (const m of r.manifests) {
    out.push(`### Version ${cell(m.version)}`, '', table(['field', 'value'], [
      ['Captured', m.capturedAt], ['Owner', m.owner ?? '—'], ['Intended use', m.intendedUse ?? '—'], ['Risk class', m.riskClass],
      ['Artifact SHA-256', `\`${m.artifactSha256}\``], ['Environment hash', `\`${m.environmentHash}\``], ['Platform', m.platform],
      ['Runtimes', Object.entries(m.runtimes).map(([k, v]) => `${k} ${v}`).join(', ')], ['SBOM', `${m.sbom.components} components`],
      ['Licences', Object.entries(m.sbom.byLicence).map(([k, v]) => `${k}: ${v}`).join('; ') || '—'],
    ], ''));
  }
  if (r.manifests.length === 0) out.push('_No manifest was given._', '');
  out.push('## Compliance checks', '');
  for (const c of r.checks) {
    out.push(`### Version ${cell(c.version)}: ${c.passed ? 'passed' : 'violations'}`, '', `${c.counts.pass} rules passed, ${c.counts.fail} failed, ${c.counts.notApplicable} not applicable.`, '');
    out.push(table(['severity', 'rule', 'clause', 'field', 'finding'], c.findings.map((f) => [f.severity, f.ruleId, `${f.clause.framework} ${f.clause.ref}`, f.path, f.message]), 'No finding.'));
  }
  if (r.checks.length === 0) out.push('_No check result was given._', '');
  out.push('## Approvals', '', table(['version', 'status', 'submitted by', 'approved by (when)', 'rejected'], r.versions.map((v) => [v.version, v.status, v.submitter ?? '—', v.approvals.map((a) => `${a.actor} (${time(a.at)})`).join(', ') || '—', v.rejection === null ? '—' : `${v.rejection.actor}: ${v.rejection.reason}`]), 'No governance event for this model.'));
  out.push('## Deployments', '', table(['when', 'version', 'by', 'rollback target'], r.deployments.map((d) => [time(d.at), d.version, d.actor, d.rollbackTarget ?? `none: ${d.noTargetReason ?? ''}`]), 'No deployment in the period.'));
  out.push('## Alerts', '', table(['window end', 'severity', 'kind', 'version', 'detector', 'feature', 'score'], r.alerts.slice(0, 500).map((a) => [time(a.at), a.severity, a.kind, a.version, a.detector, a.feature ?? '—', a.score.toFixed(4)]), 'No alert in the period.'));
  out.push('## Rollbacks', '', table(['when', 'action', 'from', 'to', 'issued by', 'reason'], r.rollbacks.map((b) => [time(b.at), b.action, b.from, b.to, b.by, b.reason]), 'No rollback in the period.'));
  out.push('## Drift over time', '');
  for (const [feature, points] of Object.entries(r.drift).sort()) {
    const scores = points.map((p) => p.score);
    out.push(`- **${cell(feature)}**: ${points.length} windows, max ${Math.max(...scores).toFixed(4)}, last ${(scores.at(-1) ?? 0).toFixed(4)}`);
  }
  if (Object.keys(r.drift).length === 0) out.push('_No drift score in the period._');
  out.push('', '## Audit trail verification', '');
  if (r.audit === null) out.push('_No audit trail was given._');
  else out.push(table(['chain', 'result', 'records', 'checkpoints', 'findings'], r.audit.chains.map((c) => [c.chainId ?? '—', c.ok ? 'verified' : 'BROKEN', String(c.records), String(c.checkpoints), c.findings.map((f) => `${f.kind}: ${f.message}`).join('; ') || 'none']), 'No audit record.'));
  return `${out.join('\n')}\n`;
}
