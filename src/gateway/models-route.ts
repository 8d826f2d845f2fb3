import type { FastifyInstance } from 'fastify';
import { isModelAllowed } from '../access/model-access.js';
import type { Switchyard } from '../client/types.js';
import { toOpenAIModelList } from '../wire/openai-wire-convert.js';
import type { GatewayRouteConfig } from './route-support.js';

/** GET /v1/models: the catalog of every enabled provider, in OpenAI's list shape (ids are `provider/model`), only those the key may use. */
export function registerModelsRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };
  app.get('/v1/models', { config }, async (request, reply) => {
    const identity = request.identity;
    // Only the models the key may use.
    const models = (await ai.models()).filter((model) => identity === null || identity.models.length === 0 || isModelAllowed(identity.models, model.id));
    return reply.header('x-request-id', request.id).send(toOpenAIModelList(models));
  });
}
