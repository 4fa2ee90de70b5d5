/**
 * Feeds the admin API's alert view from `vigil.alerts`: a consumer in a group of its own (one per
 * process, never committing), reading from the beginning with read_committed, decoding each Alert
 * and handing it to `onAlert`. A record that cannot be decoded is counted and skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { avroType } from '../../contracts/schemas.js';
import type { Alert } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';

export class AlertFeed {
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #onAlert: (alert: Alert) => void;
  #skipped = 0;
  #running = false;

  constructor(kafka: Kafka, options: { topic: string; onAlert: (alert: Alert) => void; groupId?: string }) {
    this.#topic = options.topic;
    this.#onAlert = options.onAlert;
    this.#consumer = kafka.consumer({ groupId: options.groupId ?? `vigil-admin-alerts-${randomUUID()}`, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
  }

  get skipped(): number {
    return this.#skipped;
  }

  async start(): Promise<void> {
    const type = avroType('Alert');
    try {
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topic: this.#topic, fromBeginning: true });
      await this.#consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            if (message.value === null || message.value.length < 5 || message.value[0] !== 0) {
              this.#skipped++;
              continue;
            }
            let alert: Alert;
            try {
              // avsc decodes into instances whose prototypes carry enumerable methods; the view and its
              // JSON responses want plain data.
              alert = structuredClone(type.fromBuffer(message.value.subarray(5))) as Alert;
            } catch (error) {
              if (!(error instanceof Error)) throw error;
              this.#skipped++;
              continue;
            }
            this.#onAlert(alert);
          }
        },
      });
      this.#running = true;
    } catch (error) {
      await this.#consumer.disconnect().catch(() => undefined);
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot read ${this.#topic}: ${describeError(error)}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#consumer.disconnect();
  }
}
