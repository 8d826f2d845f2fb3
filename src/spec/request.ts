import type { Message, ReasoningSettings, ResponseFormat, Tool, ToolChoice } from './messages.js';

/** Per-call response-cache control. `ttl` in seconds; `read: false` skips lookups, `write: false` skips storing. */
export interface CacheOptions {
  ttl?: number;
  read?: boolean;
  write?: boolean;
}

/**
 * A provider wire format Switchyard speaks on both sides: what a caller sends
 * the gateway, and what a driver sends its upstream.
 */
export type WireFormat = 'openai-chat' | 'anthropic-messages' | 'openai-responses';

/**
 * Fields sent verbatim to one provider, by provider name (`{ openai: {
 * logprobs: true } }`), merged over the body the driver builds. Options for a
 * provider that does not answer the call are ignored, so a route can carry
 * options for each of its members.
 */
export type ProviderOptions = Record<string, Record<string, unknown>>;

/**
 * The caller's own request body in a wire format, carried beside the neutral
 * settings derived from it (the gateway sets it; library callers use
 * `providerOptions`). This is the same-wire passthrough:
 * - a driver whose `wireFormats` include `format` sends `body` verbatim, only
 *   `model` replaced and its stream fields set, and returns the upstream's
 *   own body (`native` on the result) or events (`native-event` parts), so
 *   nothing the caller sent or the upstream answered is lost;
 * - any other driver builds its body from the neutral settings, which model
 *   everything that has a meaning across providers, and must refuse each of
 *   `extras` (the fields the neutral settings do not model) with a 400 naming
 *   the field and the provider, unless the value changes nothing.
 * The response-cache key covers `body` whole.
 */
export interface WireRequest {
  format: WireFormat;
  body: Readonly<Record<string, unknown>>;
  /** Top-level fields of `body` the neutral settings do not model, by wire name. */
  extras: Readonly<Record<string, unknown>>;
}

/** The generation settings shared by the client request and the driver call. */
export interface GenerationSettings {
  messages: Message[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  responseFormat?: ResponseFormat;
  tools?: Tool[];
  toolChoice?: ToolChoice;
  /** An end-user id passed on to providers that accept one. */
  user?: string;
  /** Sample only from the K most likely tokens (Anthropic, Gemini, Ollama). */
  topK?: number;
  /** Penalise tokens by how often they appeared (-2..2; OpenAI, Gemini, Ollama). */
  frequencyPenalty?: number;
  /** Penalise tokens that appeared at all (-2..2; OpenAI, Gemini, Ollama). */
  presencePenalty?: number;
  /** Return the log probability of each output token, with this many alternatives (0..20) when `topLogprobs` is set. */
  logprobs?: boolean;
  topLogprobs?: number;
  /** False: at most one tool call per turn. Default true (the providers' default). */
  parallelToolCalls?: boolean;
  /** Extended thinking / reasoning effort. */
  reasoning?: ReasoningSettings;
  /** Fields sent verbatim to the named provider (see {@link ProviderOptions}); part of the cache key. */
  providerOptions?: ProviderOptions;
  /** The caller's wire body, for same-wire passthrough (see {@link WireRequest}); part of the cache key. */
  wireRequest?: WireRequest;
}

/** A chat request to the client: `model` is `provider/model`, a bare model name, or a route name. */
export interface ChatRequest extends GenerationSettings {
  model: string;
  signal?: AbortSignal;
  cache?: CacheOptions;
  /** Namespace for the response cache (the gateway sets it to the tenant). Default `default`. */
  tenant?: string;
  /** Correlates logs, events and spans; generated when absent. */
  requestId?: string;
}

/** What to embed: one text, several, or token ids (one array of ids, or one per input; OpenAI-type providers only). */
export type EmbedInput = string | string[] | number[] | number[][];

/** An embeddings request: `model` as in ChatRequest. */
export interface EmbedRequest {
  model: string;
  input: EmbedInput;
  dimensions?: number;
  /**
   * OpenAI-shaped fields the neutral request does not model (`user`, or any
   * other a caller sent): sent verbatim to an OpenAI-type provider; any other
   * provider refuses them with a 400 naming the first.
   */
  passthrough?: Record<string, unknown>;
  signal?: AbortSignal;
}
