/**
 * Feeds the admin API's alert view from `vigil.alerts` (a TopicFeed: its own group, from the
 * beginning, read_committed), decoding each Alert and handing it to `onAlert`. A record that cannot be
 * decoded is counted and skipped. `start` does not wait for the history: the view fills as it is read.
 */
import type { Kafka } from 'kafkajs';
import { avroType } from '../../contracts/schemas.js';
import type { Alert } from '../../contracts/records.js';
import { TopicFeed } from './topic-feed.js';

export class AlertFeed {
  readonly #feed: TopicFeed;
  #skipped = 0;

  constructor(kafka: Kafka, options: { topic: string; onAlert: (alert: Alert) => void; groupId?: string }) {
    const type = avroType('Alert');
    this.#feed = new TopicFeed(kafka, {
      topic: options.topic,
      groupPrefix: 'vigil-admin-alerts',
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      waitForHistory: false,
      onMessage: (_partition, message) => {
        if (message.value === null || message.value.length < 5 || message.value[0] !== 0) {
          this.#skipped++;
          return;
        }
        let alert: Alert;
        try {
          // avsc decodes into instances whose prototypes carry enumerable methods; the view and its
          // JSON responses want plain data.
          alert = structuredClone(type.fromBuffer(message.value.subarray(5))) as Alert;
        } catch (error) {
          if (!(error instanceof Error)) throw error;
          this.#skipped++;
          return;
        }
        options.onAlert(alert);
      },
    });
  }

  get skipped(): number {
    return this.#skipped;
  }

  start(): Promise<void> {
    return this.#feed.start();
  }

  stop(): Promise<void> {
    return this.#feed.stop();
  }
}
