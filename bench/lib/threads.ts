/**
 * CPU time per thread of this process, from /proc/self/task/<tid>/stat (user + system, in clock ticks
 * of 10 ms). Unlike event-loop utilisation it does not count the time a busy thread waits for a core,
 * which matters on a shared machine. Linux only.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10;

/** CPU milliseconds of each thread (by tid) so far. */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
  }
  return out;
}

/** CPU milliseconds each thread used between two readings (threads that ended are left out). */
export function threadCpuDelta(from: ReadonlyMap<number, number>, to: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [tid, ms] of to) out.set(tid, ms - (from.get(tid) ?? 0));
  return out;
}
