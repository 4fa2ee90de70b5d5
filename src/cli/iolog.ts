/**
 * `vigil iolog read`: decrypts the I/O log of one model. For now it reads the topic directly with the
 * key-encryption keyring (which only auditors hold); the admin API serves the same read behind the
 * auditor role with access logging (src/iolog/access.ts).
 */
import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '../config/index.js';
import { infraFromEnv } from '../config/infra.js';
import type { IoLogRecord } from '../contracts/records.js';
import { VigilError, describeError } from '../errors.js';
import { matches, readIoLog, type IoLogFilter } from '../iolog/reader.js';
import { ioLogSettingsFor, retentionMs } from '../iolog/settings.js';
import { decodeIoLogValue } from '../iolog/wire.js';
import { kafkaClient } from '../pipeline/sink/kafka.js';
import { readToEnd } from '../pipeline/source/read-to-end.js';
import { Envelope } from '../security/crypto/envelope.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil iolog read --model ID [--event ID | --from TIME --to TIME] [--limit N] [--json]

Reads the I/O log of model ID from the iolog topic (VIGIL_TOPIC_PREFIX + "iolog"), decrypts the
matching records and prints their redacted inputs and outputs. Records older than the model's
iolog.retentionDays are not shown. A record that fails authentication stops the read (exit 2).

Options:
  --model ID        model whose records to read (required)
  --event ID        only this event
  --from TIME       inference time, inclusive (ISO-8601 or milliseconds since the epoch)
  --to TIME         inference time, exclusive
  --limit N         at most N records (default 100, at most 100000)
  --key-file PATH   keyring (default: encryption.keyFile, VIGIL_KEK_FILE, else VIGIL_KEK)
  --config PATH     configuration file (retention, key settings)
  --json            one JSON object per line
`;

function parseTime(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0) throw new VigilError('VIGIL_USAGE', `--${flag} must be an ISO-8601 time or milliseconds since the epoch, got ${JSON.stringify(text)}`);
  return ms;
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      model: { type: 'string' },
      event: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      'key-file': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
    'iolog',
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals[0] !== 'read') {
    throw new VigilError('VIGIL_USAGE', `expected read, got ${positionals[0] === undefined ? 'nothing' : JSON.stringify(positionals[0])}; see \`vigil iolog --help\``);
  }
  if (typeof values.model !== 'string' || values.model.length === 0) throw new VigilError('VIGIL_USAGE', 'read needs --model ID; see `vigil iolog --help`');
  const from = parseTime(values.from, 'from');
  const to = parseTime(values.to, 'to');
  if (typeof values.event === 'string' && (from !== undefined || to !== undefined)) {
    throw new VigilError('VIGIL_USAGE', '--event cannot be combined with --from/--to');
  }
  if (from !== undefined && to !== undefined && to <= from) throw new VigilError('VIGIL_USAGE', `--to must be after --from`);
  const limit = intFlag(values.limit, 'limit', 1, 100_000, 100);
  const loaded = loadConfig({ ...(typeof values.config === 'string' ? { path: values.config } : {}), env: process.env });
  const { iolog, encryption } = loaded.config;
  const provider = resolveKeyProvider({
    file: typeof values['key-file'] === 'string' ? values['key-file'] : encryption.keyFile,
    envName: encryption.keyEnv,
    env: process.env,
  });
  const filter: IoLogFilter = {
    modelId: values.model,
    ...(typeof values.event === 'string' ? { eventId: values.event } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    retentionMs: retentionMs(ioLogSettingsFor(iolog, values.model)),
    limit,
  };
  const infra = infraFromEnv();
  const topic = `${infra.topicPrefix}iolog`;
  const records = await readRecords(infra.brokers, topic, filter);
  let count = 0;
  for await (const entry of readIoLog(records, new Envelope(provider), filter, topic)) {
    count++;
    if (values.json) io.out(JSON.stringify(entry));
    else io.out(`${new Date(entry.timestamp).toISOString()} ${entry.eventId} ${entry.modelVersion} ${entry.principal} ${entry.reason} ${JSON.stringify(entry.payload)}`);
  }
  if (!values.json) io.err(`vigil iolog: ${count} record${count === 1 ? '' : 's'} of ${values.model} from ${topic}`);
  return 0;
}

/** The matching records of the topic, in offset order per partition; at most `filter.limit` of them are kept. */
async function readRecords(brokers: readonly string[], topic: string, filter: IoLogFilter): Promise<IoLogRecord[]> {
  const kafka = kafkaClient({ brokers, clientId: 'vigil-iolog-read' });
  const kept: IoLogRecord[] = [];
  const key = Buffer.from(filter.modelId, 'utf8');
  // Thrown after the read: an exception inside the consumer's batch handler would only be retried.
  let malformed: VigilError | null = null;
  try {
    await readToEnd(kafka, {
      topic,
      onMessage: (partition: number, message: KafkaMessage) => {
        if (malformed !== null || kept.length >= (filter.limit ?? Infinity) || message.value === null) return;
        if (message.key !== null && !message.key.equals(key)) return;
        try {
          const record = decodeIoLogValue(message.value, `${topic}[${partition}]@${message.offset}`);
          if (matches(record, filter)) kept.push(record);
        } catch (error) {
          malformed = error instanceof VigilError ? error : new VigilError('VIGIL_INPUT_INVALID', describeError(error), { cause: error });
        }
      },
    });
  } catch (cause) {
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot read ${topic} from ${brokers.join(',')}: ${describeError(cause)}`, { cause });
  }
  if (malformed !== null) throw malformed;
  return kept;
}
