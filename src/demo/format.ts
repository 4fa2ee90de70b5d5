/**
 * How the demo shows what it reads: one line per alert and per command, plain text, stable enough
 * for a test to look for (`DRIFT` in alert lines, `ROLLBACK` and `→` in command lines).
 */
import type { Alert, RollbackCommand } from '../contracts/records.js';

/** 20000 → "20,000". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "1 alert", "2 alerts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time of day, to the millisecond when asked: "14:03:07" or "14:03:07.215". */
export function clock(ms: number, millis = false): string {
  const d = new Date(ms);
  const base = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return millis ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
}

/** A score or threshold with three significant decimals. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3);
}

/** A window in event time, e.g. "14:03:06.950–07.201" when both ends share the minute. */
export function windowSpan(start: number, end: number): string {
  const a = clock(start, true);
  const b = clock(end, true);
  return a.slice(0, 6) === b.slice(0, 6) ? `${a}–${b.slice(6)}` : `${a}–${b}`;
}

export function alertLine(alert: Alert, now: number): string {
  const src = alert.source;
  const offsets = src.firstOffset === src.lastOffset ? `${src.firstOffset}` : `${src.firstOffset}–${src.lastOffset}`;
  const status = alert.status === 'FIRING' ? '' : ` ${alert.status}`;
  const what = `${alert.detector} ${alert.feature ?? '(model)'} = ${num(alert.score)} ≥ ${num(alert.threshold)}`;
  const line =
    `${clock(now)}  ALERT ${alert.severity.padEnd(8)} ${alert.kind}${status}  ${alert.modelId}@${alert.modelVersion}  ${what}  ` +
    `window ${windowSpan(alert.windowStart, alert.windowEnd)} (p${src.partition} ${offsets})`;
  return alert.kind === 'GOVERNANCE' && alert.evidence.reason ? `${line}\n          ${alert.evidence.reason}` : line;
}

/** Epoch-millisecond spans in a reason text ("1795672619578..1795672619786") as clock times. */
export function readableTimes(text: string): string {
  return text.replace(/\b(1\d{12})\.\.(1\d{12})\b/g, (_all, a: string, b: string) => windowSpan(Number(a), Number(b)));
}

export function commandLine(command: RollbackCommand, now: number): string {
  const cited = command.alertIds.length > 0 ? `, cites ${plural(command.alertIds.length, 'alert')}` : '';
  return [
    `${clock(now)}  ${command.action} ${command.modelId} ${command.fromVersion} → ${command.toVersion}  (issued by ${command.issuedBy}${cited})`,
    `          reason: ${readableTimes(command.reason)}`,
  ].join('\n');
}
