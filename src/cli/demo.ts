/**
 * `vigil demo`: brings up the local stack and the topics. (The engine and the synthetic producer
 * join it as the watch is built.)
 */
import { infraFromEnv } from '../config/infra.js';
import { ensureTopics } from '../pipeline/sink/topics.js';
import { stackUp } from '../stack/stack.js';
import { parseFlags } from './args.js';
import type { CommandIo } from './io.js';
import { printStatus } from './stack.js';

export const HELP = `Usage: vigil demo

Starts the local stack (Kafka and the schema registry), creates the topics, and says where to look.
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, {}, 0, 'demo');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  io.out('vigil demo: starting the local stack (the first run downloads Kafka and the registry with Maven)');
  const status = await stackUp({ onProgress: (m) => io.out(`  ${m}`) });
  printStatus(io, status);
  const infra = infraFromEnv();
  const outcomes = await ensureTopics(infra.brokers, infra.topicPrefix, 3);
  io.out(`topics: ${outcomes.map((o) => `${o.topic} (${o.action})`).join(', ')}`);
  io.out('The stack keeps running: `npx vigil stack status` reports it, `npx vigil stack down` stops it.');
  return 0;
}
