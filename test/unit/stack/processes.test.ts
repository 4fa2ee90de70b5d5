import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, pidsWithMarker, portInUse, runningPid, startDetached, stopManaged, type ManagedProcess } from '../../../src/stack/processes.js';

function managedIn(dir: string, marker: string): ManagedProcess {
  return { name: 'sleeper', pidFile: join(dir, 'sleeper.pid'), logFile: join(dir, 'sleeper.log'), marker };
}

describe('stack processes', () => {
  it('starts a detached process, recognises it by its marker, and stops it leaving nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
    const marker = `--vigil-test-marker=${dir}`;
    const proc = managedIn(dir, marker);
    const pid = startDetached(proc, process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', marker], dir);
    expect(runningPid(proc)).toBe(pid);
    expect(pidsWithMarker(marker)).toEqual([pid]);
    expect(await stopManaged(proc, 5000)).toBe('stopped');
    expect(runningPid(proc)).toBeUndefined();
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  it('does not take a live process without the marker for ours (a recycled pid)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
    const proc = managedIn(dir, '--a-marker-nobody-has');
    writeFileSync(proc.pidFile, `${process.pid}\n`);
    expect(runningPid(proc)).toBeUndefined();
  });

  it('treats garbage in a pid file as not running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
    const proc = managedIn(dir, '--x');
    writeFileSync(proc.pidFile, 'not a pid');
    expect(runningPid(proc)).toBeUndefined();
  });

  it('tells a taken port from a free one', async () => {
    const port = await freePort();
    expect(await portInUse(port)).toBe(false);
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      expect(await portInUse(port)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
