import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatRequest, GenerationSettings } from '../spec/request.js';
import type { ChatResponse, NativeResponse } from '../spec/response.js';
import { cacheOptionsFromHeader } from './cache-control.js';
import { anthropicErrorBody, openAIErrorBody, retryAfterHeaders, toGatewayError, type GatewayError } from '../wire/error-mapping.js';
import type { CallOutcome, GatewayCall } from './gateway-monitor.js';
import { modelHeaders } from './model-headers.js';

/** Which API's shapes a route speaks (its errors included). */
export type WireFlavor = 'openai' | 'anthropic';

/** Per-route Fastify config the gateway reads. */
export interface GatewayRouteConfig {
  /** The route's API; `by-headers` for routes both APIs share (/v1/models): see {@link prefersAnthropic}. */
  wire?: WireFlavor | 'by-headers';
  /** Routes that need a tenant key when keys are configured. */
  authenticated?: boolean;
  /** False for an authenticated POST naming a `model` that is not a model call (no rate limits, no spend). Default true. */
  limited?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The monitor's record of this request (set by the gateway's onRequest hook). */
    gatewayCall: GatewayCall;
    /** The tenant of the request's key; `default` without keys. */
    tenant: string;
  }
}

/** The wire flavor of the route a request matched (OpenAI for unmatched ones). */
export function wireOf(request: FastifyRequest): WireFlavor {
  const wire = (request.routeOptions?.config as GatewayRouteConfig | undefined)?.wire ?? 'openai';
  if (wire !== 'by-headers') return wire;
  return prefersAnthropic(request.headers) ? 'anthropic' : 'openai';
}

/** True for a request from an Anthropic client: it sends `anthropic-version`, or `x-api-key` without `Authorization`. */
export function prefersAnthropic(headers: FastifyRequest['headers']): boolean {
  return headers['anthropic-version'] !== undefined || (headers['x-api-key'] !== undefined && headers.authorization === undefined);
}

/** The error body in the request's API shape. */
export function errorBody(flavor: WireFlavor, error: GatewayError): object {
  return flavor === 'anthropic' ? anthropicErrorBody(error) : openAIErrorBody(error);
}

/**
 * Sends an error (not yet streaming) in the route's shape, with `retry-after`
 * when upstream advised one, and records it on the request's model call.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const gatewayError = toGatewayError(error, request.id);
  // The monitor logs it (5xx with the error) when the response closes.
  request.gatewayCall?.fail(error);
  return reply
    .code(gatewayError.status)
    .headers({ 'x-request-id': request.id, ...retryAfterHeaders(gatewayError) })
    .type('application/json; charset=utf-8')
    .send(errorBody(wireOf(request), gatewayError));
}

/**
 * The client request for a gateway call: the settings (a fresh object from
 * the wire converter, completed in place) plus model, tenant, request id,
 * cache control and the signal that aborts when the client goes away, so the
 * upstream request is cancelled with it.
 */
export function chatRequestFor(request: FastifyRequest, model: string, settings: GenerationSettings): ChatRequest {
  const chatRequest = settings as ChatRequest;
  chatRequest.model = model;
  chatRequest.tenant = request.tenant;
  chatRequest.requestId = request.id;
  chatRequest.signal = request.gatewayCall.signal;
  const control = request.headers['cache-control'];
  if (control !== undefined) {
    const cache = cacheOptionsFromHeader(control);
    if (cache) chatRequest.cache = cache;
  }
  return chatRequest;
}

/** Sends the upstream's own answer on a same-wire call: its text as received when at hand (no second serialisation), else its body. */
export function sendNative(reply: FastifyReply, native: NativeResponse): FastifyReply {
  return native.text === undefined ? reply.send(native.body) : reply.type('application/json; charset=utf-8').send(native.text);
}

/** The outcome of a non-streamed response, for the monitor and the headers. */
export function outcomeOf(response: ChatResponse): CallOutcome {
  return {
    provider: response.provider,
    model: response.model,
    cache: response.cache,
    usage: response.usage,
    cost: response.cost,
    finishReason: response.finishReason,
  };
}

/** Records a non-streamed answer and returns its `x-switchyard-*` headers. */
export function finishCall(request: FastifyRequest, outcome: CallOutcome): Record<string, string> {
  request.gatewayCall.succeed(outcome);
  return modelHeaders({
    requestId: request.id,
    cache: outcome.cache,
    provider: outcome.provider,
    model: outcome.model,
    overheadMs: request.gatewayCall.overheadMs(),
  });
}
