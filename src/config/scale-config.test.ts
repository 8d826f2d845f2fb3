import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

function load(env: NodeJS.ProcessEnv, options?: NonNullable<Parameters<typeof loadConfig>[0]>['options']) {
  return loadConfig({ env: { SWITCHYARD_CONFIG: '', ...env }, configFile: '', options });
}

const providers = {
  east: { type: 'openai-compatible' as const, baseURL: 'http://east.example/v1' },
  west: { type: 'openai-compatible' as const, baseURL: 'http://west.example/v1' },
};

describe('scale-out configuration', () => {
  it('reads SWITCHYARD_REDIS_CLUSTER_NODES as seed nodes, which take the place of the Redis URL', () => {
    const config = load({ SWITCHYARD_REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002', SWITCHYARD_REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.redisUrl).toBeUndefined();
    expect(config.warnings).toContain('both a Redis URL and Redis Cluster nodes are set; using the cluster');
    expect(() => load({ SWITCHYARD_REDIS_CLUSTER_NODES: 'host-without-port,10.0.0.1:99999' })).toThrow(/redisClusterNodes: "host-without-port" is not host:port[\s\S]*"10.0.0.1:99999" is not host:port/);
  });

  it('resolves a balanced route with its defaults, and lists its members for fallback', () => {
    const config = load({}, { providers, routes: { llama: { deployments: [{ model: 'east/llama', weight: 3 }, { model: 'west/llama' }], fallbacks: ['mock/echo'] } } });
    expect(config.balancedRoutes.llama).toEqual({
      name: 'llama',
      strategy: 'weighted',
      deployments: [
        { model: 'east/llama', weight: 3 },
        { model: 'west/llama', weight: 1 },
      ],
      fallbacks: ['mock/echo'],
      cooldown: { failures: 5, seconds: 30 },
    });
    expect(config.routes.llama).toEqual(['east/llama', 'west/llama', 'mock/echo']);
  });

  it('names each bad field of a balanced route', () => {
    expect(() =>
      load({}, { providers, routes: { llama: { strategy: 'fastest' as never, deployments: [{ model: 'east/llama', weight: -1 }], cooldown: { failures: 0 } } } }),
    ).toThrow(/routes\.llama/);
    expect(() => load({}, { providers, routes: { llama: { deployments: [{ model: 'nowhere/llama' }, { model: 'east/llama' }, { model: 'east/llama' }] } } })).toThrow(
      /routes\.llama\.deployments\.0\.model: unknown or disabled provider "nowhere"[\s\S]*routes\.llama\.deployments\.2\.model: "east\/llama" is listed twice/,
    );
  });
});
