import { createCluster } from 'redis';
import type { RedisPubSubLike } from './redis-like.js';
import type { RedisClientOptions } from './redis-client.js';

/** A seed node of a cluster: `host:port`. */
export interface ClusterSeed {
  host: string;
  port: number;
}

/** The cluster state `/readyz` reports, from CLUSTER INFO: its state, slots served, masters serving slots and nodes known. */
export interface ClusterState {
  state: string;
  slotsOk: number;
  slotsFail: number;
  /** Masters that serve at least one slot. */
  size: number;
  /** Every node the cluster knows, replicas and failed nodes included. */
  knownNodes: number;
  /** Masters in this client's view of the topology, and how many of them answered a PING. */
  clientMasters: number;
  clientMastersReachable: number;
}

/** A cluster client in the shape every Redis user in Switchyard takes, plus the cluster's state. */
export interface RedisClusterLike extends RedisPubSubLike {
  readonly cluster: true;
  clusterState(): Promise<ClusterState>;
}


/**
 * A node-redis Cluster client set up like {@link createRedisClient}'s single
 * node (not connected until first use, commands fail fast while a node is
 * unreachable, capped reconnect backoff), presented as a `RedisPubSubLike`:
 * - each command goes to the master of its key's slot; `MOVED`/`ASK` are
 *   followed by node-redis (up to 16 redirections), and a node that stops
 *   answering makes it re-read the topology after 300 ms of reconnecting, so
 *   a replica promoted by a failover is used as soon as it serves;
 * - `publish`/`subscribe` are the sharded SPUBLISH/SSUBSCRIBE: a message goes
 *   to the shard that owns the channel's slot, not to every node;
 * - `scanIterator` walks every master in turn; `del` of several keys deletes
 *   them one by one, as they may live in different slots.
 * Scripts and transactions must keep all their keys in one slot (one hash tag).
 */
export function createRedisClusterClient(seeds: ClusterSeed[], options: RedisClientOptions = {}): RedisClusterLike {
  const cluster = openCluster(seeds, options.maxReconnectDelayMs ?? 2_000);
  cluster.on('error', (error: Error) => options.onError?.(error));
  return wrapCluster(cluster, options);
}

function openCluster(seeds: ClusterSeed[], maxDelay: number) {
  return createCluster({
    rootNodes: seeds.map((seed) => ({ socket: { host: seed.host, port: seed.port } })),
    defaults: {
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay) + Math.floor(Math.random() * 50),
      },
    },
    maxCommandRedirections: 16,
    // No per-command timer (node-redis's cluster default arms an AbortSignal.timeout for every command, a third of the
    // client's CPU per command): every caller bounds its own wait (the timed cache layers, the lock, the limiter).
    commandOptions: { timeout: 0 },
    topologyRefreshOnReconnectionAttemptStrategy: 300,
  });
}

/** Whether `client` is a cluster client from {@link createRedisClusterClient}. */
export function isRedisCluster(client: RedisPubSubLike): client is RedisClusterLike {
  return (client as Partial<RedisClusterLike>).cluster === true;
}

type Cluster = ReturnType<typeof openCluster>;

function wrapCluster(cluster: Cluster, options: RedisClientOptions): RedisClusterLike {
  return {
    cluster: true,
    get isOpen() {
      return cluster.isOpen;
    },
    get isReady() {
      return cluster.isReady;
    },
    connect: () => cluster.connect(),
    get: (key) => cluster.get(key),
    set: (key, value, setOptions) => cluster.set(key, value, setOptions),
    pTTL: (key) => cluster.pTTL(key),
    async del(keys) {
      if (!Array.isArray(keys)) return cluster.del(keys);
      const counts = await Promise.all(keys.map((key) => cluster.del(key)));
      return counts.reduce((sum, count) => sum + Number(count), 0);
    },
    async *scanIterator(scanOptions) {
      for (const master of cluster.masters) {
        const node = await cluster.nodeClient(master);
        yield* node.scanIterator(scanOptions);
      }
    },
    eval: (script, evalOptions) => cluster.eval(script, evalOptions),
    evalSha: (sha, evalOptions) => cluster.evalSha(sha, evalOptions),
    publish: (channel, message) => cluster.sPublish(channel, message),
    subscribe: (channel, listener) => cluster.sSubscribe(channel, listener),
    duplicate: () => {
      const copy = cluster.duplicate({ minimizeConnections: true });
      copy.on('error', (error: Error) => options.onError?.(error));
      return wrapCluster(copy, options);
    },
    on(event, listener) {
      cluster.on(event, listener);
      return this;
    },
    close: () => cluster.close(),
    destroy: () => cluster.destroy(),
    async clusterState() {
      // Every master this client would send to must answer: a stale topology (a failed-over master still in it) is not ready.
      const reachable = await Promise.all(
        cluster.masters.map(async (master) => {
          try {
            const node = await cluster.nodeClient(master);
            await node.ping();
            return node;
          } catch {
            return undefined;
          }
        }),
      );
      const answering = reachable.filter((node) => node !== undefined);
      if (answering.length === 0) throw new Error('no master of the cluster answers');
      const info = String(await answering[0].sendCommand(['CLUSTER', 'INFO']));
      const read = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
      return {
        state: read('cluster_state') ?? 'unknown',
        slotsOk: Number(read('cluster_slots_ok') ?? 0),
        slotsFail: Number(read('cluster_slots_fail') ?? 0) + Number(read('cluster_slots_pfail') ?? 0),
        size: Number(read('cluster_size') ?? 0),
        knownNodes: Number(read('cluster_known_nodes') ?? 0),
        clientMasters: cluster.masters.length,
        clientMastersReachable: answering.length,
      };
    },
  };
}
