import type { FastifyInstance } from 'fastify';
import type { GatewayMonitor } from './gateway-monitor.js';

/** GET /metrics: every `switchyard_*` metric in the Prometheus text format. */
export function registerMetricsRoute(app: FastifyInstance, monitor: GatewayMonitor): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await monitor.observability.metricsText();
    return reply.type(monitor.observability.contentType).send(text);
  });
}
