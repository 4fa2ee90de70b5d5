/**
 * CPU profiles of one phase of a scenario (the engine's, not the set-up's): with VIGIL_BENCH_PROFILE
 * set to a folder, the main thread is profiled through the inspector between `start()` and `stop()`
 * and the profile written there as `<label>-<time>.cpuprofile` (open it in Chrome DevTools, or
 * summarise it: `npx tsx bench/lib/cpuprofile-summary.ts FILE`). Worker threads are not included: for
 * them run the scenario under `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/run.ts NAME`, or
 * profile a child engine with VIGIL_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" (every thread).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';

export class PhaseProfiler {
  readonly #dir: string | undefined;
  #session: Session | undefined;

  constructor(dir = process.env.VIGIL_BENCH_PROFILE) {
    this.#dir = dir === undefined || dir.trim() === '' ? undefined : resolve(dir);
  }

  async start(): Promise<void> {
    if (this.#dir === undefined || this.#session !== undefined) return;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    this.#session = session;
  }

  /** Writes the profile; returns its path (undefined when profiling is off). */
  async stop(label: string): Promise<string | undefined> {
    const session = this.#session;
    if (session === undefined || this.#dir === undefined) return undefined;
    this.#session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(this.#dir, { recursive: true });
    const file = join(this.#dir, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
