/**
 * A partition assigner that keeps co-partitioned topics together: partition p of every subscribed
 * topic goes to the same member. Inference events and their delayed labels are both keyed by model
 * id, so with equal partition counts a model's events and labels land in the same partition number,
 * and one member (one processor, one transactional producer) holds both sides of the join.
 *
 * kafkajs ships only a round-robin assigner, which spreads topic-partitions without regard to their
 * number; this one is given to the engine's consumer instead.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const COPARTITIONED_ASSIGNER_NAME = 'VigilCopartitioned';

/**
 * Partition numbers to members: member i (in sorted member id order) takes the partition numbers
 * congruent to i modulo the member count, in every topic that has them.
 */
export function copartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: Readonly<Record<string, readonly number[]>>,
): Record<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const out: Record<string, Record<string, number[]>> = {};
  if (members.length === 0) return out;
  for (const topic of Object.keys(partitionsByTopic).sort()) {
    for (const partition of [...partitionsByTopic[topic]!].sort((a, b) => a - b)) {
      const member = members[partition % members.length]!;
      const byTopic = (out[member] ??= Object.create(null) as Record<string, number[]>);
      (byTopic[topic] ??= []).push(partition);
    }
  }
  return out;
}

export const copartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: COPARTITIONED_ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic: Record<string, number[]> = {};
    for (const topic of topics) partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
    const assignment = copartitionedAssignment(
      members.map((m) => m.memberId),
      partitionsByTopic,
    );
    return Object.entries(assignment).map(([memberId, byTopic]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: byTopic, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: COPARTITIONED_ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
