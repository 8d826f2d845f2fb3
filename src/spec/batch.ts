import type { DriverCallOptions, DriverGenerateResult } from './driver.js';
import type { SwitchyardError } from './errors.js';

/** The most one provider batch may hold; larger inputs are split into several batches. */
export interface ProviderBatchLimits {
  /** Requests per batch (OpenAI 50,000; Anthropic 100,000). */
  maxRequests: number;
  /** Bytes of encoded requests per batch (OpenAI 200 MB input file; Anthropic 256 MB). */
  maxBytes: number;
}

/** Where a provider batch is, in words common to every provider. */
export type ProviderBatchStatus = 'in_progress' | 'ended' | 'failed' | 'cancelled' | 'expired';

/** A provider batch as polled. */
export interface ProviderBatchState {
  /** The provider's batch id. */
  id: string;
  status: ProviderBatchStatus;
  counts: { total: number; succeeded: number; failed: number };
  /** The provider's reason when the whole batch failed. */
  message?: string;
}

/** The outcome of one request of a provider batch. */
export type ProviderBatchResult =
  | { customId: string; result: DriverGenerateResult }
  | { customId: string; error: SwitchyardError };

/** What `submit` sends: a file of lines made by `encodeRequest`, one per line. */
export interface ProviderBatchSubmission {
  /** Path of a file holding the encoded requests, one per line (streamed, never read whole). */
  path: string;
  /** Lines in the file. */
  requests: number;
  signal?: AbortSignal;
}

/**
 * A provider's batch API (OpenAI Batch, Anthropic Message Batches): requests
 * are encoded one per line, submitted as one batch, polled, and their
 * results streamed back. `doBatch` on a driver is absent where the provider
 * has no batch API.
 */
export interface DriverBatchApi {
  readonly limits: ProviderBatchLimits;
  /** One request as a line of the provider's batch input (no newline). Throws `invalid_request` for a request the provider cannot take. */
  encodeRequest(customId: string, options: DriverCallOptions): string;
  /** Submits the lines as one batch; resolves the provider's batch id. */
  submit(submission: ProviderBatchSubmission): Promise<{ id: string }>;
  /** The batch's status and counts. */
  poll(id: string, options?: { signal?: AbortSignal }): Promise<ProviderBatchState>;
  /** The results of an ended batch, streamed (in no particular order). */
  results(id: string, options?: { signal?: AbortSignal }): AsyncIterable<ProviderBatchResult>;
  /** Asks the provider to stop the batch. */
  cancel(id: string, options?: { signal?: AbortSignal }): Promise<void>;
}
