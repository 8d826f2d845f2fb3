import type { z } from 'zod';
import type { SwitchyardError } from '../spec/errors.js';
import { requestJson, requestStream, type HttpCallOptions, type JsonResponse, type StreamResponse, type UpstreamErrorResponse } from './http.js';
import type { Transport } from './transport.js';
import { validateResponse } from './validate-response.js';

/** The credentials of one call, read when it is made. */
export interface CallCredentials {
  /** Headers that authenticate the call (`authorization`, `x-api-key`...). */
  headers: Record<string, string>;
  /** Values that must never appear in an error message. */
  secrets: Array<string | undefined>;
}

/** How errors of one call are mapped: the secrets to redact, and whether the call named a model. */
export interface ErrorMappingContext {
  secrets: Array<string | undefined>;
  /** True for chat and embeddings calls: their 404 means an unknown model. */
  modelCall: boolean;
}

/** One provider's HTTP endpoint: where calls go, how they are authenticated, how failures read. */
export interface ProviderEndpointOptions {
  provider: string;
  /** API root without a trailing slash; call paths start with `/`. */
  baseURL: string;
  transport: Transport;
  /** Protocol defaults sent with every call (`anthropic-version`); configured headers may override them. */
  protocolHeaders?: Readonly<Record<string, string>>;
  /** Configured headers sent with every call; credentials and the request id win over them. */
  headers?: Readonly<Record<string, string>>;
  /** Reads the credentials at each call. Default: none. */
  credentials?: () => CallCredentials;
  /** Turns a non-2xx response into the provider's SwitchyardError. */
  mapError(response: UpstreamErrorResponse, context: ErrorMappingContext): SwitchyardError;
  /** Largest non-streamed answer read before `response_too_large`. Default 32 MiB. */
  maxResponseBytes?: number;
}

/** One call to a provider endpoint. */
export interface ProviderCall {
  /** Appended to the base URL; starts with `/`. */
  path: string;
  /** Names the call in error messages, e.g. "chat completion". */
  context: string;
  /** Sent as JSON when present (then the method is POST, else GET). */
  body?: unknown;
  signal?: AbortSignal;
  /** Sent as `x-client-request-id`, the same header for every provider. */
  requestId?: string;
  /** Whether the call names a model (see ErrorMappingContext). Default false. */
  modelCall?: boolean;
}

/** The HTTP half of the driver skeleton: every provider's calls go through these. */
export interface ProviderHttp {
  readonly provider: string;
  /** Sends a call, validates its JSON answer against `schema` (`invalid_response` otherwise) and returns it. */
  json<Schema extends z.ZodType>(call: ProviderCall, schema: Schema): Promise<z.output<Schema>>;
  /** Sends a call and returns its parsed, unvalidated JSON answer (a passthrough returns the upstream's own body). */
  send(call: ProviderCall): Promise<JsonResponse>;
  /** Sends a call and returns the open body of a 2xx answer (the caller must consume or destroy it). */
  open(call: ProviderCall): Promise<StreamResponse>;
  /** The undici options of a call, for a caller that sends it itself. */
  options(call: ProviderCall): HttpCallOptions;
}

const NO_CREDENTIALS: CallCredentials = { headers: {}, secrets: [] };

/**
 * Creates a provider's HTTP endpoint. Headers are merged in one order for
 * every provider: protocol defaults, then configured headers, then
 * credentials, then `x-client-request-id`. The key is read at each call and
 * redacted from any error.
 */
export function createProviderHttp(endpoint: ProviderEndpointOptions): ProviderHttp {
  const { provider, baseURL, transport } = endpoint;
  const configured = { ...endpoint.protocolHeaders, ...endpoint.headers };

  function options(call: ProviderCall): HttpCallOptions {
    const credentials = endpoint.credentials?.() ?? NO_CREDENTIALS;
    const headers: Record<string, string> = Object.assign({}, configured, credentials.headers);
    if (call.requestId !== undefined) headers['x-client-request-id'] = call.requestId;
    const mapping: ErrorMappingContext = { secrets: credentials.secrets, modelCall: call.modelCall ?? false };
    return {
      dispatcher: transport.dispatcher(),
      url: baseURL + call.path,
      headers,
      body: call.body,
      signal: call.signal,
      provider,
      context: call.context,
      ...(endpoint.maxResponseBytes !== undefined ? { maxResponseBytes: endpoint.maxResponseBytes } : {}),
      mapError: (response) => endpoint.mapError(response, mapping),
    };
  }

  return {
    provider,
    options,
    async json(call, schema) {
      const response = await requestJson(options(call));
      return validateResponse(schema, response.value, `${provider} ${call.context}`, provider);
    },
    send: (call) => requestJson(options(call)),
    open: (call) => requestStream(options(call)),
  };
}
