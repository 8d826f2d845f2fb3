import { parseJson } from '../core/safe-json.js';
import type { ToolCall } from '../spec/messages.js';
import type { CacheStatus, ChatResponse, FinishReason, Usage } from '../spec/response.js';
import type { NativeEventPart, StreamPart } from '../spec/stream.js';
import type { CacheLayerName } from './cache-layer.js';

/** A stored answer: the response without its per-call fields (cost, latency, cache status). */
export interface CachedResponse extends Omit<ChatResponse, 'cost' | 'latencyMs' | 'cache'> {
  /** When it was stored, epoch ms. */
  storedAt: number;
  /** The upstream's events of a native passthrough stream, replayed as they came. */
  nativeEvents?: NativeEventPart[];
}

const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'tool-calls', 'content-filter', 'error', 'other'];

/** The response status for a hit in a layer: `hit-memory`, `hit-redis` or `hit-sql`. */
export function cacheStatusOf(layer: CacheLayerName): CacheStatus {
  return `hit-${layer}` as const;
}

/** Serializes a response for the cache (see {@link parseCachedResponse}). */
export function serializeCachedResponse(
  response: Pick<ChatResponse, 'id' | 'provider' | 'model' | 'content' | 'toolCalls' | 'finishReason' | 'usage' | 'warnings' | 'native' | 'reasoning' | 'logprobs' | 'stopSequence'> & {
    nativeEvents?: NativeEventPart[];
  },
  storedAt: number = Date.now(),
): string {
  const entry: CachedResponse = {
    id: response.id,
    provider: response.provider,
    model: response.model,
    content: response.content,
    toolCalls: response.toolCalls,
    finishReason: response.finishReason,
    usage: response.usage,
    ...(response.warnings !== undefined && response.warnings.length > 0 ? { warnings: response.warnings } : {}),
    ...(response.reasoning !== undefined ? { reasoning: response.reasoning } : {}),
    ...(response.logprobs !== undefined ? { logprobs: response.logprobs } : {}),
    ...(response.stopSequence !== undefined ? { stopSequence: response.stopSequence } : {}),
    ...(response.native !== undefined ? { native: { format: response.native.format, body: response.native.body } } : {}),
    ...(response.nativeEvents !== undefined ? { nativeEvents: response.nativeEvents } : {}),
    storedAt,
  };
  return JSON.stringify(entry);
}

function isUsage(value: unknown): value is Usage {
  const usage = value as Usage;
  return typeof value === 'object' && value !== null && [usage.inputTokens, usage.outputTokens, usage.totalTokens].every((n) => typeof n === 'number');
}

function isToolCall(value: unknown): value is ToolCall {
  const call = value as ToolCall;
  return typeof value === 'object' && value !== null && typeof call.id === 'string' && typeof call.name === 'string' && typeof call.arguments === 'string';
}

function isNativeEvent(value: unknown): value is NativeEventPart {
  const part = value as NativeEventPart;
  return typeof value === 'object' && value !== null && part.type === 'native-event' && typeof part.data === 'string';
}

/**
 * Reads a cached entry back. Anything malformed (another version's format, a
 * corrupted row) gives undefined, which callers treat as a miss.
 */
export function parseCachedResponse(text: string): CachedResponse | undefined {
  let value: unknown;
  try {
    value = parseJson(text, 'cached response');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as CachedResponse;
  const valid =
    typeof entry.id === 'string' &&
    typeof entry.provider === 'string' &&
    typeof entry.model === 'string' &&
    typeof entry.content === 'string' &&
    Array.isArray(entry.toolCalls) &&
    entry.toolCalls.every(isToolCall) &&
    FINISH_REASONS.includes(entry.finishReason) &&
    isUsage(entry.usage) &&
    typeof entry.storedAt === 'number' &&
    (entry.native === undefined || (typeof entry.native === 'object' && entry.native !== null && typeof entry.native.body === 'object')) &&
    (entry.nativeEvents === undefined || (Array.isArray(entry.nativeEvents) && entry.nativeEvents.every(isNativeEvent)));
  return valid ? entry : undefined;
}

/** Turns a cached entry into the response of a hit: original usage kept, cost 0, this call's latency. */
export function toCacheHitResponse(cached: CachedResponse, layer: CacheLayerName, latencyMs: number): ChatResponse {
  return {
    id: cached.id,
    provider: cached.provider,
    model: cached.model,
    content: cached.content,
    toolCalls: cached.toolCalls,
    finishReason: cached.finishReason,
    usage: cached.usage,
    cost: 0,
    latencyMs,
    cache: cacheStatusOf(layer),
    ...(cached.warnings !== undefined ? { warnings: cached.warnings } : {}),
    ...(cached.reasoning !== undefined ? { reasoning: cached.reasoning } : {}),
    ...(cached.logprobs !== undefined ? { logprobs: cached.logprobs } : {}),
    ...(cached.stopSequence !== undefined ? { stopSequence: cached.stopSequence } : {}),
    ...(cached.native !== undefined ? { native: cached.native } : {}),
  };
}

/** Options for {@link replayCachedResponse}. */
export interface ReplayOptions {
  layer: CacheLayerName;
  /** When the call started (`performance.now()` clock), for the finish part's latency. Default: replay start. */
  startedAt?: number;
  /** Characters per text delta. Default 64. */
  chunkSize?: number;
}

/**
 * Replays a cached answer as a stream: the native events of a passthrough
 * stream as they came, else the text in chunks and each tool call as one
 * delta (id, name, arguments); the finish part last with the response fields
 * (cost 0, cache `hit-*`, latency measured at the end).
 */
export async function* replayCachedResponse(cached: CachedResponse, options: ReplayOptions): AsyncGenerator<StreamPart> {
  const startedAt = options.startedAt ?? performance.now();
  if (cached.nativeEvents !== undefined) {
    yield* cached.nativeEvents;
  } else {
    const chunkSize = Math.max(1, options.chunkSize ?? 64);
    const characters = Array.from(cached.content); // never split a surrogate pair
    for (const part of cached.reasoning ?? []) yield { type: 'reasoning-delta', text: part.text, ...(part.signature !== undefined ? { signature: part.signature } : {}) };
    for (let index = 0; index < characters.length; index += chunkSize) {
      yield { type: 'text-delta', text: characters.slice(index, index + chunkSize).join('') };
    }
    for (const [index, call] of cached.toolCalls.entries()) {
      yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
    }
  }
  yield {
    type: 'finish',
    finishReason: cached.finishReason,
    usage: cached.usage,
    id: cached.id,
    provider: cached.provider,
    model: cached.model,
    cost: 0,
    latencyMs: Math.round(performance.now() - startedAt),
    cache: cacheStatusOf(options.layer),
    toolCalls: cached.toolCalls,
    ...(cached.stopSequence !== undefined ? { stopSequence: cached.stopSequence } : {}),
    ...(cached.logprobs !== undefined ? { logprobs: cached.logprobs } : {}),
  };
}
