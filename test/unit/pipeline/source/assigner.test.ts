import { describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import type { Cluster } from 'kafkajs';
import { copartitionedAssigner, copartitionedAssignment } from '../../../../src/pipeline/source/assigner.js';

describe('co-partitioned assignment', () => {
  it('gives partition p of every topic to the same member', () => {
    const out = copartitionedAssignment(['m-b', 'm-a'], { inference: [0, 1, 2, 3, 4], labels: [4, 3, 2, 1, 0] });
    expect(out).toEqual({
      'm-a': { inference: [0, 2, 4], labels: [0, 2, 4] },
      'm-b': { inference: [1, 3], labels: [1, 3] },
    });
  });

  it('assigns every partition exactly once whatever the member count', () => {
    for (const members of [1, 2, 3, 7, 12]) {
      const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
      const out = copartitionedAssignment(ids, { a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2] });
      const seen = Object.values(out).flatMap((byTopic) => Object.entries(byTopic).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)));
      expect(seen.sort()).toEqual([...Array.from({ length: 10 }, (_, p) => `a/${p}`), ...Array.from({ length: 3 }, (_, p) => `b/${p}`)].sort());
    }
    expect(copartitionedAssignment([], { a: [0] })).toEqual({});
  });

  it('encodes assignments kafkajs can decode', async () => {
    const cluster = { findTopicPartitionMetadata: (topic: string) => (topic === 'x' ? [0, 1, 2] : [0, 1, 2]).map((partitionId) => ({ partitionId })) } as unknown as Cluster;
    const assigner = copartitionedAssigner({ cluster, groupId: 'g', logger: undefined as never });
    const result = await assigner.assign({ members: [{ memberId: 'one', memberMetadata: Buffer.alloc(0) }, { memberId: 'two', memberMetadata: Buffer.alloc(0) }], topics: ['x', 'y'] });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment]));
    expect(decoded).toEqual({ one: { x: [0, 2], y: [0, 2] }, two: { x: [1], y: [1] } });
    const protocol = assigner.protocol({ topics: ['x', 'y'] });
    expect(AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.topics).toEqual(['x', 'y']);
  });
});
