/**
 * The coordinators a transactional producer talks to, remembered instead of asked for again.
 *
 * kafkajs 2.2.4's transactional producer asks the cluster for its transaction coordinator before each
 * AddPartitionsToTxn, AddOffsetsToTxn and EndTxn, and for the consumer group's coordinator before each
 * TxnOffsetCommit: four FindCoordinator round trips in every transaction, for answers that change only
 * when a coordinator moves. Once installed, a kafkajs cluster that has asked for a transaction
 * coordinator (a transactional producer's: no consumer or admin client asks for one) remembers the
 * node each coordinator answered from, and finds that broker in its pool on the next ask.
 *
 * What a moved coordinator costs is what it cost before: a request to a remembered coordinator that
 * fails forgets it, so kafkajs's own retries, and every later ask, look it up again; so does a
 * remembered node that the cluster no longer knows. The engine also drops a producer whose
 * transaction failed (PartitionTransactions), and the cluster with its memory.
 *
 * `installCoordinatorCache()` patches kafkajs's Cluster class for the whole process, at any time
 * (kafkajs looks the method up on each call). It refuses, and says why, for another kafkajs version.
 */
import { patchKafkajs, type PatchOutcome } from '../kafkajs-patch.js';

/** kafkajs's coordinator types (src/protocol/coordinatorTypes.js). */
export const COORDINATOR_TYPES = { GROUP: 0, TRANSACTION: 1 } as const;
/** On the method put in kafkajs's place: the one it replaced. */
export const COORDINATOR_CACHE_MARK = Symbol.for('vigil.coordinatorCache');

export interface CoordinatorQuery {
  readonly groupId: string;
  readonly coordinatorType?: number;
}

/** What the patch needs of a kafkajs cluster and its brokers. */
export interface CoordinatorCluster {
  findGroupCoordinator(query: CoordinatorQuery): Promise<object>;
  findBroker(query: { nodeId: number }): Promise<object>;
}

type Find = (this: CoordinatorCluster, query: CoordinatorQuery) => Promise<object>;

/** Per cluster that asked for a transaction coordinator: the node of each coordinator, by type and id. */
const remembered = new WeakMap<object, Map<string, number>>();

/**
 * `findGroupCoordinator` over `original` (kafkajs's): remembered for transactional clusters, with the
 * brokers it gives forgetting their entry when a request to them fails.
 */
export function rememberingFind(original: Find): Find {
  return async function findGroupCoordinator(this: CoordinatorCluster, query: CoordinatorQuery): Promise<object> {
    const type = query.coordinatorType ?? COORDINATOR_TYPES.GROUP;
    let nodes = remembered.get(this);
    if (nodes === undefined && type === COORDINATOR_TYPES.TRANSACTION) {
      nodes = new Map();
      remembered.set(this, nodes);
    }
    if (nodes === undefined) return original.call(this, query);
    const key = `${type}\u0000${query.groupId}`;
    let node = nodes.get(key);
    const forget = (): void => {
      if (nodes.get(key) === node) nodes.delete(key);
    };
    if (node !== undefined) {
      try {
        const broker = await this.findBroker({ nodeId: node });
        return forgettingOnFailure(broker, forget);
      } catch {
        forget(); // the node is gone from the cluster: ask again
      }
    }
    const broker = await original.call(this, query);
    const nodeId = (broker as { nodeId?: unknown }).nodeId;
    if (typeof nodeId !== 'number') return broker;
    node = nodeId;
    nodes.set(key, node);
    return forgettingOnFailure(broker, forget);
  };
}

/** `broker`, with each of its methods calling `forget` when it throws or its promise rejects. */
function forgettingOnFailure(broker: object, forget: () => void): object {
  return new Proxy(broker, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return function (...args: unknown[]): unknown {
        let result: unknown;
        try {
          result = Reflect.apply(value, target, args);
        } catch (error) {
          forget();
          throw error;
        }
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            forget();
            throw error;
          });
        }
        return result;
      };
    },
  });
}

export type CoordinatorCacheOutcome = PatchOutcome;

let outcome: CoordinatorCacheOutcome | undefined;

/** Puts the remembering lookup in kafkajs's Cluster for this process (once; later calls return the first outcome). */
export function installCoordinatorCache(): CoordinatorCacheOutcome {
  outcome ??= patchCluster();
  return outcome;
}

function patchCluster(): CoordinatorCacheOutcome {
  return patchKafkajs('the coordinator cache', (require) => {
    const Cluster = require('kafkajs/src/cluster/index.js') as { prototype: { findGroupCoordinator: Find & { [COORDINATOR_CACHE_MARK]?: Find } } };
    const current = Cluster.prototype.findGroupCoordinator;
    if (typeof current !== 'function') return { installed: false, reason: 'kafkajs Cluster has no findGroupCoordinator' };
    if (current[COORDINATOR_CACHE_MARK] !== undefined) return { installed: true };
    const replacement = rememberingFind(current);
    Object.defineProperty(replacement, COORDINATOR_CACHE_MARK, { value: current });
    Cluster.prototype.findGroupCoordinator = replacement;
    return { installed: true };
  });
}
