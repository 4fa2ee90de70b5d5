/**
 * A one-line progress bar on a terminal (stderr), redrawn at most every 100 ms; nothing at all when
 * the stream is not a terminal, so logs and pipes stay clean.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressBar {
  readonly #stream: ProgressStream | null;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(stream: ProgressStream, now: () => number = Date.now) {
    this.#stream = stream.isTTY === true ? stream : null;
    this.#now = now;
  }

  update(done: number, total: number, events: number): void {
    if (this.#stream === null) return;
    const t = this.#now();
    if (t - this.#last < 100 && done < total) return;
    this.#last = t;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    this.#stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${events} events`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#stream !== null && this.#drawn) this.#stream.write('\n');
  }
}
