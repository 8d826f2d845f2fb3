import type { FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import { fromAnthropicRequest } from '../wire/anthropic-wire-convert.js';
import { anthropicCountTokensRequestSchema } from '../wire/anthropic-wire-schemas.js';
import { chatRequestFor, type GatewayRouteConfig } from './route-support.js';
import { validateBody } from './validate-body.js';

/**
 * POST /v1/messages/count_tokens: Anthropic's token counting, `{ input_tokens }`.
 * Counted by the provider where it can (an Anthropic model: the caller's body
 * passed through), estimated elsewhere; `x-switchyard-token-count` says which
 * (`counted` or `estimated`).
 */
export function registerCountTokensRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'anthropic', authenticated: true };
  app.post('/v1/messages/count_tokens', { config }, async (request, reply) => {
    const body = validateBody(anthropicCountTokensRequestSchema, request.body);
    // Counting needs no max_tokens; the neutral request does (it is never sent to count_tokens).
    const settings = fromAnthropicRequest({ ...body, max_tokens: 1 });
    const counted = await ai.countTokens(chatRequestFor(request, body.model, settings));
    return reply
      .headers({ 'x-request-id': request.id, 'x-switchyard-token-count': counted.estimated ? 'estimated' : 'counted', 'x-switchyard-provider': counted.provider, 'x-switchyard-model': counted.model })
      .send({ input_tokens: counted.tokens });
  });
}
