import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

/** One node of a test cluster. */
export interface ClusterNode {
  port: number;
  process: ChildProcess;
}

/** A private Redis Cluster on loopback: 3 masters and 3 replicas, files in a temp dir. */
export interface TestRedisCluster {
  /** `127.0.0.1:P` of every node, the value of `SWITCHYARD_REDIS_CLUSTER_NODES`. */
  seeds: string;
  nodes: ClusterNode[];
  /** The port of the master serving `key`'s slot now. */
  masterFor(key: string): Promise<number>;
  /** Moves `slots` slots (and their keys, with MIGRATE: clients meet ASK, then MOVED) from the master on `from` to the one on `to`. */
  reshard(from: number, to: number, slots: number): Promise<void>;
  /** Kills one node (SIGKILL) and resolves once a replica has taken over its slots and the cluster state is ok. */
  killMasterAndWaitForFailover(port: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function startNode(port: number, directory: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', join(directory, `nodes-${port}.conf`),
      // A killed master is replaced fast: the test waits for its failover.
      '--cluster-node-timeout', '1000',
      '--dir', directory,
      '--save', '',
      '--appendonly', 'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code}: ${output}`)));
  });
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${output}`))));
  });
}

async function clusterInfo(port: number): Promise<string> {
  return run('redis-cli', ['-p', String(port), 'cluster', 'info']);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Whether every live node reports `cluster_state:ok` and `slots`; checks each node's own view. */
async function isHealthy(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const info = await clusterInfo(port);
    if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) return false;
  }
  return true;
}

/** Whether every replica among `ports` has its link to its master up. */
async function replicasInSync(ports: number[]): Promise<boolean> {
  let replicas = 0;
  for (const port of ports) {
    const info = await run('redis-cli', ['-p', String(port), 'info', 'replication']);
    if (!info.includes('role:slave')) continue;
    replicas += 1;
    if (!info.includes('master_link_status:up')) return false;
  }
  return replicas === ports.length / 2;
}

/** Whether every live node sees `port` as failed and holding no slots. */
async function hasFailedOver(ports: number[], port: number): Promise<boolean> {
  for (const live of ports) {
    const nodes = await run('redis-cli', ['-p', String(live), 'cluster', 'nodes']);
    const line = nodes.split('\n').find((entry) => entry.includes(`:${port}@`));
    if (line === undefined || !line.split(' ')[2].includes('fail') || line.split(' ').length > 8) return false;
  }
  return true;
}

/**
 * Starts six `redis-server --cluster-enabled yes` on `basePort`..`basePort+5`
 * (bus ports +10000), joins them with `redis-cli --cluster create
 * --cluster-replicas 1 --cluster-yes`, and waits until every node says the
 * cluster is ok. Each test file uses its own `basePort` (in 17400-17499), so
 * files running at once never share a cluster.
 */
export async function startRedisCluster(basePort: number): Promise<TestRedisCluster> {
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-cluster-'));
  const ports = Array.from({ length: 6 }, (_, index) => basePort + index);
  const nodes: ClusterNode[] = [];
  const alive = new Set(ports);
  try {
    for (const port of ports) nodes.push({ port, process: await startNode(port, directory) });
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await waitFor(() => isHealthy(ports), 20_000, 'the cluster to be ok');
    // A replica that never synced would not take over (its data counts as too old): wait for every link.
    await waitFor(() => replicasInSync(ports), 20_000, 'the replicas to sync');
  } catch (error) {
    await Promise.all(nodes.map((node) => kill(node.process)));
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
    nodes,
    async masterFor(key) {
      const client = createClient({ socket: { host: '127.0.0.1', port: [...alive][0] } });
      await client.connect();
      try {
        const slot = Number(await client.sendCommand(['CLUSTER', 'KEYSLOT', key]));
        const shards = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as unknown as Array<[number, number, [string, number]]>;
        const shard = shards.find(([from, to]) => slot >= Number(from) && slot <= Number(to));
        if (!shard) throw new Error(`no shard for slot ${slot}`);
        return Number(shard[2][1]);
      } finally {
        await client.close();
      }
    },
    async reshard(from, to, slots) {
      const idOf = async (port: number) => (await run('redis-cli', ['-p', String(port), 'cluster', 'myid'])).trim();
      const [fromId, toId] = await Promise.all([idOf(from), idOf(to)]);
      await run('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${from}`, '--cluster-from', fromId, '--cluster-to', toId, '--cluster-slots', String(slots), '--cluster-yes']);
      await waitFor(() => isHealthy([...alive]), 20_000, 'the cluster to be ok after resharding');
    },
    async killMasterAndWaitForFailover(port, timeoutMs = 20_000) {
      const node = nodes.find((candidate) => candidate.port === port);
      if (!node) throw new Error(`no node on ${port}`);
      alive.delete(port);
      await kill(node.process);
      // Healthy again once the others have marked it failed and a replica serves its slots.
      await waitFor(async () => (await hasFailedOver([...alive], port)) && (await isHealthy([...alive])), timeoutMs, `a replica to take over from ${port}`);
    },
    async stop() {
      await Promise.all(nodes.map((node) => kill(node.process)));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
