/**
 * A producer that sends at a fixed rate: every tick it sends the events that are due by then, in
 * requests of at most `maxPerRequest` (acks -1). Requests in flight are bounded — by default to one:
 * kafkajs does not keep concurrent `send()` calls in order (measured here: whole requests of a
 * partition landed after later ones), and the latency scenario needs each model's events in order.
 * A send that finds the bound reached waits for the broker; the largest backlog (events due but not
 * yet sent) is reported, so a producer that cannot keep up shows in the report, not as unbounded memory.
 */
import type { Producer } from 'kafkajs';
import type { InferenceStream } from './events.js';
import { sleep } from './stats.js';

export interface PaceOptions {
  /** Events per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly tickMs?: number;
  /** Requests in flight (default 1: ordered). */
  readonly maxInFlight?: number;
  /** Most events in one request (default 1,000: well under the broker's 1 MiB batch limit at ~500 B each). */
  readonly maxPerRequest?: number;
}

export interface PaceHooks {
  /** The events of one request (model, per-model index), when the request is issued. */
  onSend?(events: readonly (readonly [model: number, index: number])[], at: number): void;
  /** The same events when the broker acknowledged them. */
  onAck?(events: readonly (readonly [model: number, index: number])[], at: number): void;
}

export interface PaceResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly requests: number;
  readonly maxRequestsInFlight: number;
  /** Most events that were due but not yet sent at a tick (the producer running behind). */
  readonly maxBacklogEvents: number;
}

export class PacedProducer {
  /** Events sent so far (live). */
  produced = 0;
  #stopped = false;

  constructor(
    readonly producer: Producer,
    readonly topic: string,
    readonly stream: InferenceStream,
  ) {}

  /** Ends `run` at the next tick. */
  stop(): void {
    this.#stopped = true;
  }

  async run(options: PaceOptions, hooks: PaceHooks = {}): Promise<PaceResult> {
    const tickMs = options.tickMs ?? 10;
    const bound = options.maxInFlight ?? 1;
    const perRequest = options.maxPerRequest ?? 1000;
    const inFlight = new Set<Promise<unknown>>();
    const started = performance.now();
    let requests = 0;
    let maxInFlight = 0;
    let backlog = 0;
    let failure: unknown;
    const startCount = this.produced;
    while (!this.#stopped && failure === undefined) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= options.seconds) break;
      let due = Math.floor(options.rate * elapsed) - (this.produced - startCount);
      backlog = Math.max(backlog, due);
      // Behind schedule, the backlog is sent in requests, but never past the run's end.
      while (due > 0 && failure === undefined && (performance.now() - started) / 1000 < options.seconds) {
        const count = Math.min(due, perRequest);
        due -= count;
        const events: [number, number][] = [];
        const messages = this.stream.messages(count, (model, index) => events.push([model, index]));
        hooks.onSend?.(events, performance.now());
        const request = this.producer.send({ topic: this.topic, acks: -1, messages }).then(() => hooks.onAck?.(events, performance.now()));
        inFlight.add(request);
        void request
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => inFlight.delete(request));
        this.produced += count;
        requests++;
        maxInFlight = Math.max(maxInFlight, inFlight.size);
        if (inFlight.size >= bound) {
          await Promise.race(inFlight).catch(() => undefined);
        }
      }
      await sleep(tickMs);
    }
    await Promise.allSettled(inFlight);
    if (failure !== undefined) throw failure;
    const seconds = (performance.now() - started) / 1000;
    const events = this.produced - startCount;
    return { events, seconds: Math.round(seconds * 100) / 100, eventsPerSecond: Math.round(events / seconds), requests, maxRequestsInFlight: maxInFlight, maxBacklogEvents: backlog };
  }
}
