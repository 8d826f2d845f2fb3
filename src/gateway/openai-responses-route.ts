import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveTargets, type ModelTarget } from '../client/model-resolver.js';
import type { Switchyard } from '../client/types.js';
import type { ChatResponse } from '../spec/response.js';
import type { ResponseStore } from '../store/stored-responses.js';
import { yieldAfterLarge } from '../core/loop-turns.js';
import { fromResponsesRequest } from '../wire/openai-responses-convert.js';
import { createResponsesEventWriter, type ResponsesEvent } from '../wire/openai-responses-events.js';
import { newResponseId, toResponsesObject, type ResponsesIdentity } from '../wire/openai-responses-output.js';
import { responsesRequestSchema, type ResponsesRequest } from '../wire/openai-responses-schemas.js';
import { openModelStream } from './model-stream.js';
import { listInputItems, parseInputItemsQuery } from './responses-input-items.js';
import { createNativeEventTap, forwardedBody, nativeResponsesProviders, speaksResponsesNatively } from './responses-native.js';
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

/**
 * The closing events as SSE. Each of them repeats the whole answer (the
 * text, the part, the item, the response), so on a long answer each is
 * serialised in its own turn of the event loop.
 */
async function encodeClosing(events: ResponsesEvent[]): Promise<string> {
  let text = '';
  for (const event of events) {
    const encoded = sseEvent(event, event.type);
    text += encoded;
    await yieldAfterLarge(encoded);
  }
  return text;
}

/** What one POST needs to answer and to store its response. */
interface ResponsesCall {
  body: ResponsesRequest;
  raw: Record<string, unknown>;
  conversation: ResponsesConversation;
  store: () => Promise<ResponseStore>;
  /**
   * The call's wire body (verbatim but for a `previous_response_id` its
   * upstream never saw): what a native upstream receives, what the cache
   * key covers, and what a driver names in a refusal.
   */
  wire: Record<string, unknown>;
  /** True when every target speaks the Responses API natively: the neutral settings then only describe the call. */
  native: boolean;
}

/** Keeps a response for the tenant unless the request said `store: false`; `native` when the upstream answered it itself. */
async function keep(request: FastifyRequest, call: ResponsesCall, answer: { provider: string; native: boolean; response: Record<string, unknown> }): Promise<void> {
  if (call.body.store === false || typeof answer.response.id !== 'string') return;
  await (await call.store()).save({
    id: answer.response.id,
    tenant: request.tenant,
    provider: answer.provider,
    model: typeof answer.response.model === 'string' ? answer.response.model : call.body.model,
    native: answer.native,
    input: [...call.conversation.items, ...inputItemsOf(call.raw)],
    response: answer.response,
  });
}

/**
 * Answers a Responses request through the client: natively (the body goes
 * to an OpenAI-type upstream verbatim and its `response` object or events
 * come back unchanged), or through the chat pipeline (the conversation and
 * input become a neutral chat request; the answer, or the stream's parts,
 * become the `response` object or the Responses events). Either way the
 * response is stored for the tenant.
 */
async function answer(ai: Switchyard, request: FastifyRequest, reply: FastifyReply, call: ResponsesCall, provider: string): Promise<unknown> {
  const { body, raw } = call;
  const history = { items: call.native ? [] : call.conversation.parsed };
  const settings = fromResponsesRequest(body, raw, history, provider, { lenient: call.native });
  settings.wireRequest = { format: 'openai-responses', body: call.wire, extras: {} };
  const chatRequest = chatRequestFor(request, body.model, settings);
  const identity: ResponsesIdentity = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), model: body.model, request: body };
  request.gatewayCall.beginModelCall(body.stream ? 'stream' : 'chat', body.model);
  if (!body.stream) {
    const response: ChatResponse = await ai.chat(chatRequest, { parent: request.gatewayCall.parent() });
    const native = response.native?.format === 'openai-responses' ? response.native.body : undefined;
    const object = native ?? toResponsesObject({ ...identity, model: response.model }, response);
    await keep(request, call, { provider: response.provider, native: native !== undefined, response: object });
    return reply.headers(finishCall(request, outcomeOf(response))).send(object);
  }
  const tap = createNativeEventTap();
  const opened = tap.wrap(await openModelStream(ai, chatRequest, { parent: request.gatewayCall.parent() }));
  return sendModelStream(request, reply, opened, (streamIdentity) => {
    const writer = createResponsesEventWriter({ ...identity, model: streamIdentity.model });
    const provider = (part: { provider?: string }) => part.provider ?? streamIdentity.provider;
    return {
      start: () => encode(writer.start()),
      part: (part) => encode(writer.part(part)),
      async finish(part) {
        const end = writer.finish(part);
        await keep(request, call, { provider: provider(part), native: false, response: end.response });
        return encodeClosing(end.events);
      },
      async nativeEnd(part) {
        const response = tap.finalResponse();
        if (response) await keep(request, call, { provider: provider(part), native: true, response });
        return ''; // the upstream's terminal event was the end; the Responses stream has no terminator
      },
      error: (error) => (tap.seen() ? tap.errorEvent(error) : encode(writer.error(error))),
    };
  });
}

/**
 * POST /v1/responses (OpenAI Responses API, streamed or not), GET and DELETE
 * /v1/responses/{id} (the tenant's stored responses; DELETE also deletes the
 * provider's copy of a response it answered natively), GET
 * /v1/responses/{id}/input_items. OpenAI and
 * OpenAI-compatible targets get the request natively; every other provider
 * (or a route mixing them) is served through the chat pipeline.
 */
export function registerOpenAIResponsesRoutes(app: FastifyInstance, ai: Switchyard): void {
  const config: GatewayRouteConfig = { wire: 'openai', authenticated: true };
  const store = createResponsesStoreAccess(ai);

  app.post('/v1/responses', { config }, async (request, reply) => {
    const sent = request.body as Record<string, unknown>;
    const checked = validateBody(responsesRequestSchema, sent);
    const targets: ModelTarget[] = resolveTargets(checked.model, ai.config);
    const nativeProviders = nativeResponsesProviders(ai, targets);
    if (nativeProviders !== undefined) {
      // Loaded even when forwarded verbatim: a tenant may only continue its own responses.
      const conversation = await loadConversation(store, checked, request.tenant);
      const wire = forwardedBody(sent, conversation, nativeProviders);
      return answer(ai, request, reply, { body: checked, raw: sent, conversation, store, wire, native: true }, nativeProviders[0]);
    }
    // The chat pipeline needs every item itself: references to stored output items are replaced by them (1:1, so paths stay).
    const input = await resolveItemReferences(sent.input, store, request.tenant);
    const raw = input === sent.input ? sent : { ...sent, input };
    const body = raw === sent ? checked : validateBody(responsesRequestSchema, raw);
    const conversation = await loadConversation(store, body, request.tenant);
    const converting = targets.find((target) => !speaksResponsesNatively(ai, target.provider)) ?? targets[0];
    const wire = forwardedBody(raw, conversation, targets.map((target) => target.provider));
    return answer(ai, request, reply, { body, raw, conversation, store, wire, native: false }, converting.provider);
  });

  app.get<{ Params: { id: string } }>('/v1/responses/:id', { config }, async (request) => {
    const stored = await (await store()).get(request.params.id, request.tenant);
    if (!stored) throw responseNotFound(request.params.id);
    return stored.response;
  });

  app.get<{ Params: { id: string } }>('/v1/responses/:id/input_items', { config }, async (request) => {
    const query = parseInputItemsQuery(request.query);
    const stored = await (await store()).get(request.params.id, request.tenant);
    if (!stored) throw responseNotFound(request.params.id);
    return listInputItems(stored, query);
  });

  app.delete<{ Params: { id: string } }>('/v1/responses/:id', { config }, async (request) => {
    const responses = await store();
    const stored = await responses.get(request.params.id, request.tenant);
    if (!stored) throw responseNotFound(request.params.id);
    // The provider's copy of a response it answered natively goes first: should that fail, ours stays for a retry.
    if (stored.native) await ai.deleteProviderResponse(stored.provider, stored.id);
    if (!(await responses.delete(request.params.id, request.tenant))) throw responseNotFound(request.params.id);
    return { id: request.params.id, object: 'response', deleted: true };
  });
}
