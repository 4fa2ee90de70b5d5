/**
 * Starts the latency scenarios' alert reader in a worker thread (./alert-reader.worker.mjs): alerts are
 * seen when the reader thread reads them, whatever the producer keeps the main thread busy with.
 * `receivedAt` is on this thread's performance.now() scale.
 */
import { Worker } from 'node:worker_threads';

export interface ReadAlert {
  readonly modelId: string;
  readonly kind: string;
  readonly windowEnd: number;
  readonly eventId: string | null;
  readonly receivedAt: number;
}

export interface AlertReader {
  /** Resolves once the reader has joined its group. */
  readonly joined: Promise<void>;
  stop(): Promise<void>;
}

export function startAlertReader(options: { brokers: readonly string[]; topic: string; groupId: string; onAlerts: (alerts: readonly ReadAlert[]) => void }): AlertReader {
  const worker = new Worker(new URL('./alert-reader.worker.mjs', import.meta.url), {
    workerData: { brokers: [...options.brokers], topic: options.topic, groupId: options.groupId },
  });
  let failure: unknown;
  const joined = new Promise<void>((resolve, reject) => {
    worker.on('error', (error) => {
      failure = error;
      reject(error);
    });
    worker.on('message', (message: { type: string; at?: number; alerts?: Omit<ReadAlert, 'receivedAt'>[] }) => {
      if (message.type === 'joined') resolve();
      else if (message.type === 'alerts') {
        const receivedAt = message.at! - performance.timeOrigin;
        options.onAlerts(message.alerts!.map((a) => ({ ...a, receivedAt })));
      }
    });
  });
  return {
    joined,
    stop: async () => {
      if (failure === undefined) {
        const stopped = new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'stopped' && resolve()));
        worker.postMessage({ type: 'stop' });
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
      await worker.terminate();
    },
  };
}
