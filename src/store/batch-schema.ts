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
}

/** The batch tables, merged into DatabaseSchema. */
export interface BatchTables {
  provider_batches: ProviderBatchesTable;
  provider_batch_requests: ProviderBatchRequestsTable;
}
