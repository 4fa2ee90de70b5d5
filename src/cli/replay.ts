/** `vigil replay`: what a configuration would raise over recorded events, with no Kafka. */
import { loadConfig } from '../config/index.js';
import { VigilError } from '../errors.js';
import { ProgressBar, jsonReport, readEvents, replay, textReport } from '../replay/index.js';
import { parseFlags } from './args.js';
import { processIo, type CommandIo } from './io.js';

export const HELP = `Usage: vigil replay --events FILE [--config FILE] [--format text|json]

Runs the engine's decoding, windows, detectors and alert and response policy over recorded events,
with no Kafka and no registry, and prints the alerts and the rollback, fallback and shutdown commands
the configuration would raise, with counts per detector: a configuration can be tuned before it is
applied. The results are the engine's on the same events (the same alert and command ids).

Options:
  --events FILE    recorded InferenceEvents: JSON lines (one event per line; optional fields may be
                   left out) or an Avro object container file (codec null or deflate)
  --config FILE    the configuration (default: VIGIL_CONFIG, else vigil.yaml here, else defaults)
  --format F       text (default) or json

A progress bar shows on stderr when it is a terminal. Exit 0 when the replay ran (whatever it
found); 2 on bad usage or a bad file, with the line (or record) and the field at fault.
`;

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, { events: { type: 'string' }, config: { type: 'string' }, format: { type: 'string' } }, 0, 'replay');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const file = values.events;
  if (typeof file !== 'string' || file.length === 0) throw new VigilError('VIGIL_USAGE', '--events FILE is required; see `vigil replay --help`');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new VigilError('VIGIL_USAGE', `--format must be text or json, got ${JSON.stringify(format)}`);
  const config = loadConfig({ ...(typeof values.config === 'string' ? { path: values.config } : {}), env: process.env });
  // Only the real process's stderr gets a bar, and only on a terminal.
  const bar = new ProgressBar(io === processIo ? process.stderr : { write: () => true });
  let read = 0;
  let total = 0;
  const result = await replay({
    config,
    events: readEvents(file, (done, size) => {
      read = done;
      total = size;
    }),
    onBatch: (events) => bar.update(read, total, events),
  });
  bar.done();
  io.out(format === 'json' ? jsonReport(file, result) : textReport(file, result));
  return 0;
}
