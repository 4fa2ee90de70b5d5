/**
 * Drift statistics on the engine's shape: a reference of 10,000 rows × 100 features and 20 windows of
 * 1,000 rows, one core.
 *   - KS per window through the ks detector (summarize = sort the window, score = exact p-values as
 *     scipy's method 'auto'; also method 'asymp'), against Alibi Detect's KSDrift.predict and a scipy
 *     ks_2samp loop on the same data, run by bench/peers/ks_bench.py in the same scenario (Python from
 *     VIGIL_PEERS_PYTHON, default python3; without alibi-detect the scipy loop is the stand-in and the
 *     result says so).
 *   - PSI and Jensen–Shannon over 32 fixed reference bins: bin counting (through the bin lookup table
 *     the detectors prepare) plus both distances, ns per value; and the psi and jensen-shannon
 *     detectors' summarize on the same windows (the engine's path), ns per value.
 *   - normalised Wasserstein through the wasserstein detector, per window.
 * Wall and CPU time (this process, user + system) are both given: on a shared machine the CPU time
 * is the steadier of the two. Knobs: VIGIL_BENCH_DRIFT_FEATURES (100), VIGIL_BENCH_DRIFT_WINDOWS (20).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NumericColumns } from '../src/contracts/batch.js';
import { mulberry32, normal } from '../src/demo/random.js';
import { buildReferenceProfile, type ReferenceProfile } from '../workers/detectors/reference.js';
import { getDetector } from '../workers/detectors/registry.js';
import { fixedWidthEdges } from '../workers/kernels/binning.js';
import { jensenShannon } from '../workers/kernels/distances.js';
import { binCounts, binLookupCells, binLookupStride, buildBinLookup, lookupBinCounts } from '../workers/kernels/histogram.js';
import { psi } from '../workers/kernels/psi.js';
import { quantileEdges } from '../workers/kernels/quantiles.js';
import { intEnv } from './lib/env.js';
import type { Scenario } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));
const REF_ROWS = 10_000;
const WINDOW_ROWS = 1_000;
const BINS = 32;
/** Timed rounds of the binned PSI + JS loop; the median is reported. */
const ROUNDS = 7;

function columns(rows: number, features: number, seed: number, shift: (f: number) => number): NumericColumns {
  const draw = normal(mulberry32(seed));
  const values = new Float64Array(rows * features);
  for (let f = 0; f < features; f++) for (let i = 0; i < rows; i++) values[f * rows + i] = draw() + shift(f);
  return { count: rows, featureCount: features, features: values, scores: new Float64Array(rows), latencies: new Float64Array(rows), statuses: new Uint8Array(rows), timestamps: new Float64Array(rows) };
}

let lastCpuSeconds = 0;

/** Wall seconds of `body`; its CPU seconds (user + system, this process) are left in lastCpuSeconds. */
function seconds(body: () => void): number {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  body();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  lastCpuSeconds = (used.user + used.system) / 1e6;
  return wall;
}

function prepared(id: string, raw: Record<string, unknown>, reference: NumericColumns, profile: ReferenceProfile) {
  const detector = getDetector(id);
  const params = detector.parseParams(raw);
  let data = {};
  const prepareSeconds = seconds(() => (data = { [id]: detector.prepareReference!(reference, profile, params) }));
  return { detector, params, reference: { ...profile, detectorData: data } as ReferenceProfile, prepareSeconds };
}

/** Row-major float64 file for the Python peers: reference, then each window. */
function writePeerData(path: string, reference: NumericColumns, windows: NumericColumns[]): void {
  const f = reference.featureCount;
  const total = (reference.count + windows.length * WINDOW_ROWS) * f;
  const out = new Float64Array(total);
  let at = 0;
  for (const c of [reference, ...windows]) for (let i = 0; i < c.count; i++) for (let j = 0; j < f; j++) out[at++] = c.features[j * c.count + i]!;
  writeFileSync(path, new Uint8Array(out.buffer));
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));

const scenario: Scenario = {
  name: 'drift-stats',
  description: 'KS, binned PSI/JS and normalised Wasserstein on 10,000 × 100 reference, 20 windows of 1,000, one core; KS against Alibi Detect',
  async run() {
    // The engine's pool threads transfer buffers to and from the main thread, and once a thread has
    // detached any ArrayBuffer, V8 checks every typed-array access for detachment (measured here: bin
    // counting 3.1 ns per value before, 3.7 after). Detach one now, so that the kernels below run as
    // they run in the engine, whatever else this process happened to load.
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    const loadStart = loadavg()[0]!;
    const features = intEnv('VIGIL_BENCH_DRIFT_FEATURES', 100);
    const windowCount = intEnv('VIGIL_BENCH_DRIFT_WINDOWS', 20);
    const names = Array.from({ length: features }, (_, f) => `f${f}`);
    const reference = columns(REF_ROWS, features, 1, () => 0);
    // Windows: every tenth feature drifts by 0.1σ from window 10 on, the rest are stationary.
    const windows = Array.from({ length: windowCount }, (_, w) => columns(WINDOW_ROWS, features, 100 + w, (f) => (w >= 10 && f % 10 === 0 ? 0.1 : 0)));
    const profile = buildReferenceProfile({ columns: reference, featureNames: names, id: 'bench' });

    // Measured first, in a settled process: after the KS runs below, the collector's threads are still
    // working through their garbage and take CPU from a loop of a few nanoseconds per value.
    // PSI + JS over 32 fixed reference bins (reference-quantile edges, or fixed-k: 32 equal-width bins
    // plus under- and overflow), counted as the detectors count a window: through the edges' bin lookup
    // table, prepared once per reference; then both distances per feature and window, from the
    // reference's bin counts and the window's, as the psi and jensen-shannon detectors score them.
    const reps = 5;
    const values = reps * windowCount * WINDOW_ROWS * features;
    let sink = 0;
    const binnedRun = (binning: 'reference-quantile' | 'fixed-k'): { nsPerValue: number; cpuNsPerValue: number; bins: number; rounds: number } => {
      const stride = BINS + 2;
      const maxEdges = binning === 'fixed-k' ? BINS + 1 : BINS - 1;
      const edges = new Float64Array(features * stride);
      const edgeCounts = new Uint32Array(features);
      const refCounts = new Float64Array(features * stride);
      const refTotals = new Float64Array(features);
      const lookup = new Float64Array(features * binLookupStride(maxEdges));
      for (let f = 0; f < features; f++) {
        const at = f * REF_ROWS;
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = at; i < at + REF_ROWS; i++) {
          lo = Math.min(lo, reference.features[i]!);
          hi = Math.max(hi, reference.features[i]!);
        }
        edgeCounts[f] = binning === 'fixed-k' ? fixedWidthEdges(lo, hi, BINS, edges, f * stride) : quantileEdges(reference.features, at, REF_ROWS, BINS, edges, f * stride);
        buildBinLookup(edges, f * stride, edgeCounts[f]!, maxEdges, lookup, f);
        refTotals[f] = binCounts(reference.features, at, REF_ROWS, edges, refCounts, f * stride, edgeCounts[f], f * stride);
      }
      const cells = binLookupCells(lookup);
      const counts = new Float64Array(features * stride);
      const once = (): void => {
        for (const w of windows) {
          for (let f = 0; f < features; f++) {
            const n = lookupBinCounts(w.features, f * WINDOW_ROWS, WINDOW_ROWS, lookup, cells, maxEdges, f, counts, f * stride);
            sink += psi(refCounts, counts, n, 1e-4, f * stride, f * stride, edgeCounts[f]! + 1, refTotals[f]!);
            sink += jensenShannon(refCounts, f * stride, counts, f * stride, edgeCounts[f]! + 1);
          }
        }
      };
      // Warm until the compiler has settled, then the median of ROUNDS timings of `reps` passes each.
      for (let w = 0; w < 3; w++) once();
      const rounds: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const wall = seconds(() => {
          for (let k = 0; k < reps; k++) once();
        });
        rounds.push({ wall, cpu: lastCpuSeconds });
      }
      rounds.sort((a, b) => a.wall - b.wall);
      const median = rounds[ROUNDS >> 1]!;
      return { bins: edgeCounts[0]! + 1, nsPerValue: round((median.wall * 1e9) / values), cpuNsPerValue: round((median.cpu * 1e9) / values), rounds: ROUNDS };
    };
    const binnedQuantile = binnedRun('reference-quantile');
    const binnedFixed = binnedRun('fixed-k');

    // The same counting inside the engine: summarize (one window into bin counts) of the psi and
    // jensen-shannon detectors on a 32-bin reference, ns per value; score once per window, ms.
    const profile32 = buildReferenceProfile({ columns: reference, featureNames: names, id: 'bench-32', binCount: BINS });
    const detectorRun = (id: string, raw: Record<string, unknown>): { summarizeNsPerValue: number; summarizeCpuNsPerValue: number; scoreMsPerWindow: number } => {
      const d = prepared(id, raw, reference, profile32);
      const summaries = windows.map((w) => d.detector.summarize(w, d.reference, d.params));
      const wall = seconds(() => {
        for (let r = 0; r < reps; r++) for (const w of windows) d.detector.summarize(w, d.reference, d.params);
      });
      const cpu = lastCpuSeconds;
      const scoreSeconds = seconds(() => summaries.forEach((s) => d.detector.score(s, d.reference, d.params)));
      return { summarizeNsPerValue: round((wall * 1e9) / values), summarizeCpuNsPerValue: round((cpu * 1e9) / values), scoreMsPerWindow: round((scoreSeconds * 1e3) / windowCount) };
    };
    const detectors = { psi: detectorRun('psi', {}), jensenShannon: detectorRun('jensen-shannon', { bins: BINS }) };

    // KS through the detector: per window, summarize (sort) + score (100 tests + correction).
    const ks: Record<string, unknown> = {};
    let ksP0: number[] = [];
    for (const method of ['auto', 'asymp'] as const) {
      const k = prepared('ks', { method, correction: 'bh' }, reference, profile);
      const one = (w: NumericColumns): ReturnType<typeof k.detector.score> => k.detector.score(k.detector.summarize(w, k.reference, k.params), k.reference, k.params);
      one(windows[0]!);
      let scores: ReturnType<typeof one> = [];
      const total = seconds(() => windows.forEach((w, i) => (i === 0 ? (scores = one(w)) : one(w))));
      if (method === 'auto') ksP0 = scores.slice(0, 5).map((s) => Number(s.evidence['pValue']));
      ks[method] = { secondsPerWindow: round(total / windowCount), cpuSecondsPerWindow: round(lastCpuSeconds / windowCount), prepareReferenceSeconds: round(k.prepareSeconds) };
    }

    // Normalised Wasserstein through the detector.
    const ws = prepared('wasserstein', {}, reference, profile);
    ws.detector.score(ws.detector.summarize(windows[0]!, ws.reference, ws.params), ws.reference, ws.params);
    const wSeconds = seconds(() => windows.forEach((w) => ws.detector.score(ws.detector.summarize(w, ws.reference, ws.params), ws.reference, ws.params)));
    const wCpuSeconds = lastCpuSeconds;

    // The peers, on the same numbers.
    const python = process.env['VIGIL_PEERS_PYTHON'] ?? 'python3';
    const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-bench-'));
    let peers: Record<string, unknown>;
    try {
      const data = join(dir, 'data.f64');
      writePeerData(data, reference, windows);
      const out = execFileSync(python, [join(here, 'peers', 'ks_bench.py'), data, String(REF_ROWS), String(features), String(windowCount), String(WINDOW_ROWS)], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      peers = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    } catch (error) {
      peers = { unavailable: `the Python peers did not run (${(error as Error).message.split('\n')[0]}); set VIGIL_PEERS_PYTHON to a Python with scipy and alibi-detect` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    type Timing = { secondsPerWindow: number; cpuSecondsPerWindow: number; prepareReferenceSeconds: number };
    const ksAuto = (ks['auto'] as Timing).secondsPerWindow;
    const ksAsymp = (ks['asymp'] as Timing).secondsPerWindow;
    const ksAutoCpu = (ks['auto'] as Timing).cpuSecondsPerWindow;
    const ksAsympCpu = (ks['asymp'] as Timing).cpuSecondsPerWindow;
    const alibiCpu = peers['alibiKsDriftCpuSecondsPerWindow'] as number | undefined;
    const scipyAutoCpu = peers['scipyAutoCpuSecondsPerWindow'] as number | undefined;
    const alibi = peers['alibiKsDriftSecondsPerWindow'] as number | undefined;
    const scipyAsymp = peers['scipyAsympSecondsPerWindow'] as number | undefined;
    const scipyAuto = peers['scipyAutoSecondsPerWindow'] as number | undefined;
    const loadEnd = loadavg()[0]!;
    const notes: string[] = [];
    if (Math.max(loadStart, loadEnd) > 1.5) notes.push(`the machine was shared and loaded during the run (1-minute load ${round(loadStart)} at start, ${round(loadEnd)} at end): timings are upper bounds`);
    if (alibi === undefined) notes.push('Alibi Detect did not run: the scipy ks_2samp loop (method asymp, what KSDrift calls) is the stand-in');
    return {
      shape: { referenceRows: REF_ROWS, features, windows: windowCount, windowRows: WINDOW_ROWS },
      loadAverage1m: { start: round(loadStart), end: round(loadEnd) },
      ks: {
        vigilAutoSecondsPerWindow: ksAuto,
        vigilAsympSecondsPerWindow: ksAsymp,
        vigilAutoCpuSecondsPerWindow: ksAutoCpu,
        vigilAsympCpuSecondsPerWindow: ksAsympCpu,
        vigilPrepareReferenceSeconds: (ks['auto'] as Timing).prepareReferenceSeconds,
        alibiKsDriftCpuSecondsPerWindow: alibiCpu === undefined ? null : round(alibiCpu),
        scipyAutoLoopCpuSecondsPerWindow: scipyAutoCpu === undefined ? null : round(scipyAutoCpu),
        cpuSpeedupAsympOverAlibi: alibiCpu === undefined ? null : round(alibiCpu / ksAsympCpu),
        cpuSpeedupAutoOverScipyAuto: scipyAutoCpu === undefined ? null : round(scipyAutoCpu / ksAutoCpu),
        alibiKsDriftSecondsPerWindow: alibi === undefined ? null : round(alibi),
        scipyAsympLoopSecondsPerWindow: scipyAsymp === undefined ? null : round(scipyAsymp),
        scipyAutoLoopSecondsPerWindow: scipyAuto === undefined ? null : round(scipyAuto),
        speedupAsympOverAlibi: alibi === undefined ? null : round(alibi / ksAsymp),
        speedupAsympOverScipyAsymp: scipyAsymp === undefined ? null : round(scipyAsymp / ksAsymp),
        speedupAutoOverScipyAuto: scipyAuto === undefined ? null : round(scipyAuto / ksAuto),
        speedupAutoOverAlibi: alibi === undefined ? null : round(alibi / ksAuto),
        vigilAutoPValuesWindow0: ksP0,
        scipyAutoPValuesWindow0: peers['scipyAutoPValuesWindow0'] ?? null,
        alibiPValuesWindow0: peers['alibiPValuesWindow0'] ?? null,
      },
      binnedPsiJs: { values, targetNsPerValue: 5, referenceQuantile: binnedQuantile, fixedK: binnedFixed, checksum: round(sink, 6), detectors },
      wasserstein: { secondsPerWindow: round(wSeconds / windowCount), cpuSecondsPerWindow: round(wCpuSeconds / windowCount), prepareReferenceSeconds: round(ws.prepareSeconds) },
      peers: { versions: peers['versions'] ?? null, unavailable: peers['unavailable'] ?? peers['alibiUnavailable'] ?? null },
      notes,
    };
  },
};
export default scenario;
