/**
 * Creates the contract's topics, idempotently, and checks the settings of those that exist.
 */
import type { Admin } from 'kafkajs';
import { TOPICS, partitionsFor, topicName, type TopicSpec } from '../../contracts/topics.js';
import { VigilError, describeError } from '../../errors.js';
import { ConfigResourceTypes, kafkaClient } from './kafka.js';

export interface TopicPlan {
  readonly topic: string;
  readonly spec: TopicSpec;
  readonly partitions: number;
}

export interface TopicOutcome {
  readonly topic: string;
  readonly action: 'created' | 'exists' | 'misconfigured';
  readonly partitions: number;
  /** For `misconfigured`: which setting differs, wanted against found. */
  readonly problems: readonly string[];
}

export function planTopics(prefix: string, partitions: number): TopicPlan[] {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    throw new VigilError('VIGIL_USAGE', `--partitions must be a whole number from 1 to 1000, got ${partitions}`);
  }
  return TOPICS.map((spec) => ({ topic: topicName(prefix, spec.name), spec, partitions: partitionsFor(spec, partitions) }));
}

export async function ensureTopics(
  brokers: readonly string[],
  prefix: string,
  partitions: number,
): Promise<TopicOutcome[]> {
  const plan = planTopics(prefix, partitions);
  const admin = kafkaClient({ brokers, clientId: 'vigil-topics' }).admin();
  try {
    await admin.connect();
    // Right after a topic is created the broker can answer UNKNOWN_TOPIC_OR_PARTITION for a moment;
    // kafkajs marks such errors retriable. Creating is idempotent, so the whole step is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await ensureWith(admin, plan);
      } catch (error) {
        if ((error as { retriable?: unknown }).retriable !== true || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('VIGIL_KAFKA_UNAVAILABLE', `cannot create topics on ${brokers.join(',')}: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function ensureWith(admin: Admin, plan: readonly TopicPlan[]): Promise<TopicOutcome[]> {
  const existing = new Set(await admin.listTopics());
  const missing = plan.filter((p) => !existing.has(p.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((p) => ({
        topic: p.topic,
        numPartitions: p.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(p.spec.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const present = plan.filter((p) => existing.has(p.topic));
  const problems = present.length > 0 ? await checkConfigs(admin, present) : new Map<string, string[]>();
  const metadata = present.length > 0 ? await admin.fetchTopicMetadata({ topics: present.map((p) => p.topic) }) : { topics: [] };
  const partitionCounts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  return plan.map((p) => {
    if (!existing.has(p.topic)) return { topic: p.topic, action: 'created', partitions: p.partitions, problems: [] };
    const found = problems.get(p.topic) ?? [];
    return {
      topic: p.topic,
      action: found.length > 0 ? 'misconfigured' : 'exists',
      partitions: partitionCounts.get(p.topic) ?? p.partitions,
      problems: found,
    };
  });
}

async function checkConfigs(admin: Admin, present: readonly TopicPlan[]): Promise<Map<string, string[]>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((p) => ({
      type: ConfigResourceTypes.TOPIC,
      name: p.topic,
      configNames: Object.keys(p.spec.configs),
    })),
  });
  const problems = new Map<string, string[]>();
  for (const resource of described.resources) {
    const spec = present.find((p) => p.topic === resource.resourceName);
    if (!spec) continue;
    const list: string[] = [];
    for (const [name, wanted] of Object.entries(spec.spec.configs)) {
      const entry = resource.configEntries.find((e) => e.configName === name);
      if (entry && entry.configValue !== wanted && !equivalentSetting(name, wanted, entry.configValue)) {
        list.push(`${name}: wanted ${wanted}, found ${entry.configValue}`);
      }
    }
    if (list.length > 0) problems.set(resource.resourceName, list);
  }
  return problems;
}

/** Settings whose exact value is a tuning choice rather than a contract matter. */
function equivalentSetting(name: string, _wanted: string, _found: string): boolean {
  return name === 'segment.ms' || name === 'min.compaction.lag.ms';
}

/** A client round trip: lists topics. Used by readiness checks. */
export async function probeKafka(brokers: readonly string[], timeoutMs = 3000): Promise<string[]> {
  const admin = kafkaClient({ brokers, clientId: 'vigil-probe', connectionTimeoutMs: timeoutMs, retries: 0 }).admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
