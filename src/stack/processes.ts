/**
 * Background processes of the local stack: started detached with their output in a log file and
 * their pid in a pid file, recognised by a marker on their command line so that a recycled pid is
 * never mistaken for ours, and stopped with SIGTERM then SIGKILL.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ManagedProcess {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** A string on the command line that only this service of this stack folder carries. */
  readonly marker: string;
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the running process, if the pid file names a live process that carries the marker. */
export function runningPid(proc: ManagedProcess): number | undefined {
  if (!existsSync(proc.pidFile)) return undefined;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const line = cmdline(pid);
  // Without /proc (macOS) trust the pid file; with it, insist on the marker.
  if (line !== undefined && !line.includes(proc.marker)) return undefined;
  return pid;
}

/** Every live process whose command line carries the marker (finds orphans whose pid file is gone). */
export function pidsWithMarker(marker: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const line = cmdline(pid);
    if (line?.includes(marker)) pids.push(pid);
  }
  return pids;
}

export function startDetached(proc: ManagedProcess, bin: string, args: readonly string[], cwd: string): number {
  const out = openSync(proc.logFile, 'a');
  try {
    const child = spawn(bin, [...args], { cwd, detached: true, stdio: ['ignore', out, out] });
    if (child.pid === undefined) throw new Error(`could not start ${bin}`);
    child.unref();
    writeFileSync(proc.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Returns how the process ended. */
export async function stopPid(pid: number, graceMs: number): Promise<'stopped' | 'killed' | 'gone'> {
  if (!alive(pid)) return 'gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return 'stopped';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  return 'killed';
}

export async function stopManaged(proc: ManagedProcess, graceMs: number): Promise<'stopped' | 'killed' | 'not running'> {
  const pids = new Set<number>(pidsWithMarker(proc.marker));
  const fromFile = runningPid(proc);
  if (fromFile !== undefined) pids.add(fromFile);
  let outcome: 'stopped' | 'killed' | 'not running' = 'not running';
  for (const pid of pids) {
    const result = await stopPid(pid, graceMs);
    if (result === 'killed') outcome = 'killed';
    else if (result === 'stopped' && outcome === 'not running') outcome = 'stopped';
  }
  rmSync(proc.pidFile, { force: true });
  return outcome;
}

/** Whether something listens on host:port (a bind attempt fails with EADDRINUSE). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES'));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port, host);
  });
}

/** A port the OS says is free right now, on loopback. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8');
  return text.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).slice(-lines).join('\n');
}
