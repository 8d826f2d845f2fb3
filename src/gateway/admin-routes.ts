import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidModelPatterns } from '../access/model-access.js';
import { createKey, listKeys, revokeKey } from '../access/key-store.js';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import { spendReport } from '../spend/spend-store.js';
import type { AccessControl } from './access-control.js';
import type { GatewayRouteConfig } from './route-support.js';
import { validateBody } from './validate-body.js';

const positiveInteger = z.number().int().positive();

/** The body of POST /admin/keys. */
export const newKeySchema = z.strictObject({
  tenant: z.string().min(1).max(200),
  name: z.string().min(1).max(200).optional(),
  rpm: positiveInteger.optional(),
  tpm: positiveInteger.optional(),
  concurrency: positiveInteger.optional(),
  budgetUsd: z.number().min(0).optional(),
  budgetPeriod: z.enum(['day', 'month', 'total']).optional(),
  models: z
    .array(z.string())
    .max(100)
    .optional()
    .refine((models) => models === undefined || invalidModelPatterns(models).length === 0, 'each model pattern is `provider/model`, `provider/*` or `*`'),
  expiresAt: z.iso.datetime().optional(),
});

const spendQuerySchema = z.strictObject({
  tenant: z.string().min(1).optional(),
  by: z.enum(['tenant', 'key', 'model', 'day']).optional(),
});

const keyQuerySchema = z.strictObject({ tenant: z.string().min(1).optional() });

/**
 * The admin API (the admin key is checked by the access hooks):
 * POST /admin/keys creates a key and returns it once; GET /admin/keys lists
 * keys (id, name, tenant, limits: never the key or its hash);
 * DELETE /admin/keys/{id} revokes one (every instance refuses it within a
 * second); GET /admin/spend sums the `spend` table by tenant, key, model or day.
 */
export function registerAdminRoutes(app: FastifyInstance, ai: Switchyard, access: AccessControl): void {
  const config: GatewayRouteConfig = { wire: 'openai' };
  const database = async () => (await ai.services.database()).db;

  app.post('/admin/keys', { config }, async (request, reply) => {
    const body = validateBody(newKeySchema, request.body);
    const { expiresAt, ...rest } = body;
    const created = await createKey(await database(), { ...rest, ...(expiresAt ? { expiresAt: Date.parse(expiresAt) } : {}) });
    await access.directory.refresh(); // the first stored key makes keys required here at once
    return reply.code(201).header('cache-control', 'no-store').send({ ...created.record, key: created.key });
  });

  app.get('/admin/keys', { config }, async (request, reply) => {
    const query = validateBody(keyQuerySchema, request.query);
    return reply.send({ object: 'list', data: await listKeys(await database(), query) });
  });

  app.delete('/admin/keys/:id', { config }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const record = await revokeKey(await database(), id);
    if (!record) throw new SwitchyardError({ code: 'not_found', status: 404, message: `no key with id "${id}"` });
    await access.directory.refresh();
    return reply.send({ ...record, revoked: true });
  });

  app.get('/admin/spend', { config }, async (request, reply) => {
    const query = validateBody(spendQuerySchema, request.query);
    await access.spend.flush();
    const by = query.by ?? 'tenant';
    return reply.send({ object: 'list', by, data: await spendReport(await database(), { by, tenant: query.tenant }) });
  });
}
