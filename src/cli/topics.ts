/** `vigil topics create`: every topic of the contract, with its settings; idempotent. */
import { infraFromEnv } from '../config/infra.js';
import { VigilError } from '../errors.js';
import { ensureTopics } from '../pipeline/sink/topics.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil topics create [--partitions N]

Creates every topic of the contract (prefix from VIGIL_TOPIC_PREFIX, default "vigil.") on the brokers
in VIGIL_BROKERS (default 127.0.0.1:19092): compaction for config and state, no time-based deletion
for audit and governance. Topics that exist are left as they are; one whose settings differ from the
contract is reported and the command exits 1.

Options:
  --partitions N   partitions for the scaled topics (default 3); config and audit always have 1
  --json           print the outcome as JSON
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, { partitions: { type: 'string' }, json: { type: 'boolean' } }, 1, 'topics');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals[0] !== 'create') {
    throw new VigilError('VIGIL_USAGE', `expected create, got ${positionals[0] === undefined ? 'nothing' : JSON.stringify(positionals[0])}; see \`vigil topics --help\``);
  }
  const infra = infraFromEnv();
  const partitions = intFlag(values.partitions, 'partitions', 1, 1000, 3);
  const outcomes = await ensureTopics(infra.brokers, infra.topicPrefix, partitions);
  if (values.json) io.out(JSON.stringify(outcomes, null, 2));
  else {
    for (const o of outcomes) {
      io.out(`${o.topic.padEnd(24)} ${o.action.padEnd(13)} partitions=${o.partitions}${o.problems.length ? '  ' + o.problems.join('; ') : ''}`);
    }
  }
  return outcomes.some((o) => o.action === 'misconfigured') ? 1 : 0;
}
