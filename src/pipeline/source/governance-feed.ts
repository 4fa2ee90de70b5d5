/**
 * Keeps the admin API's governance registry current: `vigil.governance` followed from the beginning
 * (./topic-feed.ts), each decoded GovernanceEvent handed to `onEvent` in partition order (all events of
 * a model share a partition). `start` resolves once the history has been read, so the server answers
 * nothing from a half-folded registry. Undecodable records are counted and skipped.
 */
import type { Kafka } from 'kafkajs';
import type { GovernanceEvent } from '../../contracts/records.js';
import { avroType } from '../../contracts/schemas.js';
import { TopicFeed } from './topic-feed.js';

export class GovernanceFeed {
  readonly #feed: TopicFeed;
  #skipped = 0;

  constructor(kafka: Kafka, options: { topic: string; onEvent: (event: GovernanceEvent, at: { partition: number; offset: string }) => void; groupId?: string }) {
    const type = avroType('GovernanceEvent');
    this.#feed = new TopicFeed(kafka, {
      topic: options.topic,
      groupPrefix: 'vigil-admin-governance',
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      onMessage: (partition, message) => {
        if (message.value === null || message.value.length < 5 || message.value[0] !== 0) {
          this.#skipped++;
          return;
        }
        let event: GovernanceEvent;
        try {
          event = structuredClone(type.fromBuffer(message.value.subarray(5))) as GovernanceEvent;
        } catch (error) {
          if (!(error instanceof Error)) throw error;
          this.#skipped++;
          return;
        }
        options.onEvent(event, { partition, offset: message.offset });
      },
    });
  }

  get skipped(): number {
    return this.#skipped;
  }

  start(timeoutMs = 60_000): Promise<void> {
    return this.#feed.start(timeoutMs);
  }

  stop(): Promise<void> {
    return this.#feed.stop();
  }
}
