/**
 * The demo's model server: sends synthetic inference events at a steady rate, in small batches, until
 * it has sent `total` or is stopped. Pacing follows a schedule from the start time (batch k leaves at
 * start + k·batch/rate), so a slow send is caught up rather than lowering the rate for good.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { InferenceEvent } from '../contracts/records.js';
import type { EventGenerator } from './generator.js';

export interface PacedProducerOptions {
  readonly total: number;
  /** Events per second. */
  readonly rate: number;
  readonly next: () => InferenceEvent;
  readonly send: (records: readonly { key: string; value: InferenceEvent }[]) => Promise<void>;
  /** Events per send (default: a tenth of a second's worth, 1 to 1,000). */
  readonly batchSize?: number;
  /** Called after each batch is acknowledged, with the running total. */
  readonly onSent?: (sent: number) => void;
}

export class PacedProducer {
  readonly #options: PacedProducerOptions;
  readonly #abort = new AbortController();
  #sent = 0;
  #run: Promise<void> | undefined;

  constructor(options: PacedProducerOptions) {
    this.#options = options;
  }

  /** Events acknowledged by the broker so far. */
  get sent(): number {
    return this.#sent;
  }

  get batchSize(): number {
    return this.#options.batchSize ?? Math.min(1000, Math.max(1, Math.round(this.#options.rate / 10)));
  }

  /** Starts sending; the promise settles when all are sent or `stop()` was called, and rejects if a send fails. */
  start(): Promise<void> {
    this.#run ??= this.#loop();
    return this.#run;
  }

  /** Stops after the batch in flight (which is still acknowledged); resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#run?.catch(() => undefined);
  }

  async #loop(): Promise<void> {
    const { total, rate, next, send, onSent } = this.#options;
    const signal = this.#abort.signal;
    const started = performance.now();
    while (this.#sent < total && !signal.aborted) {
      const due = started + (this.#sent / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          break; // aborted
        }
      }
      const n = Math.min(this.batchSize, total - this.#sent);
      const records = Array.from({ length: n }, () => {
        const value = next();
        return { key: value.modelId, value };
      });
      await send(records);
      this.#sent += n;
      onSent?.(this.#sent);
    }
  }
}

/**
 * The demo's event stream: the generator's events with this run's id in every eventId (so a second
 * run on the same topics is never taken for a replay of the first) and the wall clock as event time.
 */
export function demoEvents(generator: EventGenerator, runId: string, now: () => number = Date.now, assistant?: { readonly every: number; next(): InferenceEvent }): () => InferenceEvent {
  let n = 0;
  return () => {
    // With an assistant, one event in `every` is its (LLM) traffic.
    const event = assistant !== undefined && ++n % assistant.every === 0 ? assistant.next() : generator.next();
    return { ...event, eventId: `${runId}:${event.eventId}`, timestamp: now() };
  };
}
