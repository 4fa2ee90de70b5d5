/**
 * The evidence report as a person sees it: rendered by headless Chromium (Debian package `chromium`;
 * CHROMIUM_BIN overrides the binary), and the text of the rendered page checked. A missing browser
 * fails this test with the install step; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { writeEvidence } from './evidence.js';

function chromium(): string {
  const candidates = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((c): c is string => c !== undefined && c.length > 0);
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) throw new Error(`no Chromium found (tried ${candidates.join(', ')}): install it with \`apt-get install -y chromium\` or set CHROMIUM_BIN`);
  return found;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'];

describe('the HTML evidence report in a browser', () => {
  it('renders every section with its content', async () => {
    const evidence = writeEvidence();
    const page = join(evidence.dir, 'report.html');
    expect((await runCli(['audit', 'report', '--model', 'credit-risk', '--format', 'html', '--input', evidence.dir, '--key', evidence.keyFile, '--output', page])).code).toBe(0);
    const run = spawnSync(chromium(), [...FLAGS, `--user-data-dir=${join(evidence.dir, 'profile')}`, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 90_000, maxBuffer: 32 * 1024 * 1024 });
    expect(run.error, String(run.error)).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const dom = run.stdout;
    // What the browser built, not the file: headings, tables and charts are in the live DOM.
    expect(dom).toMatch(/<h1>Evidence report: credit-risk<\/h1>/);
    for (const heading of ['Summary', 'Deployment manifests and dependencies', 'Compliance checks', 'Approvals', 'Deployments', 'Alerts', 'Rollbacks', 'Drift over time', 'Audit trail verification']) {
      expect(dom).toContain(`<h2>${heading}</h2>`);
    }
    expect(dom).toMatch(/<span class="badge ok">verified<\/span>/);
    expect(dom).toMatch(/bob \(2026-03-01 12:00:00 UTC\), carol \(2026-03-01 13:00:00 UTC\)/);
    expect(dom).toContain('income drifted for 3 windows');
    expect(dom.match(/<svg[^>]*role="img"/g)).toHaveLength(2);
    expect(dom).toContain('SELF_APPROVAL');
  }, 120_000);
});
