/**
 * Clean-up that also runs on Ctrl-C / SIGTERM: a scenario registers what it must undo (stop the
 * engine, disconnect clients, delete its topics) and calls `run()` at the end; an interrupt runs the
 * same steps, newest first, then exits 130.
 */
export class Cleanup {
  readonly #steps: { what: string; step: () => Promise<unknown> }[] = [];
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: cleaning up before exit\n`);
    void this.run().finally(() => process.exit(130));
  };
  #running: Promise<void> | undefined;

  constructor() {
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
  }

  /** Registers a step; returns a function that runs it now (once) and unregisters it. */
  add(what: string, step: () => Promise<unknown>): () => Promise<void> {
    const entry = { what, step };
    this.#steps.push(entry);
    return async () => {
      const at = this.#steps.indexOf(entry);
      if (at < 0) return;
      this.#steps.splice(at, 1);
      await step();
    };
  }

  /** Runs every step left, newest first; failures are reported, not thrown. Idempotent. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      process.off('SIGINT', this.#onSignal);
      process.off('SIGTERM', this.#onSignal);
      while (this.#steps.length > 0) {
        const { what, step } = this.#steps.pop()!;
        try {
          await step();
        } catch (error) {
          process.stderr.write(`clean-up "${what}" failed: ${String(error)}\n`);
        }
      }
    })();
    return this.#running;
  }
}
