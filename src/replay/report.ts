/** What `vigil replay` prints: a text report for people, or JSON for tools. */
import type { Alert, RollbackCommand } from '../contracts/records.js';
import type { ReplayResult } from './replay.js';

const iso = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));
const short = (id: string): string => id.slice(0, 12);
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

function alertLine(a: Alert): string {
  const what = a.feature === null ? a.detector : `${a.detector} ${a.feature}`;
  const score = a.status === 'FIRING' ? `score ${num(a.score)} >= ${num(a.threshold)}` : `score ${num(a.score)}`;
  return `  ${a.status.padEnd(8)} ${a.severity.padEnd(8)} ${a.kind.padEnd(10)} ${a.modelId}@${a.modelVersion}  ${what}  ${score}  window ${iso(a.windowStart)}  id ${short(a.alertId)}`;
}

function commandLine(c: RollbackCommand): string {
  const to = c.action === 'SHUTDOWN' ? '' : ` -> ${c.toVersion}`;
  return `  ${c.action.padEnd(8)} ${c.modelId} ${c.fromVersion}${to}  by ${c.issuedBy}  at ${iso(c.issuedAt)}  id ${short(c.commandId)}\n    ${c.reason}`;
}

export function textReport(file: string, result: ReplayResult): string {
  const lines: string[] = [];
  lines.push(`replayed ${result.events} events from ${file}: ${result.decoded} scored, ${result.deadLettered} dead-lettered, ${result.windows} windows closed`);
  if (result.deadLettered > 0) {
    lines.push('', 'dead letters (the engine would send these to the dead-letter topic):');
    for (const [code, n] of Object.entries(result.deadLettersByCode).sort()) lines.push(`  ${code}: ${n}`);
    for (const d of result.deadLetters.slice(0, 10)) lines.push(`  ${d.at}: ${d.code} ${d.message}`);
  }
  lines.push('', `alerts (${result.alerts.length}):`);
  if (result.alerts.length === 0) lines.push('  none');
  for (const a of result.alerts) lines.push(alertLine(a));
  lines.push('', `commands (${result.commands.length}):`);
  if (result.commands.length === 0) lines.push('  none');
  for (const c of result.commands) lines.push(commandLine(c));
  lines.push('', 'per detector:');
  const detectors = Object.keys(result.byDetector).sort();
  if (detectors.length === 0) lines.push('  none');
  for (const d of detectors) {
    const c = result.byDetector[d]!;
    lines.push(`  ${d.padEnd(18)} FIRING ${c.firing} (CRITICAL ${c.critical}, WARNING ${c.warning})  RESOLVED ${c.resolved}`);
  }
  return lines.join('\n');
}

export function jsonReport(file: string, result: ReplayResult): string {
  return JSON.stringify({ file, ...result }, null, 2);
}
