/**
 * Runs the benchmark scenarios (`bench/*.bench.ts`, or those named on the command line) one after the
 * other and writes each result to `bench/results/<scenario>.json` with the machine it ran on.
 * Usage: npm run bench [-- scenario ...]
 */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine } from './machine.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark scenario matches ${wanted.join(', ')}\n`);
  process.exit(2);
}
mkdirSync(join(here, 'results'), { recursive: true });
for (const file of files) {
  const scenario = ((await import(pathToFileURL(join(here, file)).href)) as { default: Scenario }).default;
  process.stdout.write(`${scenario.name}: ${scenario.description}\n`);
  const started = new Date();
  const results = await scenario.run();
  const record = { scenario: scenario.name, description: scenario.description, ranAt: started.toISOString(), machine: machine(), results };
  writeFileSync(join(here, 'results', `${scenario.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
