import type { FastifyInstance } from 'fastify';
import type { Switchyard } from '../client/types.js';
import type { ChatRequest } from '../spec/request.js';
import { createAnthropicStreamEncoder } from './anthropic-stream-events.js';
import { fromAnthropicRequest, toAnthropicMessage } from '../wire/anthropic-wire-convert.js';
import { anthropicMessagesRequestSchema } from '../wire/anthropic-wire-schemas.js';
import { anthropicErrorBody } from '../wire/error-mapping.js';
import { openModelStream } from './model-stream.js';
import { chatRequestFor, finishCall, outcomeOf, sendNative, type GatewayRouteConfig } from './route-support.js';
import { sseEvent } from './sse-writer.js';
import { sendModelStream } from './stream-response.js';
import { validateBody } from './validate-body.js';

/**
 * POST /v1/messages: Anthropic Messages, non-streamed or as Anthropic's SSE
 * event sequence. An Anthropic upstream gets the caller's body verbatim and
 * its answer comes back verbatim (same-wire passthrough, see WireRequest);
 * other providers go through the neutral settings.
 */
export function registerAnthropicMessagesRoute(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'anthropic', authenticated: true };
  app.post('/v1/messages', { config }, async (request, reply) => {
    const body = validateBody(anthropicMessagesRequestSchema, request.body);
    const chatRequest = chatRequestFor(request, body.model, fromAnthropicRequest(body));
    request.gatewayCall.beginModelCall(body.stream ? 'stream' : 'chat', body.model);
    if (!body.stream) {
      const response = await ai.chat(chatRequest, { parent: request.gatewayCall.parent() });
      // Same wire: the upstream's own message, every block and field (thinking, citations, stop_sequence, cache usage...).
      reply.headers(finishCall(request, outcomeOf(response)));
      return response.native?.format === 'anthropic-messages' ? sendNative(reply, response.native) : reply.send(toAnthropicMessage(response));
    }
    return sendModelStream(request, reply, await openModelStream(ai, chatRequest, { parent: request.gatewayCall.parent() }), (identity) => {
      const events = createAnthropicStreamEncoder({ id: `msg_${request.id.replace(/[^A-Za-z0-9]/g, '')}`, model: identity.model });
      return {
        // A live stream's input count is known at its end; message_start carries the estimate (clients such as LangChain read it there).
        start: () => events.start(identity.usage ?? { inputTokens: startEstimate(ai, chatRequest), outputTokens: 0, totalTokens: 0 }),
        part: (part) => events.part(part),
        finish: (part) => events.finish(part),
        nativeEnd: () => '',
        error: (error) => sseEvent(anthropicErrorBody(error), 'error'),
      };
    });
  });
}

/** Prompts longer than this (characters) get a characters/4 estimate in message_start: tokenizing megabytes would hold the event loop. */
const TOKENIZED_ESTIMATE_LIMIT = 64 * 1024;

/** The input-token estimate message_start carries on a live stream (the real count comes with message_delta). */
function startEstimate(ai: Switchyard, request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content ?? '').length;
  return characters > TOKENIZED_ESTIMATE_LIMIT ? Math.ceil(characters / 4) : ai.estimateTokens(request.messages, request.model).tokens;
}
