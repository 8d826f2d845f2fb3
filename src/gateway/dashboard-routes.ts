import type { FastifyInstance } from 'fastify';
import { DASHBOARD_HTML } from './dashboard/dashboard-page.js';
import type { GatewayMonitor } from './gateway-monitor.js';

/**
 * GET /: the dashboard, one static page (inline CSS and JS, no build step)
 * that polls GET /api/stats, the JSON of the monitor's rolling window plus
 * pool use, memory and uptime. The page is a TypeScript string module, so it
 * works the same from src (tsx) and from dist (tsc).
 */
export function registerDashboardRoutes(
  app: FastifyInstance,
  monitor: GatewayMonitor,
  auth: { tenants: number; authRequired: boolean },
  /** The spend of every instance (from the `spend` table), shown beside this instance's figures. */
  spend?: () => Promise<object>,
): void {
  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
      .send(DASHBOARD_HTML),
  );
  app.get('/api/stats', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ ...monitor.stats(auth), ...(spend ? { spend: await spend().catch(() => null) } : {}) }),
  );
}
