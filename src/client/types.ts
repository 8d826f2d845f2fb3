import type { DeploymentSnapshot } from '../routing/balancer.js';
import type { ResolvedConfig } from '../config/load.js';
import type { ClientServices } from './services.js';
import type { SwitchyardConfigInput } from '../config/schema.js';
import type { TokenEstimate } from '../catalog/estimate-tokens.js';
import type { SyncResult } from '../catalog/model-catalog.js';
import type { DestinationStream, Logger } from 'pino';
import type { SwitchyardEventSource } from '../observability/events.js';
import type { Observability } from '../observability/index.js';
import type { TrackHandle } from '../observability/tracked-operation.js';
import type { DriverBatchApi } from '../spec/batch.js';
import type { DriverV1, PoolStats } from '../spec/driver.js';
import type { ChatRequest, EmbedRequest } from '../spec/request.js';
import type { ChatResponse, EmbedResponse, ModelInfo, Usage } from '../spec/response.js';
import type { StreamPart } from '../spec/stream.js';

/** Options of `createSwitchyard`: any configuration field (they win over file and environment), plus wiring. */
export interface SwitchyardOptions extends SwitchyardConfigInput {
  /** A config file to read instead of `SWITCHYARD_CONFIG` / `./switchyard.config.json`. */
  configFile?: string;
  /** The environment to read. Default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /** Drivers by provider name, replacing or adding to the configured ones. */
  drivers?: Record<string, DriverV1>;
  /** Settings below everything else (file, environment, options): a host's own defaults, like the gateway's monitoring. */
  defaults?: SwitchyardConfigInput;
  /**
   * Where log lines go (a pino destination), at the profile's level unless a
   * level is configured. Without this, `logger` or a configured level
   * (`observability.logLevel`, `SWITCHYARD_LOG_LEVEL`) the client logs nothing.
   */
  logDestination?: DestinationStream;
  /** A pino logger whose destination (and, unless a level is configured, level) the client's logs use. */
  logger?: Logger;
}

/** Per-call wiring, for hosts that track their own operations (the gateway). */
export interface CallOptions {
  /** An outer tracked operation: upstream time adds up to it, and spans nest under it. */
  parent?: TrackHandle;
}

/** Options of `chatMany`. */
export interface ChatManyOptions {
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Called after each request settles. */
  onProgress?: (progress: { completed: number; total: number; failed: number }) => void;
  signal?: AbortSignal;
}


/** A model that can run through its provider's batch API. */
export interface ProviderBatchTarget {
  provider: string;
  modelId: string;
  /** `provider/modelId` */
  model: string;
  api: DriverBatchApi;
}

/** The client: one object in front of every provider. */
export interface Switchyard extends SwitchyardEventSource {
  readonly config: ResolvedConfig;
  /** The shared cache, database and their health: for the CLI, the gateway and operators' tools. */
  readonly services: ClientServices;
  /** One chat completion. */
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** A streamed chat completion: text and tool-call deltas, then one `finish` part with the response fields. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamPart>;
  /** Many chat completions with bounded concurrency; results settle in input order. */
  chatMany(requests: ChatRequest[], options?: ChatManyOptions): Promise<PromiseSettledResult<ChatResponse>[]>;
  /** The model catalog of one provider or all enabled ones. */
  models(options?: { provider?: string; refresh?: boolean; signal?: AbortSignal }): Promise<ModelInfo[]>;
  /** Embeddings for one or more inputs. */
  embed(request: EmbedRequest, options?: CallOptions): Promise<EmbedResponse>;
  /** Tokens in a text or messages for a model. */
  estimateTokens(input: string | ChatRequest['messages'], model?: string): TokenEstimate;
  /**
   * The input tokens of a chat request on its model: counted by the provider
   * where it can (Anthropic's count_tokens; `estimated: false`), else estimated.
   * A route counts on its first model.
   */
  countTokens(request: ChatRequest): Promise<TokenEstimate & { provider: string; model: string }>;
  /**
   * Deletes a response `provider` stored for a call it answered natively
   * (OpenAI's Responses API): true when deleted, false when the provider had
   * none, undefined when the provider stores no responses.
   */
  deleteProviderResponse(provider: string, id: string, options?: { signal?: AbortSignal }): Promise<boolean | undefined>;
  /** Lists a provider's models and writes them to `provider_models` (nothing with `dryRun`). */
  syncModels(options: { provider: string; dryRun?: boolean; signal?: AbortSignal }): Promise<SyncResult>;
  /** The cost in US dollars of `usage` on `model` (at the batch price with `batch: true`), or null when its price is unknown. */
  cost(usage: Usage, model: string, options?: { batch?: boolean }): number | null;
  /**
   * The batch API of the provider that would run `model`, when it has one and
   * `model` names one target (not a fallback route); undefined otherwise.
   * Throws `model_not_found` for an unknown provider.
   */
  providerBatch(model: string): ProviderBatchTarget | undefined;
  /** Logs, metrics, events, dashboard statistics and resource thresholds. */
  readonly observability: Observability;
  /** Upstream connection-pool figures by provider. */
  poolStats(): Record<string, PoolStats>;
  /** Each balanced route's deployments: circuit-breaker state, traffic share and latency in this instance. */
  deployments(): DeploymentSnapshot[];
  /** Drains pools and closes Redis and the database. */
  close(): Promise<void>;
}
