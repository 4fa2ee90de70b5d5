/**
 * Follows `vigil.config` in the admin API (./topic-feed.ts): every record, history first, decoded and
 * handed to `onRecord` with its position and time on the topic (a tombstone as `null`). A record
 * without a key or that does not decode is handed to `onUnreadable` with where it is and why, and
 * skipped: one bad record never stops the feed.
 */
import type { Kafka } from 'kafkajs';
import type { DetectorConfig } from '../../contracts/records.js';
import { avroType } from '../../contracts/schemas.js';
import { describeError } from '../../errors.js';
import { TopicFeed } from './topic-feed.js';

export interface ConfigPosition {
  readonly partition: number;
  readonly offset: string;
  /** The record's timestamp on the topic, ms. */
  readonly timestamp: number;
}

export interface ConfigFeedOptions {
  readonly topic: string;
  readonly onRecord: (key: string, value: DetectorConfig | null, at: ConfigPosition) => void;
  readonly onUnreadable: (problem: string) => void;
  readonly groupId?: string;
}

export class ConfigFeed {
  readonly #feed: TopicFeed;

  constructor(kafka: Kafka, options: ConfigFeedOptions) {
    const type = avroType('DetectorConfig');
    this.#feed = new TopicFeed(kafka, {
      topic: options.topic,
      groupPrefix: 'vigil-admin-config',
      ...(options.groupId !== undefined ? { groupId: options.groupId } : {}),
      onMessage: (partition, message) => {
        const where = `${options.topic}[${partition}]@${message.offset}`;
        const key = message.key?.toString('utf8') ?? '';
        if (key.length === 0) return options.onUnreadable(`${where}: a record without a key`);
        const at = { partition, offset: message.offset, timestamp: Number(message.timestamp) };
        if (message.value === null) return options.onRecord(key, null, at);
        if (message.value.length < 5 || message.value[0] !== 0) return options.onUnreadable(`${where}: not in the schema registry wire format`);
        let value: DetectorConfig;
        try {
          value = structuredClone(type.fromBuffer(message.value.subarray(5))) as DetectorConfig;
        } catch (error) {
          return options.onUnreadable(`${where}: ${describeError(error)}`);
        }
        options.onRecord(key, value, at);
      },
    });
  }

  start(timeoutMs = 60_000): Promise<void> {
    return this.#feed.start(timeoutMs);
  }

  stop(): Promise<void> {
    return this.#feed.stop();
  }
}
