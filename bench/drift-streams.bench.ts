/**
 * Sequential detectors and MMD against their peers, in the same run:
 *   - ADWIN and Page–Hinkley over a 1,000,000-value N(0,1) stream with a 1σ step at 500,000, ns per
 *     update (best of 3; wall and process CPU time, the latter less disturbed by a shared machine), beside River's (bench/peers/stream_fixtures.py --bench; River's loop is
 *     Python's, so each of its updates also pays an interpreter call, reported as its own baseline);
 *   - KSWIN, DDM and CUSUM per update, for context;
 *   - the mmd detector's score (reference sample 1,000 rows, window 100 rows, 10 features,
 *     100 permutations) beside Alibi Detect's MMDDrift.predict (TensorFlow backend, else PyTorch,
 *     n_permutations=100) on exactly the same standardised rows (bench/peers/mmd_alibi.py): times,
 *     p-values, MMD² and σ side by side, the peer's versions and the ratio; and beside a numpy
 *     rendering of the same computation (bench/peers/mmd_fixtures.py --bench).
 * Alibi Detect runs under the Python in VIGIL_PEERS_PYTHON (default python3), as in drift-stats (it
 * pins numpy < 2, which River does not install beside); River and numpy under python3. Python peers
 * are skipped (with the reason recorded) when the interpreter or the packages are missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NumericColumns } from '../src/contracts/batch.js';
import { mulberry32, normal } from '../src/demo/random.js';
import { mmdDetector, standardize } from '../workers/detectors/drift/mmd.js';
import { buildReferenceProfile } from '../workers/detectors/reference.js';
import { createSequential, parseAlgorithmParams } from '../workers/detectors/sequential/algorithms.js';
import { intEnv } from './lib/env.js';
import type { Scenario } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));

function stream(n: number): Float64Array {
  const draw = normal(mulberry32(1));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = (i >= n / 2 ? 1 : 0) + draw();
  return values;
}

function timeDetector(algorithm: string, params: Record<string, unknown>, values: Float64Array): { nsPerUpdate: number; cpuNsPerUpdate: number; detections: number; firstAfterStep: number } {
  let best = Infinity;
  let bestCpu = Infinity;
  let detections = 0;
  let first = -1;
  for (let run = 0; run < 3; run++) {
    const d = createSequential(algorithm, parseAlgorithmParams(algorithm, params));
    let count = 0;
    let firstHere = -1;
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    // The batch path where the algorithm has one (the engine feeds whole windows), else update by update.
    if (d.updateMany !== undefined) {
      d.updateMany(values, 0, values.length, (i) => {
        count++;
        if (firstHere < 0 && i >= values.length / 2) firstHere = i;
      });
    } else {
      for (let i = 0; i < values.length; i++) {
        d.update(values[i]!);
        if (d.driftDetected) {
          count++;
          if (firstHere < 0 && i >= values.length / 2) firstHere = i;
        }
      }
    }
    const ns = Number(process.hrtime.bigint() - start) / values.length;
    const cpu = process.cpuUsage(cpuStart);
    best = Math.min(best, ns);
    bestCpu = Math.min(bestCpu, ((cpu.user + cpu.system) * 1000) / values.length);
    detections = count;
    first = firstHere;
  }
  return { nsPerUpdate: Math.round(best * 10) / 10, cpuNsPerUpdate: Math.round(bestCpu * 10) / 10, detections, firstAfterStep: first };
}

function python(args: string[], interpreter = 'python3'): Record<string, unknown> {
  const result = spawnSync(interpreter, args, { encoding: 'utf8', timeout: 600_000 });
  if (result.error !== undefined) return { skipped: `${interpreter} could not run: ${result.error.message}` };
  if (result.status !== 0) return { skipped: `${interpreter} ${args[0]} exited ${result.status}: ${result.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  return JSON.parse(result.stdout.trim().split('\n').slice(-1)[0]!) as Record<string, unknown>;
}

/** Alibi Detect's MMDDrift on the detector's own reference sample and standardised window samples (the first is timed). */
function alibiMmd(referenceRows: Float64Array, tests: Float64Array[], dim: number, permutations: number): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mmd-bench-'));
  try {
    const data = join(dir, 'rows.f64');
    const all = new Float64Array(referenceRows.length + tests.reduce((sum, t) => sum + t.length, 0));
    all.set(referenceRows);
    let at = referenceRows.length;
    for (const t of tests) {
      all.set(t, at);
      at += t.length;
    }
    writeFileSync(data, new Uint8Array(all.buffer));
    const args = [join(here, 'peers/mmd_alibi.py'), data, String(referenceRows.length / dim), String(tests[0]!.length / dim), String(dim), String(permutations)];
    return python(args, process.env['VIGIL_PEERS_PYTHON'] ?? 'python3');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function featureColumns(seed: number, count: number, dim: number, shift: number): NumericColumns {
  const draw = normal(mulberry32(seed));
  const features = new Float64Array(count * dim);
  for (let i = 0; i < features.length; i++) features[i] = shift + draw();
  const timestamps = Float64Array.from({ length: count }, (_, i) => 1_700_000_000_000 + seed * 1_000_000 + i);
  return { count, featureCount: dim, features, scores: new Float64Array(count), latencies: new Float64Array(count), statuses: new Uint8Array(count), timestamps };
}

const scenario: Scenario = {
  name: 'drift-streams',
  description: 'ADWIN and Page–Hinkley ns/update over 1,000,000 values vs River; MMD (1,000 vs 100 rows, 100 permutations) vs Alibi Detect MMDDrift and a numpy rendering of it',
  async run() {
    const loadStart = loadavg()[0]!;
    const n = intEnv('VIGIL_BENCH_STREAM', 1_000_000);
    const values = stream(n);
    timeDetector('adwin', {}, values.subarray(0, 100_000)); // warm-up
    const sequential = {
      adwin: timeDetector('adwin', {}, values),
      pageHinkley: timeDetector('page-hinkley', {}, values),
      kswin: timeDetector('kswin', {}, values.subarray(0, 100_000)),
      ddm: timeDetector('ddm', {}, Float64Array.from(values, (v) => (v > 1.2 ? 1 : 0))),
      cusum: timeDetector('cusum', {}, values),
    };
    const river = python([join(here, 'peers/stream_fixtures.py'), '--bench', String(n)]);

    const dim = 10;
    const refColumns = featureColumns(1, 5000, dim, 0);
    const names = Array.from({ length: dim }, (_, f) => `f${f}`);
    const profile = buildReferenceProfile({ columns: refColumns, featureNames: names, id: 'bench' });
    const params = mmdDetector.parseParams({ referenceSize: 1000, windowSize: 100, permutations: 100 });
    const prepareStart = process.hrtime.bigint();
    const reference = { ...profile, detectorData: { mmd: mmdDetector.prepareReference!(refColumns, profile, params) } };
    const prepareMs = Number(process.hrtime.bigint() - prepareStart) / 1e6;
    const summary = mmdDetector.summarize(featureColumns(2, 2000, dim, 0.2), reference, params);
    mmdDetector.score(summary, reference, params); // warm-up
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let vigil = { pValue: NaN, mmd2: NaN, sigma: NaN };
    for (let run = 0; run < 5; run++) {
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      const [s] = mmdDetector.score(summary, reference, params);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      vigil = { pValue: Number(s!.evidence['pValue']), mmd2: s!.score, sigma: Number(s!.evidence['sigma']) };
    }
    const mmdMs = Math.min(...times);
    const mmdCpuMs = Math.min(...cpuTimes);
    // A second window without drift, so that the two p-values are compared away from 0 too.
    const quiet = mmdDetector.summarize(featureColumns(3, 2000, dim, 0), reference, params);
    const quietScore = mmdDetector.score(quiet, reference, params)[0]!;
    const standardized = (rows: Float64Array): Float64Array => {
      const out = Float64Array.from(rows);
      standardize(out, dim, reference);
      return out;
    };
    const alibi = alibiMmd(reference.detectorData.mmd['rows']!, [standardized(summary.rows), standardized(quiet.rows)], dim, 100);
    const alibiSeconds = typeof alibi['predictSecondsBest'] === 'number' ? alibi['predictSecondsBest'] : undefined;
    const alibiCpuSeconds = typeof alibi['predictCpuSecondsBest'] === 'number' ? alibi['predictCpuSecondsBest'] : undefined;
    const numpyMmd = python([join(here, 'peers/mmd_fixtures.py'), '--bench', '1000', '100', String(dim), '100']);
    const numpySeconds = typeof numpyMmd['seconds'] === 'number' ? numpyMmd['seconds'] : undefined;
    const loadEnd = loadavg()[0]!;
    const riverAdwin = typeof river['adwinNsPerUpdate'] === 'number' ? river['adwinNsPerUpdate'] : undefined;
    const riverAdwinCpu = typeof river['adwinCpuNsPerUpdate'] === 'number' ? river['adwinCpuNsPerUpdate'] : undefined;
    return {
      streamValues: n,
      stepAt: n / 2,
      sequential,
      river,
      adwinSpeedupOverRiver: riverAdwin === undefined ? null : Math.round((riverAdwin / sequential.adwin.nsPerUpdate) * 10) / 10,
      adwinCpuSpeedupOverRiver: riverAdwinCpu === undefined ? null : Math.round((riverAdwinCpu / sequential.adwin.cpuNsPerUpdate) * 10) / 10,
      pageHinkleyTargetNs: 10,
      mmd: {
        referenceRows: 1000,
        windowRows: 100,
        features: dim,
        permutations: 100,
        prepareReferenceMs: Math.round(prepareMs * 10) / 10,
        scoreMsBest: Math.round(mmdMs * 10) / 10,
        scoreCpuMsBest: Math.round(mmdCpuMs * 10) / 10,
        scoreMsAll: times.map((t) => Math.round(t * 10) / 10),
        pValue: vigil.pValue,
        mmd2: vigil.mmd2,
        sigma: vigil.sigma,
        noShiftWindow: { pValue: Number(quietScore.evidence['pValue']), mmd2: quietScore.score },
      },
      alibiDetect: alibi,
      mmdSpeedupOverAlibi: alibiSeconds === undefined ? null : Math.round(((alibiSeconds * 1000) / mmdMs) * 10) / 10,
      mmdCpuSpeedupOverAlibi: alibiCpuSeconds === undefined ? null : Math.round(((alibiCpuSeconds * 1000) / mmdCpuMs) * 10) / 10,
      numpyAlibiFormula: numpyMmd,
      mmdSpeedupOverNumpyFormula: numpySeconds === undefined ? null : Math.round(((numpySeconds * 1000) / mmdMs) * 10) / 10,
      load1mStart: loadStart,
      load1mEnd: loadEnd,
      notes: Math.max(loadStart, loadEnd) > 1.5 ? `The machine was shared and loaded (1-minute load ${loadStart} at start, ${loadEnd} at end): absolute times are inflated for every side; best-of runs are reported.` : 'best-of runs are reported',
    };
  },
};

export default scenario;
