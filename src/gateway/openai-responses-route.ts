import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveTargets } from '../client/model-resolver.js';
import type { Switchyard } from '../client/types.js';
import type { ResponseStore } from '../store/stored-responses.js';
import { fromResponsesRequest } from '../wire/openai-responses-convert.js';
import { createResponsesEventWriter, type ResponsesEvent } from '../wire/openai-responses-events.js';
import { newResponseId, toResponsesObject, type ResponsesIdentity, type ResponsesObject } from '../wire/openai-responses-output.js';
import { responsesRequestSchema, type ResponsesRequest } from '../wire/openai-responses-schemas.js';
import { openModelStream } from './model-stream.js';
import {
  createResponsesStoreAccess,
  inputItemsOf,
  loadConversation,
  resolveItemReferences,
  responseNotFound,
  type ResponsesConversation,
} from './responses-conversation.js';
import { chatRequestFor, finishCall, outcomeOf, type GatewayRouteConfig } from './route-support.js';
import { sseEvent } from './sse-writer.js';
import { sendModelStream } from './stream-response.js';
import { validateBody } from './validate-body.js';

/** Responses events as SSE, each named by its type. */
function encode(events: ResponsesEvent[]): string {
  let text = '';
  for (const event of events) text += sseEvent(event, event.type);
  return text;
}

/** What one POST needs to answer and to store its response. */
interface ResponsesCall {
  body: ResponsesRequest;
  raw: Record<string, unknown>;
  conversation: ResponsesConversation;
  store: () => Promise<ResponseStore>;
}

/** Keeps the response for the tenant unless the request said `store: false`. */
async function keep(request: FastifyRequest, call: ResponsesCall, provider: string, response: ResponsesObject): Promise<void> {
  if (call.body.store === false) return;
  await (await call.store()).save({
    id: response.id,
    tenant: request.tenant,
    provider,
    model: response.model,
    native: false,
    input: [...call.conversation.items, ...inputItemsOf(call.raw)],
    response,
  });
}

/**
 * Serves a Responses request with the chat pipeline (any provider): the
 * conversation and input become a neutral chat request; the answer (or the
 * stream's parts) becomes the `response` object (or the Responses events).
 */
async function answerWithChat(ai: Switchyard, request: FastifyRequest, reply: FastifyReply, call: ResponsesCall, provider: string): Promise<unknown> {
  const { body, raw } = call;
  const settings = fromResponsesRequest(body, raw, { items: call.conversation.parsed }, provider);
  const chatRequest = chatRequestFor(request, reply, body.model, settings);
  const identity: ResponsesIdentity = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), model: body.model, request: body };
  request.gatewayCall.beginModelCall(body.stream ? 'stream' : 'chat', body.model);
  if (!body.stream) {
    const response = await ai.chat(chatRequest, { parent: request.gatewayCall.parent() });
    const object = toResponsesObject({ ...identity, model: response.model }, response);
    await keep(request, call, response.provider, object);
    return reply.headers(finishCall(request, outcomeOf(response))).send(object);
  }
  return sendModelStream(request, reply, await openModelStream(ai, chatRequest, { parent: request.gatewayCall.parent() }), (streamIdentity) => {
    const writer = createResponsesEventWriter({ ...identity, model: streamIdentity.model });
    return {
      start: () => encode(writer.start()),
      part: (part) => encode(writer.part(part)),
      async finish(part) {
        const end = writer.finish(part);
        await keep(request, call, part.provider ?? streamIdentity.provider, end.response);
        return encode(end.events);
      },
      // The chat pipeline's request carries no wire body, so its stream is never a native passthrough.
      nativeEnd: () => '',
      error: (error) => encode(writer.error(error)),
    };
  });
}

/**
 * POST /v1/responses (OpenAI Responses API, streamed or not), GET and DELETE
 * /v1/responses/{id} (the tenant's stored responses). Every provider serves
 * it through the chat pipeline.
 */
export function registerOpenAIResponsesRoutes(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };
  const store = createResponsesStoreAccess(ai);

  app.post('/v1/responses', { config }, async (request, reply) => {
    const sent = request.body as Record<string, unknown>;
    const checked = validateBody(responsesRequestSchema, sent);
    const targets = resolveTargets(checked.model, ai.config);
    // The chat pipeline needs every item itself: references to stored output items are replaced by them (1:1, so paths stay).
    const input = await resolveItemReferences(sent.input, store, request.tenant);
    const raw = input === sent.input ? sent : { ...sent, input };
    const body = raw === sent ? checked : validateBody(responsesRequestSchema, raw);
    const conversation = await loadConversation(store, body, request.tenant);
    return answerWithChat(ai, request, reply, { body, raw, conversation, store }, targets[0].provider);
  });

  app.get<{ Params: { id: string } }>('/v1/responses/:id', { config }, async (request) => {
    const stored = await (await store()).get(request.params.id, request.tenant);
    if (!stored) throw responseNotFound(request.params.id);
    return stored.response;
  });

  app.delete<{ Params: { id: string } }>('/v1/responses/:id', { config }, async (request) => {
    if (!(await (await store()).delete(request.params.id, request.tenant))) throw responseNotFound(request.params.id);
    return { id: request.params.id, object: 'response', deleted: true };
  });
}
