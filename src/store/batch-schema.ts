/**
 * One provider batch (OpenAI Batch, Anthropic Message Batch) submitted for a
 * batch job: the CLI's `--provider-batch` run (job key from its input and
 * output paths) or a gateway batch (job key `gateway:<batch id>`). `status`
 * is `submitting` until the provider answers with its id, then the
 * provider's status (`in_progress`, `ended`, `failed`, `cancelled`,
 * `expired`), and `collected` once every result is written.
 */
export interface ProviderBatchesTable {
  id: string;
  job_key: string;
  provider: string;
  /** `provider/model` */
  model: string;
  provider_batch_id: string | null;
  status: string;
  request_count: number;
  succeeded: number;
  failed: number;
  created_at: number;
  updated_at: number;
}

/** Which provider batch each custom_id of a job went to; a custom_id goes to one batch at most. */
export interface ProviderBatchRequestsTable {
  job_key: string;
  custom_id: string;
  provider_batch: string;
  /** The request's 1-based line in its input file (0 when not known): its result's place in the output. */
  line_number: number;
}

/** The batch tables, merged into DatabaseSchema. */
export interface BatchTables extends GatewayBatchTables {
  provider_batches: ProviderBatchesTable;
  provider_batch_requests: ProviderBatchRequestsTable;
}

/**
 * A file of the gateway's Files API, per tenant. An upload (`kind`
 * `upload`) keeps its content in `batch_file_chunks`; a batch's output and
 * error files (`output`, `error`) are read from `batch_results`.
 */
export interface BatchFilesTable {
  id: string;
  tenant: string;
  kind: string;
  purpose: string;
  filename: string;
  bytes: number;
  /** The batch whose results an output or error file holds. */
  batch_id: string | null;
  created_at: number;
}

/** A piece of an uploaded file: whole lines, at most about 1 MiB, in order of `seq`. */
export interface BatchFileChunksTable {
  file_id: string;
  seq: number;
  /** Lines in the piece. */
  lines: number;
  /** 1-based number of the piece's first line in the file. */
  first_line: number;
  data: string;
}

/** A batch of the gateway's Batch API, per tenant; timestamps in epoch ms, null until reached. */
export interface GatewayBatchesTable {
  id: string;
  tenant: string;
  /** The id of the key that created the batch (its limits, budget and models apply to the lines); null for batches from before keys were recorded. */
  key_id: string | null;
  input_file_id: string;
  endpoint: string;
  completion_window: string;
  /** validating, in_progress, finalizing, completed, failed, cancelling, cancelled */
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  /** JSON text, or null. */
  metadata: string | null;
  /** JSON text of `{ data: [{ code, message }] }` when the batch failed. */
  errors: string | null;
  total: number;
  created_at: number;
  in_progress_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
}

/** Each input piece of a gateway batch and whether its direct lines are all written (`done` 0/1). */
export interface GatewayBatchChunksTable {
  batch_id: string;
  seq: number;
  done: number;
}

/** One result of a gateway batch: written once per custom_id (the primary key). */
export interface GatewayBatchResultsTable {
  batch_id: string;
  custom_id: string;
  line_number: number;
  /** 1 for the error file, 0 for the output file. */
  is_error: number;
  /** The output line (JSON text). */
  record: string;
  /** The line's size in bytes, newline included. */
  bytes: number;
}

/** The gateway's batch tables. */
export interface GatewayBatchTables {
  batch_files: BatchFilesTable;
  batch_file_chunks: BatchFileChunksTable;
  gateway_batches: GatewayBatchesTable;
  gateway_batch_chunks: GatewayBatchChunksTable;
  gateway_batch_results: GatewayBatchResultsTable;
}
