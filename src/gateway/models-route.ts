import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isModelAllowed } from '../access/model-access.js';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import type { ModelInfo } from '../spec/response.js';
import { toAnthropicModel, toAnthropicModelPage } from '../wire/anthropic-wire-convert.js';
import { toOpenAIModel, toOpenAIModelList } from '../wire/openai-wire-convert.js';
import { prefersAnthropic, type GatewayRouteConfig } from './route-support.js';

/** The catalog of every enabled provider, only the models the request's key may use. */
async function allowedModels(ai: Switchyard, request: FastifyRequest): Promise<ModelInfo[]> {
  const identity = request.identity;
  return (await ai.models()).filter((model) => identity === null || identity.models.length === 0 || isModelAllowed(identity.models, model.id));
}

function positiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

/**
 * GET /v1/models and GET /v1/models/{id} (ids are `provider/model`), only
 * the models the key may use: in OpenAI's shapes, or in Anthropic's (a page
 * with `has_more`, `first_id`, `last_id`; `limit` and `after_id` honoured)
 * when the request comes from an Anthropic client (`anthropic-version`, or
 * `x-api-key` without `Authorization`). An unknown id is 404 `model_not_found`.
 */
export function registerModelsRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'by-headers', authenticated: true };
  app.get('/v1/models', { config }, async (request, reply) => {
    const models = await allowedModels(ai, request);
    const query = request.query as Record<string, unknown>;
    const body = prefersAnthropic(request.headers)
      ? toAnthropicModelPage(models, { limit: positiveInteger(query.limit), afterId: typeof query.after_id === 'string' ? query.after_id : undefined })
      : toOpenAIModelList(models);
    return reply.header('x-request-id', request.id).send(body);
  });
  app.get('/v1/models/*', { config }, async (request, reply) => {
    const id = decodeURIComponent((request.params as { '*': string })['*']);
    const model = (await allowedModels(ai, request)).find((entry) => entry.id === id);
    if (!model) throw new SwitchyardError({ code: 'model_not_found', status: 404, param: 'model', message: `unknown model "${id}"` });
    return reply.header('x-request-id', request.id).send(prefersAnthropic(request.headers) ? toAnthropicModel(model) : toOpenAIModel(model));
  });
}
