import type { ReasoningPart, ToolCall } from './messages.js';
import type { WireFormat } from './request.js';

/**
 * The upstream's own response body, returned when the call carried a
 * `wireRequest` in a format the answering driver speaks natively: the gateway
 * sends it as is, so fields Switchyard does not model (logprobs, refusal,
 * annotations, system_fingerprint, thinking blocks, stop_sequence, cache usage...) reach the caller.
 */
export interface NativeResponse {
  format: WireFormat;
  body: Record<string, unknown>;
  /** `body` as the upstream sent it (JSON text), for a caller that sends it on unchanged without serialising it again. Never cached. */
  text?: string;
}

/** Token counts for one call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Why generation stopped, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** A response-cache layer, fastest first: L1 memory, L2 Redis, L3 SQL. */
export type CacheLayerName = 'memory' | 'redis' | 'sql';

/** Where a response came from: a cache layer, or upstream (`miss` when cacheable, `bypass` when not). */
export type CacheStatus = 'hit-memory' | 'hit-redis' | 'hit-sql' | 'miss' | 'bypass';

/** A parameter the provider could not honour, reported instead of failing the call. */
export interface CallWarning {
  type: 'unsupported-setting' | 'other';
  setting?: string;
  message: string;
}

/** The log probability of one output token, with the most likely alternatives when asked for. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  topLogprobs?: Array<{ token: string; logprob: number }>;
}

/** The client's chat response, the same for every provider. */
export interface ChatResponse {
  id: string;
  /** The provider that answered. */
  provider: string;
  /** The model that answered, `provider/model` (with a route, the member that answered). */
  model: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Cost in US dollars from catalog prices; 0 on a cache hit; null when the price is unknown. */
  cost: number | null;
  latencyMs: number;
  cache: CacheStatus;
  warnings?: CallWarning[];
  /** The model's reasoning before its answer, when the provider returns it (text and replay signature). */
  reasoning?: ReasoningPart[];
  /** Per-token log probabilities, when asked for with `logprobs`. */
  logprobs?: TokenLogprob[];
  /** The stop sequence that ended the answer, when the provider says which. */
  stopSequence?: string;
  /** The upstream's own body, on a same-wire passthrough call (see {@link NativeResponse}). */
  native?: NativeResponse;
}

/** One embeddings response. */
export interface EmbedResponse {
  provider: string;
  model: string;
  embeddings: number[][];
  usage: Usage;
}

/** A model as listed by a provider, enriched from the bundled catalog. */
export interface ModelInfo {
  /** `provider/modelId` */
  id: string;
  provider: string;
  modelId: string;
  name: string;
  contextLength?: number | null;
  capabilities?: string[];
  inputPricePerMillion?: number | null;
  outputPricePerMillion?: number | null;
  ownedBy?: string;
  createdAt?: number;
}
