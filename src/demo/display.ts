/**
 * Puts what the tails read back in the order it happened. Alerts are keyed by fingerprint, so one
 * window's alerts arrive spread over the alerts topic's partitions; a command comes on another topic.
 * Records are held for a moment and written sorted by event time: each window's alerts by feature,
 * then the command that window tripped, then the next window.
 */
import type { Alert, RollbackCommand } from '../contracts/records.js';
import { alertLine, commandLine } from './format.js';

interface Pending {
  /** Event time the record belongs at (a command sits just before the window after the one that tripped it). */
  readonly at: number;
  readonly tie: string;
  readonly text: () => string;
  /** Set apart by blank lines. */
  readonly spaced: boolean;
}

export class OrderedDisplay {
  readonly #write: (text: string) => void;
  readonly #holdMs: number;
  readonly #now: () => number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(write: (text: string) => void, options: { holdMs?: number; now?: () => number } = {}) {
    this.#write = write;
    this.#holdMs = options.holdMs ?? 300;
    this.#now = options.now ?? Date.now;
  }

  alert(alert: Alert): void {
    this.#add({ at: alert.windowStart, tie: `0${alert.detector}\u0000${alert.feature ?? ''}`, text: () => alertLine(alert, this.#now()), spaced: false });
  }

  command(command: RollbackCommand): void {
    // issuedAt is the end of the tripping window, which is also the start of the next one.
    this.#add({ at: command.issuedAt - 0.5, tie: `1${command.commandId}`, text: () => commandLine(command, this.#now()), spaced: true });
  }

  /** Writes everything held, in order. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const ready = this.#pending.sort((a, b) => a.at - b.at || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0));
    this.#pending = [];
    for (const p of ready) {
      if (p.spaced) this.#write('');
      this.#write(p.text());
      if (p.spaced) this.#write('');
    }
  }

  #add(pending: Pending): void {
    this.#pending.push(pending);
    this.#timer ??= setTimeout(() => this.flush(), this.#holdMs);
  }
}
