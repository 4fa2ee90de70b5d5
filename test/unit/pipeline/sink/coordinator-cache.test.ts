import { describe, expect, it } from 'vitest';
import { COORDINATOR_TYPES, rememberingFind, type CoordinatorCluster, type CoordinatorQuery } from '../../../../src/pipeline/sink/coordinator-cache.js';

/** A broker of the stand-in cluster: `endTxn` fails while `failing` is set. */
class Broker {
  failing = false;
  constructor(readonly nodeId: number) {}
  async endTxn(): Promise<string> {
    if (this.failing) throw new Error(`NOT_COORDINATOR at node ${this.nodeId}`);
    return `ended at ${this.nodeId}`;
  }
  describe(): string {
    if (this.failing) throw new Error('broken');
    return `node ${this.nodeId}`;
  }
}

/** Just the lookup logic of a cluster: which node coordinates what, and which nodes it knows. */
class Cluster implements CoordinatorCluster {
  readonly brokers = new Map([1, 2, 3].map((id) => [id, new Broker(id)]));
  coordinator = 1;
  asked = 0;
  readonly findGroupCoordinator = rememberingFind(async function (this: CoordinatorCluster, _query: CoordinatorQuery) {
    const cluster = this as Cluster;
    cluster.asked++;
    return cluster.findBroker({ nodeId: cluster.coordinator });
  });

  async findBroker({ nodeId }: { nodeId: number }): Promise<object> {
    const broker = this.brokers.get(nodeId);
    if (broker === undefined) throw new Error(`broker ${nodeId} not found`);
    return broker;
  }
}

const transaction = { groupId: 'vigil-engine-p0', coordinatorType: COORDINATOR_TYPES.TRANSACTION };
const group = { groupId: 'vigil-engine', coordinatorType: COORDINATOR_TYPES.GROUP };

describe('the remembering coordinator lookup', () => {
  it('asks a transactional producer\'s cluster once per coordinator, and gives the same broker after', async () => {
    const cluster = new Cluster();
    for (let i = 0; i < 5; i++) {
      const broker = (await cluster.findGroupCoordinator(transaction)) as Broker;
      expect(broker.nodeId).toBe(1);
      expect(await broker.endTxn()).toBe('ended at 1');
      await cluster.findGroupCoordinator(group);
    }
    expect(cluster.asked).toBe(2);
  });

  it('asks every time on a cluster that never asked for a transaction coordinator (consumers, admins)', async () => {
    const cluster = new Cluster();
    for (let i = 0; i < 3; i++) await cluster.findGroupCoordinator(group);
    await cluster.findGroupCoordinator({ groupId: 'g' });
    expect(cluster.asked).toBe(4);
  });

  it('forgets a coordinator a request to which failed, and asks again', async () => {
    const cluster = new Cluster();
    const first = (await cluster.findGroupCoordinator(transaction)) as Broker;
    cluster.coordinator = 2;
    cluster.brokers.get(1)!.failing = true;
    await expect(first.endTxn()).rejects.toThrow('NOT_COORDINATOR at node 1');
    const next = (await cluster.findGroupCoordinator(transaction)) as Broker;
    expect(next.nodeId).toBe(2);
    expect(cluster.asked).toBe(2);
    expect(await next.endTxn()).toBe('ended at 2');
    // A method that throws rather than rejects forgets too.
    cluster.brokers.get(2)!.failing = true;
    expect(() => next.describe()).toThrow('broken');
    cluster.brokers.get(2)!.failing = false;
    await cluster.findGroupCoordinator(transaction);
    expect(cluster.asked).toBe(3);
  });

  it('asks again when the remembered node is no longer in the cluster', async () => {
    const cluster = new Cluster();
    await cluster.findGroupCoordinator(transaction);
    cluster.brokers.delete(1);
    cluster.coordinator = 3;
    expect(((await cluster.findGroupCoordinator(transaction)) as Broker).nodeId).toBe(3);
    expect(cluster.asked).toBe(2);
  });

  it('keeps each cluster\'s coordinators to itself', async () => {
    const a = new Cluster();
    const b = new Cluster();
    b.coordinator = 2;
    await a.findGroupCoordinator(transaction);
    expect(((await b.findGroupCoordinator(transaction)) as Broker).nodeId).toBe(2);
    expect([a.asked, b.asked]).toEqual([1, 1]);
  });
});
