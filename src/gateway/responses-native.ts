import type { ModelTarget } from '../client/model-resolver.js';
import type { Switchyard } from '../client/types.js';
import { parseJson } from '../core/safe-json.js';
import type { StreamPart } from '../spec/stream.js';
import type { GatewayError } from '../wire/error-mapping.js';
import type { OpenedModelStream } from './model-stream.js';
import { inputItemsOf, type ResponsesConversation } from './responses-conversation.js';
import { sseEvent } from './sse-writer.js';

/*
 * The Responses API forwarded natively: which targets speak it, the body
 * they get, and what the gateway keeps of their streamed answer.
 */

const NATIVE_TYPES = new Set(['openai', 'openai-compatible']);
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** True for a provider of a type that speaks the Responses API itself (OpenAI and OpenAI-compatible). */
export function speaksResponsesNatively(ai: Switchyard, provider: string): boolean {
  return NATIVE_TYPES.has(ai.config.providers[provider]?.type ?? '');
}

/** The providers of `targets` when every one speaks the Responses API natively, else undefined (the chat pipeline serves it). */
export function nativeResponsesProviders(ai: Switchyard, targets: ModelTarget[]): string[] | undefined {
  return targets.every((target) => speaksResponsesNatively(ai, target.provider)) ? targets.map((target) => target.provider) : undefined;
}

function withoutId(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || !('id' in item)) return item;
  const { id: _id, ...rest } = item as Record<string, unknown>;
  return rest;
}

/**
 * The body a native upstream gets: the caller's, verbatim, when it has no
 * `previous_response_id` or the upstream answered that response itself;
 * else (the conversation began with another provider, which the upstream
 * never saw) the stored conversation's items, without this gateway's item
 * ids, are put before `input` and `previous_response_id` is left out.
 */
export function forwardedBody(sent: Record<string, unknown>, conversation: ResponsesConversation, providers: string[]): Record<string, unknown> {
  const previous = conversation.previous;
  if (!previous || (previous.native && providers.every((provider) => provider === previous.provider))) return sent;
  const { previous_response_id: _known, ...rest } = sent;
  return { ...rest, input: [...conversation.items.map(withoutId), ...inputItemsOf(sent)] };
}

/** Watches a native passthrough stream for its terminal event, whose `response` the gateway stores. */
export interface NativeEventTap {
  /** The same stream, observed as it is read. */
  wrap(opened: OpenedModelStream): OpenedModelStream;
  /** The `response` of the terminal event (completed, incomplete, failed), once seen. */
  finalResponse(): Record<string, unknown> | undefined;
  /** True once a native event went by: the stream is the upstream's own. */
  seen(): boolean;
  /** An `error` event in the Responses format, numbered after the upstream's events. */
  errorEvent(error: GatewayError): string;
}

/** Creates the tap for one stream. */
export function createNativeEventTap(): NativeEventTap {
  let count = 0;
  let final: Record<string, unknown> | undefined;
  const observe = (part: StreamPart): void => {
    if (part.type !== 'native-event') return;
    count += 1;
    if (part.event !== undefined && !TERMINAL_EVENTS.has(part.event)) return;
    const value = parseJson(part.data, 'responses stream event') as { type?: unknown; response?: unknown } | null;
    if (typeof value?.type === 'string' && TERMINAL_EVENTS.has(value.type) && typeof value.response === 'object' && value.response !== null) {
      final = value.response as Record<string, unknown>;
    }
  };
  return {
    wrap(opened) {
      const parts = opened.parts;
      return {
        ...opened,
        parts: {
          next: () =>
            parts.next().then((step) => {
              if (!step.done) observe(step.value);
              return step;
            }),
          return: (value?: unknown) => parts.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
        },
      };
    },
    finalResponse: () => final,
    seen: () => count > 0,
    errorEvent: (error) => sseEvent({ type: 'error', code: error.code, message: error.message, param: error.param, sequence_number: count }, 'error'),
  };
}
