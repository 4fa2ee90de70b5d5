import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleEvidence } from '../../../../src/governance/report/assemble.js';
import { renderHtml } from '../../../../src/governance/report/html.js';
import { renderMarkdown } from '../../../../src/governance/report/markdown.js';
import { driftChart } from '../../../../src/governance/report/svg.js';
import type { EvidenceReport } from '../../../../src/governance/report/types.js';
import { runCli } from '../helpers.js';
import { T0, writeEvidence } from './evidence.js';

const H = 3600_000;

const evidence = writeEvidence({ hostileOwner: 'risk <script>alert(1)</script> & "team" | ops' });

async function report(format: string, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  return runCli(['audit', 'report', '--model', 'credit-risk', '--format', format, '--input', evidence.dir, '--key', evidence.keyFile, ...extra]);
}

describe('vigil audit report', () => {
  it('assembles the life of the model as JSON', async () => {
    const r = await report('json');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out) as EvidenceReport;
    expect(e.manifests.map((m) => m.version)).toEqual(['1.0.0', '1.1.0']);
    expect(e.manifests[0]?.sbom).toMatchObject({ components: 2, byEcosystem: { npm: 1, pypi: 1 } });
    expect(e.versions.map((v) => [v.version, v.status])).toEqual([['1.0.0', 'deployed'], ['1.1.0', 'rolled-back']]);
    expect(e.versions[1]?.approvals.map((a) => a.actor)).toEqual(['bob', 'dave']);
    expect(e.refusedEvents.map((x) => x.code)).toEqual(['SELF_APPROVAL']);
    expect(e.deployments.map((d) => [d.version, d.rollbackTarget])).toEqual([['1.0.0', null], ['1.1.0', '1.0.0']]);
    expect(e.rollbacks).toMatchObject([{ from: '1.1.0', to: '1.0.0', action: 'ROLLBACK', by: 'policy:drift' }]);
    expect(e.alerts).toHaveLength(12);
    expect(e.alertCounts).toEqual({ 'DRIFT/CRITICAL': 4, 'DRIFT/WARNING': 2, 'DRIFT/INFO': 6 });
    expect(e.drift.income?.map((p) => p.score)).toHaveLength(9);
    expect(e.checks.map((c) => [c.version, c.passed])).toEqual([['1.0.0', true], ['1.1.0', true]]);
    expect(e.audit).toMatchObject({ verified: true, chains: [{ chainId: 'engine-0', records: evidence.audit.length, ok: true }] });
  });

  it('limits alerts, deployments and rollbacks to --from/--to', async () => {
    const e = JSON.parse((await report('json', ['--from', new Date(T0 + 20 * H + 1).toISOString(), '--to', new Date(T0 + 20 * H + 1_800_000).toISOString()])).out) as EvidenceReport;
    expect(e.alerts.map((a) => a.at)).toEqual([T0 + 20 * H + 600_000, T0 + 20 * H + 600_000, T0 + 20 * H + 1_200_000, T0 + 20 * H + 1_200_000, T0 + 20 * H + 1_800_000, T0 + 20 * H + 1_800_000]);
    expect(e.deployments).toEqual([]);
    expect(e.versions).toHaveLength(2);
  });

  it('shows a broken audit trail as broken', async () => {
    const broken = writeEvidence();
    const lines = readFileSync(join(broken.dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    lines.splice(4, 1);
    writeFileSync(join(broken.dir, 'audit.jsonl'), lines.join('\n'));
    const r = await runCli(['audit', 'report', '--model', 'credit-risk', '--format', 'md', '--input', broken.dir, '--key', broken.keyFile]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| engine-0 \| BROKEN \| 15 \| 3 \|.*removed: record seq 4 is missing/);
  });

  it('writes Markdown with escaped table cells', async () => {
    const r = await report('md');
    expect(r.out).toMatch(/^# Evidence report: credit-risk$/m);
    for (const heading of ['Deployment manifests and dependencies', 'Compliance checks', 'Approvals', 'Deployments', 'Alerts', 'Rollbacks', 'Drift over time', 'Audit trail verification']) expect(r.out).toContain(`## ${heading}`);
    expect(r.out).toContain('risk <script>alert(1)</script> & "team" \\| ops');
  });

  it('writes self-contained HTML: no script, no external resource, hostile text escaped', async () => {
    const out = join(evidence.dir, 'report.html');
    const r = await report('html', ['--output', out]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href="(?!#)|@import|url\(/i);
    expect(html).toContain('risk &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;team&quot; | ops');
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it.each([
    ['no --model', ['--format', 'html', '--input', '.'], /--model is required/],
    ['a bad format', ['--model', 'm', '--format', 'pdf', '--input', '.'], /--format must be html, json or md, got "pdf"/],
    ['neither --input nor --topics', ['--model', 'm', '--format', 'html'], /give exactly one of --input DIR .* or --topics/],
    ['both --input and --topics', ['--model', 'm', '--format', 'html', '--input', '.', '--topics'], /give exactly one of --input DIR/],
    ['--manifests without --topics', ['--model', 'm', '--format', 'html', '--input', '.', '--manifests', '.'], /--manifests goes with --topics/],
    ['--topics without a key', ['--model', 'm', '--format', 'html', '--topics'], /the audit topic needs --keyring or --key/],
    ['a bad --from', ['--model', 'm', '--format', 'html', '--input', '.', '--from', 'yesterday'], /--from must be an ISO 8601 date or time, got "yesterday"/],
    ['--from after --to', ['--model', 'm', '--format', 'html', '--input', '.', '--from', '2026-02-01', '--to', '2026-01-01'], /--from is after --to/],
    ['a missing folder', ['--model', 'm', '--format', 'html', '--input', '/nonexistent/evidence'], /evidence folder \/nonexistent\/evidence does not exist/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const r = await runCli(['audit', 'report', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('exits 2 on a malformed export line, naming the file, line and field', async () => {
    const bad = writeEvidence();
    writeFileSync(join(bad.dir, 'alerts.jsonl'), `${JSON.stringify(evidence.alerts[0])}\n{"alertId": "x", "modelId": 7}\n`);
    const r = await runCli(['audit', 'report', '--model', 'credit-risk', '--format', 'json', '--input', bad.dir, '--key', bad.keyFile]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/alerts\.jsonl record 2: modelId must be string/);
    writeFileSync(join(bad.dir, 'alerts.jsonl'), '{not json\n');
    expect((await runCli(['audit', 'report', '--model', 'credit-risk', '--format', 'json', '--input', bad.dir, '--key', bad.keyFile])).err).toMatch(/alerts\.jsonl line 1 is not JSON/);
  });

  it('needs a key when there is an audit trail to verify', async () => {
    const r = await runCli(['audit', 'report', '--model', 'credit-risk', '--format', 'json', '--input', evidence.dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/audit\.jsonl needs --keyring or --key/);
  });
});

describe('the drift chart', () => {
  it('draws one point per window and the threshold, and survives non-finite or single points', () => {
    const points = [0.1, 0.2, 0.4].map((score, i) => ({ at: T0 + i * 1000, feature: 'f', score, threshold: 0.25, version: null }));
    const svg = driftChart('f<1>', points);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('threshold 0.25');
    expect(svg).toContain('f&lt;1&gt;');
    expect(driftChart('g', [{ at: T0, feature: 'g', score: Number.NaN, threshold: null, version: null }])).toMatch(/No drift scores/);
    expect(driftChart('h', [points[0] as (typeof points)[number]]).match(/<circle /g)).toHaveLength(1);
  });

  it('assembles and renders an empty report without failing', () => {
    const e = assembleEvidence({ modelId: 'm', from: null, to: null, generatedAt: T0, manifests: [], checks: [], governance: [], alerts: [], rollbacks: [], drift: [], audit: null });
    expect(renderHtml(e)).toContain('No manifest was given.');
    expect(renderMarkdown(e)).toContain('_No audit trail was given._');
  });
});
