import type { DriverBatchApi } from './batch.js';
import type { ReasoningPart, ToolCall } from './messages.js';
import type { GenerationSettings, WireFormat } from './request.js';
import type { CallWarning, FinishReason, NativeResponse, TokenLogprob, Usage } from './response.js';
import type { StreamPart } from './stream.js';

/** What a driver receives for one call: the settings plus the provider's own model id (no `provider/` prefix). */
export interface DriverCallOptions extends GenerationSettings {
  modelId: string;
  signal?: AbortSignal;
  requestId?: string;
}

/** What a driver returns from a non-streaming call; the client adds provider, cost, latency and cache status. */
export interface DriverGenerateResult {
  id: string;
  modelId: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  warnings?: CallWarning[];
  reasoning?: ReasoningPart[];
  logprobs?: TokenLogprob[];
  stopSequence?: string;
  /** The upstream's own body, when the call's `wireRequest` was in one of the driver's `wireFormats`. */
  native?: NativeResponse;
}

/** An embeddings call. */
export interface DriverEmbedOptions {
  modelId: string;
  /** The texts to embed (empty when `tokenInput` is given). */
  input: string[];
  /** Token ids to embed instead of texts, one array per input (drivers with `embedWire: 'openai'` only). */
  tokenInput?: number[][];
  /** Fields sent verbatim in the body (drivers with `embedWire: 'openai'` only). */
  passthrough?: Record<string, unknown>;
  dimensions?: number;
  signal?: AbortSignal;
}

/** An embeddings result, one vector per input in input order. */
export interface DriverEmbedResult {
  embeddings: number[][];
  usage: Usage;
}

/** A model as a provider's list endpoint reports it. */
export interface DriverModel {
  modelId: string;
  name?: string;
  ownedBy?: string;
  createdAt?: number;
  contextLength?: number;
}

/** Connection-pool figures for a driver's upstream. */
export interface PoolStats {
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
  size: number;
}

/**
 * The driver interface, version 1. A capability a provider lacks is an absent
 * optional method. `doStream` must raise connection and status errors on the
 * first `next()`, before any part, so callers can retry or fall back; it ends
 * with exactly one `finish` part; `return()` (a `break`) releases the upstream.
 */
export interface DriverV1 {
  readonly specificationVersion: 'v1';
  readonly provider: string;
  /**
   * The wire formats this driver speaks natively: a call whose `wireRequest`
   * is in one of them is passed through (see WireRequest in request.ts).
   */
  readonly wireFormats?: readonly WireFormat[];
  doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult>;
  doStream(options: DriverCallOptions): AsyncIterable<StreamPart>;
  listModels(options?: { signal?: AbortSignal }): Promise<DriverModel[]>;
  doEmbed?(options: DriverEmbedOptions): Promise<DriverEmbedResult>;
  /** `openai` when the driver's embeddings speak OpenAI's wire: token-id inputs and passthrough fields go verbatim. */
  readonly embedWire?: 'openai';
  /** The provider's batch API (half price at OpenAI and Anthropic); absent where there is none. */
  doBatch?: DriverBatchApi;
  /**
   * Deletes a response the provider stored (OpenAI's DELETE /responses/{id});
   * false when it has no such response. Absent where the provider stores none.
   */
  doDeleteResponse?(id: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** The input tokens of a chat call, counted by the provider (Anthropic's count_tokens). */
  doCountTokens?(options: DriverCallOptions): Promise<{ inputTokens: number }>;
  /** Pool figures, when the driver talks over the network. */
  poolStats?(): PoolStats;
  /** Closes pooled connections; later calls may reopen them. */
  close?(): Promise<void>;
}
