import type { Message, ResponseFormat, Tool, ToolChoice } from './messages.js';

/** Per-call response-cache control. `ttl` in seconds; `read: false` skips lookups, `write: false` skips storing. */
export interface CacheOptions {
  ttl?: number;
  read?: boolean;
  write?: boolean;
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

/** An embeddings request: `model` as in ChatRequest. */
export interface EmbedRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
  signal?: AbortSignal;
}
