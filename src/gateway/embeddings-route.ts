import type { FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import { toOpenAIEmbeddingList } from '../wire/openai-wire-convert.js';
import { openAIEmbeddingsRequestSchema } from '../wire/openai-wire-schemas.js';
import { finishCall, type GatewayRouteConfig } from './route-support.js';
import { validateBody } from './validate-body.js';

/**
 * POST /v1/embeddings in OpenAI's shape: texts or token ids in, and every
 * field the neutral request does not model passed through (see EmbedRequest's
 * `passthrough`). Vectors go out as floats, or as
 * base64 little-endian float32 with `encoding_format: "base64"` (what the
 * official SDK asks for by default and decodes itself). Embeddings are never
 * cached: `x-switchyard-cache` is `bypass`.
 */
export function registerEmbeddingsRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };
  app.post('/v1/embeddings', { config }, async (request, reply) => {
    const body = validateBody(openAIEmbeddingsRequestSchema, request.body);
    // Every other field (`user`, and any the neutral request does not model) goes to an OpenAI-type provider verbatim; others refuse it by name.
    const { model, input, encoding_format: encoding, dimensions, ...passthrough } = body;
    request.gatewayCall.beginModelCall('embed', model);
    const response = await ai.embed(
      { model, input, dimensions, passthrough, signal: request.gatewayCall.signal },
      { parent: request.gatewayCall.parent() },
    );
    const headers = finishCall(request, {
      provider: response.provider,
      model: response.model,
      cache: 'bypass',
      usage: response.usage,
      cost: ai.cost(response.usage, response.model),
    });
    return reply.headers(headers).send(toOpenAIEmbeddingList(response, encoding ?? 'float'));
  });
}
