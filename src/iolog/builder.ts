/**
 * Builds IoLogRecords from decoded InferenceEvents: decides whether the event is logged (sampled,
 * or evidence of an alert), redacts its inputs and outputs, and seals the redacted payload with the
 * envelope. Ids, model version, principal and timestamp stay in the clear for lookup; nothing else
 * of the event leaves the process unencrypted.
 *
 * The engine calls it per event of a batch in the partition's processor:
 *
 *   const record = await builder.build(event, { alerted });   // null when not logged
 *   if (record) outputs.push({ topic: iologTopic, key: event.modelId, value: encode(record) });
 */
import type { IoLogSettings } from '../config/types.js';
import type { InferenceEvent, IoLogReason, IoLogRecord } from '../contracts/records.js';
import type { Envelope } from '../security/crypto/envelope.js';
import { redactEvent } from '../security/redact/event.js';
import { Redactor } from '../security/redact/redactor.js';
import { ioLogContext } from './binding.js';
import { ioLogSettingsFor, isSampled } from './settings.js';

export interface IoLogBuilderOptions {
  readonly settings: IoLogSettings;
  readonly envelope: Envelope;
  /** Full topic name (prefix included): bound into every record's associated data. */
  readonly topic: string;
  /** Built from `settings.redaction` when not given. */
  readonly redactor?: Redactor;
}

export class IoLogBuilder {
  readonly #settings: IoLogSettings;
  readonly #envelope: Envelope;
  readonly #topic: string;
  readonly #redactor: Redactor;

  constructor(options: IoLogBuilderOptions) {
    this.#settings = options.settings;
    this.#envelope = options.envelope;
    this.#topic = options.topic;
    this.#redactor = options.redactor ?? new Redactor(options.settings.redaction);
  }

  get topic(): string {
    return this.#topic;
  }

  /** Why the event is logged, or null when it is not. */
  decide(event: Pick<InferenceEvent, 'modelId' | 'eventId'>, alerted: boolean): IoLogReason | null {
    const settings = ioLogSettingsFor(this.#settings, event.modelId);
    if (!settings.enabled) return null;
    if (alerted && settings.alwaysOnAlert) return 'ALERT';
    return isSampled(event.modelId, event.eventId, settings.sampleRate) ? 'SAMPLED' : null;
  }

  async build(event: InferenceEvent, options: { alerted: boolean }): Promise<IoLogRecord | null> {
    const reason = this.decide(event, options.alerted);
    return reason === null ? null : this.record(event, reason);
  }

  /** The record for `event`, whatever the sampling says. */
  async record(event: InferenceEvent, reason: IoLogReason): Promise<IoLogRecord> {
    const { payload, counts } = redactEvent(this.#redactor, event, this.#settings.maxTextChars);
    const clear = {
      eventId: event.eventId,
      modelId: event.modelId,
      modelVersion: event.modelVersion,
      principal: event.principal,
      timestamp: event.timestamp,
      reason,
      redactions: counts,
    };
    const sealed = await this.#envelope.seal(Buffer.from(JSON.stringify(payload), 'utf8'), ioLogContext(this.#topic, clear));
    return {
      ...clear,
      keyId: sealed.keyId,
      wrappedKey: sealed.wrappedKey,
      kekId: sealed.kekId,
      nonce: sealed.nonce,
      ciphertext: sealed.ciphertext,
      algorithm: sealed.algorithm,
    };
  }
}
