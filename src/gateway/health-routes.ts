import type { FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import { scrubSecrets } from '../observability/redaction.js';

/**
 * GET /healthz: liveness (the process answers). GET /readyz: readiness, with
 * each dependency's state (database, and Redis when configured; for a Redis
 * Cluster also `redisCluster` with CLUSTER INFO's state, slots, size and known
 * nodes); 503 when
 * one is down, or while the gateway is shutting down. Details are
 * secret-scrubbed.
 */
export function registerHealthRoutes(app: FastifyInstance, ai: Switchyard, isClosing: () => boolean): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const states = await ai.services.health();
    const dependencies = Object.fromEntries(
      Object.entries(states).map(([name, state]) => [
        name,
        {
          ...(state.ok ? { status: 'up' } : { status: 'down', detail: scrubSecrets(state.detail ?? 'unavailable') }),
          ...(state.cluster ? { cluster: state.cluster } : {}),
        },
      ]),
    );
    const ready = !isClosing() && Object.values(states).every((state) => state.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : isClosing() ? 'closing' : 'unavailable', dependencies });
  });
}
