/**
 * The topics of the wire contract and the settings each is created with. The logical name is the
 * suffix; the full name is the configured prefix (default `vigil.`) followed by it.
 */
export type TopicName =
  | 'inference'
  | 'labels'
  | 'governance'
  | 'config'
  | 'alerts'
  | 'audit'
  | 'rollback'
  | 'iolog'
  | 'dlq'
  | 'state';

export interface TopicSpec {
  readonly name: TopicName;
  /** Whether the partition count follows `--partitions` or is fixed. */
  readonly partitions: 'scaled' | number;
  readonly configs: Readonly<Record<string, string>>;
  readonly purpose: string;
}

const COMPACTED: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0', 'segment.ms': '3600000' };

export const TOPICS: readonly TopicSpec[] = Object.freeze<TopicSpec[]>([
  { name: 'inference', partitions: 'scaled', configs: {}, purpose: 'inference events from model servers' },
  { name: 'labels', partitions: 'scaled', configs: {}, purpose: 'delayed ground-truth labels' },
  { name: 'governance', partitions: 'scaled', configs: { 'retention.ms': '-1' }, purpose: 'governance events, the registry is a fold of this log' },
  // One partition: operators expect a single ordered history of configuration changes.
  { name: 'config', partitions: 1, configs: COMPACTED, purpose: 'detector configuration per model (compacted)' },
  { name: 'alerts', partitions: 'scaled', configs: {}, purpose: 'alerts raised by the engine' },
  // Never deleted by time: an audit trail that expires is no audit trail. One partition per chain
  // keeps the hash chain in order.
  { name: 'audit', partitions: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' }, purpose: 'hash-chained, signed audit records' },
  { name: 'rollback', partitions: 'scaled', configs: {}, purpose: 'rollback, fallback and shutdown commands' },
  { name: 'iolog', partitions: 'scaled', configs: {}, purpose: 'redacted, encrypted input/output log' },
  // A dead letter is an input record with error headers added: it must fit where the input did.
  { name: 'dlq', partitions: 'scaled', configs: { 'max.message.bytes': '8388608' }, purpose: 'records that could not be processed, bytes unchanged' },
  // Co-partitioned with the input: the state of input partition p lives in state partition p.
  // References of large models (N events × F features) are records of hundreds of KB; several in one
  // transaction must fit the partition's batch limit, which defaults to 1 MiB.
  { name: 'state', partitions: 'scaled', configs: { ...COMPACTED, 'max.message.bytes': '67108864' }, purpose: 'detector state changelog (compacted)' },
]);

export function topicName(prefix: string, name: TopicName): string {
  return `${prefix}${name}`;
}

export function partitionsFor(spec: TopicSpec, scaled: number): number {
  return spec.partitions === 'scaled' ? scaled : spec.partitions;
}
