import type { FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import { openAIErrorBody } from '../wire/error-mapping.js';
import { openModelStream } from './model-stream.js';
import { createOpenAIChunkBuilder, fromOpenAIChatRequest, toOpenAIChatCompletion } from '../wire/openai-wire-convert.js';
import { openAIChatRequestSchema } from '../wire/openai-wire-schemas.js';
import { chatRequestFor, finishCall, outcomeOf, sendNative, type GatewayRouteConfig } from './route-support.js';
import { sseEvent } from './sse-writer.js';
import { sendModelStream } from './stream-response.js';
import { validateBody } from './validate-body.js';
import { fanOutChoices, takesChoiceCount } from './fan-out-choices.js';
import { sendFannedOutStream } from './fan-out-stream.js';

/**
 * POST /v1/chat/completions: OpenAI Chat Completions, non-streamed or as
 * `chat.completion.chunk` SSE ending in `data: [DONE]` (with a usage chunk
 * when `stream_options.include_usage`). An OpenAI-wire upstream gets the
 * caller's body verbatim and its answer comes back verbatim (same-wire
 * passthrough, see WireRequest); other providers go through the neutral
 * settings, `n` > 1 fanned out as n calls (n streams merged, streamed).
 */
export function registerOpenAIChatRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };
  app.post('/v1/chat/completions', { config }, async (request, reply) => {
    const body = validateBody(openAIChatRequestSchema, request.body);
    if ((body.n ?? 1) > 1 && !takesChoiceCount(ai, body.model)) {
      request.gatewayCall.beginModelCall(body.stream ? 'stream' : 'chat', body.model);
      if (body.stream) return sendFannedOutStream(ai, request, reply, body);
      const { responses, completion } = await fanOutChoices(ai, request, body);
      const outcome = outcomeOf(responses[0]);
      const usage = { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens, totalTokens: completion.usage.total_tokens };
      const cost = responses.every((response) => response.cost !== null) ? responses.reduce((sum, response) => sum + (response.cost ?? 0), 0) : null;
      return reply.headers(finishCall(request, { ...outcome, usage, cost })).send(completion);
    }
    const chatRequest = chatRequestFor(request, body.model, fromOpenAIChatRequest(body));
    request.gatewayCall.beginModelCall(body.stream ? 'stream' : 'chat', body.model);
    if (!body.stream) {
      const response = await ai.chat(chatRequest, { parent: request.gatewayCall.parent() });
      // Same wire: the upstream's own body, every field it answered (logprobs, refusal, annotations, n choices...), as sent when the text is at hand.
      reply.headers(finishCall(request, outcomeOf(response)));
      return response.native?.format === 'openai-chat' ? sendNative(reply, response.native) : reply.send(toOpenAIChatCompletion(response));
    }
    const includeUsage = body.stream_options?.include_usage === true;
    return sendModelStream(request, reply, await openModelStream(ai, chatRequest, { parent: request.gatewayCall.parent() }), (identity) => {
      const chunks = createOpenAIChunkBuilder({ id: `chatcmpl-${request.id}`, model: identity.model, includeUsage });
      return {
        start: () => sseEvent(chunks.start()),
        part: (part) => sseEvent(chunks.delta(part)),
        finish: (part) => sseEvent(chunks.finish(part)) + (includeUsage ? sseEvent(chunks.usage(part)) : '') + sseEvent('[DONE]'),
        nativeEnd: () => sseEvent('[DONE]'),
        error: (error) => sseEvent(openAIErrorBody(error)),
      };
    });
  });
}
