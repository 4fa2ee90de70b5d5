/**
 * Summarises .cpuprofile files (from `node --cpu-prof` or VIGIL_BENCH_PROFILE): self time by function
 * and by package or source folder, largest first.
 * Usage: npx tsx bench/lib/cpuprofile-summary.ts FILE... [--top N] [--inclusive fnA,fnB,...]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package (node_modules/<name>) or project folder (src/pipeline/decode) a script URL belongs to. */
export function bucketOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return `npm:${modules[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const project = /\/(src|workers|bench|dist\/src|dist\/workers)\/(.*)\/[^/]+$/.exec(url);
  if (project) return `${project[1]}/${project[2]}`;
  const top = /\/(src|workers|bench)\/[^/]+$/.exec(url);
  if (top) return top[1]!;
  return url;
}

/**
 * Inclusive time (self + callees) of the functions with these names, each counted once per sample
 * even when it recurses.
 */
export function inclusive(profile: Profile, names: readonly string[]): [string, number][] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>(names.map((n) => [n, 0]));
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)?.callFrame.functionName ?? '';
      if (totals.has(name) && !seen.has(name)) {
        seen.add(name);
        totals.set(name, totals.get(name)! + dt);
      }
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

export function summarise(profile: Profile, top = 25): { totalMs: number; functions: [string, number][]; buckets: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const functions = new Map<string, number>();
  const buckets = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|src|workers|bench|dist)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const bucket = bucketOf(frame.url);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, functions: sorted(functions), buckets: sorted(buckets) };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cpuprofile-summary.ts')) {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const top = Number(option('--top') ?? 25);
  const names = (option('--inclusive') ?? '').split(',').filter((n) => n.length > 0);
  const files = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const { totalMs, functions, buckets } = summarise(profile, top);
    const pct = (ms: number): string => `${((100 * ms) / totalMs).toFixed(1).padStart(5)} %`;
    process.stdout.write(`\n${file}: ${(totalMs / 1000).toFixed(2)} s sampled\n\n  self time by package / folder:\n`);
    for (const [name, ms] of buckets) process.stdout.write(`  ${pct(ms)}  ${name}\n`);
    process.stdout.write('\n  self time by function:\n');
    for (const [name, ms] of functions) process.stdout.write(`  ${pct(ms)}  ${name}\n`);
    if (names.length > 0) {
      process.stdout.write('\n  inclusive time (self + callees):\n');
      for (const [name, ms] of inclusive(profile, names)) process.stdout.write(`  ${pct(ms)}  ${name}\n`);
    }
  }
}
