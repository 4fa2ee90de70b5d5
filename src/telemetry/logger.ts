/**
 * The structured logger. Normal operation logs nothing at the default level (`warn`): what happens
 * per batch shows in metrics; the log is for what an operator must act on.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.VIGIL_LOG_LEVEL ?? 'warn';
  return pino(
    {
      name: options.name ?? 'vigil',
      level,
      base: { pid: process.pid },
      // Secrets never reach the log, whichever object carries them.
      redact: { paths: ['*.token', '*.password', '*.secret', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    options.destination ?? process.stderr,
  );
}
