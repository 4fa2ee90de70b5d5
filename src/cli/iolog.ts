/**
 * `vigil iolog read`: decrypts the I/O log of one model. Through the admin API (`--api`, or whenever
 * VIGIL_TOKEN is set): the server decrypts, only for the auditor role, and access-logs and audits
 * every read. Directly (`--direct`, or without a token): the topic is read with the key-encryption
 * keyring, which only auditors hold.
 */
import { loadConfig } from '../config/index.js';
import { infraFromEnv } from '../config/infra.js';
import { VigilError } from '../errors.js';
import { readIoLog, type IoLogEntry, type IoLogFilter } from '../iolog/reader.js';
import { ioLogSettingsFor, retentionMs } from '../iolog/settings.js';
import { readIoLogRecords } from '../pipeline/source/governance-iolog.js';
import { ApiClient, apiClientOptionsFromEnv } from './api-client.js';
import { Envelope } from '../security/crypto/envelope.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil iolog read --model ID [--event ID | --from TIME --to TIME] [--limit N] [--json] [--api | --direct]

Reads the I/O log of model ID, decrypted, and prints the redacted inputs and outputs of the matching
records. Records older than the model's iolog.retentionDays are not shown. A record that fails
authentication stops the read (exit 2).

Two ways to read:
  --api      through the admin API (GET /v1/iolog) with VIGIL_TOKEN at VIGIL_API_URL: the server
             decrypts for the auditor role only and access-logs and audits the read (a 403 names the
             missing role). The default when VIGIL_TOKEN is set.
  --direct   from the iolog topic (VIGIL_TOPIC_PREFIX + "iolog") with the keyring. The default
             without VIGIL_TOKEN.

Options:
  --model ID        model whose records to read (required)
  --event ID        only this event
  --from TIME       inference time, inclusive (ISO-8601 or milliseconds since the epoch)
  --to TIME         inference time, exclusive
  --limit N         at most N records (default 100, at most 100000; through the API at most 1000)
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
      api: { type: 'boolean' },
      direct: { type: 'boolean' },
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
  if (values.api === true && values.direct === true) throw new VigilError('VIGIL_USAGE', 'give --api or --direct, not both');
  const viaApi = values.api === true || (values.direct !== true && (process.env['VIGIL_TOKEN'] ?? '').length > 0);
  const limit = intFlag(values.limit, 'limit', 1, viaApi ? 1000 : 100_000, 100);
  const print = (entry: IoLogEntry): void => {
    if (values.json) io.out(JSON.stringify(entry));
    else io.out(`${new Date(entry.timestamp).toISOString()} ${entry.eventId} ${entry.modelVersion} ${entry.principal} ${entry.reason} ${JSON.stringify(entry.payload)}`);
  };
  if (viaApi) {
    if (values['key-file'] !== undefined) throw new VigilError('VIGIL_USAGE', '--key-file reads the topic directly; it cannot be combined with --api');
    const client = new ApiClient(apiClientOptionsFromEnv(process.env));
    const query = new URLSearchParams({ model: values.model });
    if (typeof values.event === 'string') query.set('event', values.event);
    if (from !== undefined) query.set('from', String(from));
    if (to !== undefined) query.set('to', String(to));
    query.set('limit', String(limit));
    const { entries } = await client.get<{ entries: IoLogEntry[] }>(`/v1/iolog?${query.toString()}`);
    for (const entry of entries) print(entry);
    if (!values.json) io.err(`vigil iolog: ${entries.length} record${entries.length === 1 ? '' : 's'} of ${values.model} from ${client.baseUrl}`);
    return 0;
  }
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
  const records = await readIoLogRecords(infra.brokers, topic, filter);
  let count = 0;
  for await (const entry of readIoLog(records, new Envelope(provider), filter, topic)) {
    count++;
    print(entry);
  }
  if (!values.json) io.err(`vigil iolog: ${count} record${count === 1 ? '' : 's'} of ${values.model} from ${topic}`);
  return 0;
}
