/**
 * The governance gate's writes, one Kafka transaction per decision: its GovernanceEvents on
 * `vigil.governance` (key: model id), the RollbackCommands it issues on `vigil.rollback` (key: model
 * id), the alerts it raises (compliance findings) on `vigil.alerts` (key: fingerprint), the
 * configuration changes and silences on `vigil.config`, and the decision's audit records on
 * `vigil.audit` (key: chain id). A read_committed reader sees
 * all of them or none, so a crash between two sends can no longer leave a decision without its audit
 * record.
 *
 * The transactional id is stable for one server (restarting it fences the dead instance and aborts
 * what it left open, rather than blocking read_committed readers until the transaction times out);
 * two servers must use different ids. A failed transaction is aborted and the producer rebuilt before
 * the next one, since a kafkajs producer can stay broken after losing its broker.
 */
import type { Kafka, Producer, TopicMessages } from 'kafkajs';
import type { Alert, AuditRecord, DetectorConfig, GovernanceEvent, RollbackCommand } from '../../contracts/records.js';
import { VigilError, describeError } from '../../errors.js';
import { recordEncoder } from './encode.js';

/** What one decision writes, all or nothing. */
export interface GovernanceWrite {
  readonly events: readonly GovernanceEvent[];
  readonly audit: readonly AuditRecord[];
  readonly commands?: readonly RollbackCommand[];
  readonly alerts?: readonly Alert[];
  /** vigil.config records (key: model id or `silence:<id>`): configuration changes and silences. */
  readonly configs?: readonly { readonly key: string; readonly value: DetectorConfig }[];
}

export interface GovernanceProducer {
  /** Writes `write` in one transaction; resolves once it is committed, rejects (aborted) otherwise. */
  commit(write: GovernanceWrite): Promise<void>;
  close(): Promise<void>;
}

export interface GovernanceProducerOptions {
  readonly registryUrl: string;
  readonly topics: { readonly governance: string; readonly audit: string; readonly rollback: string; readonly alerts: string; readonly config: string };
  readonly transactionalId: string;
  readonly transactionTimeoutMs?: number;
  /** Runs after the records are sent and before the commit: a failure here aborts the transaction (tests inject one). */
  readonly beforeCommit?: (write: GovernanceWrite) => Promise<void>;
}

export async function governanceProducer(kafka: Kafka, options: GovernanceProducerOptions): Promise<GovernanceProducer> {
  const { topics } = options;
  const [governance, audit, rollback, alerts, config] = await Promise.all([
    recordEncoder<GovernanceEvent>(options.registryUrl, topics.governance, 'GovernanceEvent'),
    recordEncoder<AuditRecord>(options.registryUrl, topics.audit, 'AuditRecord'),
    recordEncoder<RollbackCommand>(options.registryUrl, topics.rollback, 'RollbackCommand'),
    recordEncoder<Alert>(options.registryUrl, topics.alerts, 'Alert'),
    recordEncoder<DetectorConfig>(options.registryUrl, topics.config, 'DetectorConfig'),
  ] as const);
  const connect = async (): Promise<Producer> => {
    const producer = kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
    });
    try {
      await producer.connect();
    } catch (error) {
      throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot connect the governance producer (${options.transactionalId}): ${describeError(error)}`, { cause: error });
    }
    return producer;
  };
  let current: Producer | null = await connect();
  const messagesOf = (write: GovernanceWrite): TopicMessages[] =>
    [
      { topic: topics.governance, messages: write.events.map((e) => ({ key: e.modelId, value: governance.encode(e) })) },
      { topic: topics.rollback, messages: (write.commands ?? []).map((c) => ({ key: c.modelId, value: rollback.encode(c) })) },
      { topic: topics.alerts, messages: (write.alerts ?? []).map((a) => ({ key: a.fingerprint, value: alerts.encode(a) })) },
      { topic: topics.config, messages: (write.configs ?? []).map((c) => ({ key: c.key, value: config.encode(c.value) })) },
      { topic: topics.audit, messages: write.audit.map((r) => ({ key: r.chainId, value: audit.encode(r) })) },
    ].filter((t) => t.messages.length > 0);
  return {
    commit: async (write) => {
      current ??= await connect();
      const producer = current;
      try {
        const transaction = await producer.transaction();
        try {
          await transaction.sendBatch({ acks: -1, topicMessages: messagesOf(write) });
          await options.beforeCommit?.(write);
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          throw error;
        }
      } catch (error) {
        // A kafkajs producer can stay broken after a failure: the next decision builds a new one.
        current = null;
        await producer.disconnect().catch(() => undefined);
        if (error instanceof VigilError) throw error;
        throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `the governance transaction (${options.transactionalId}) failed and was aborted: ${describeError(error)}`, { cause: error });
      }
    },
    close: async () => {
      const producer = current;
      current = null;
      await producer?.disconnect().catch(() => undefined);
    },
  };
}
