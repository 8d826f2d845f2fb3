/** Batch runs over OpenAI Batch JSONL files: the library side of `switchyard batch`. */
export { DEFAULT_BATCH_CONCURRENCY, runBatch, type BatchCounts, type RunBatchOptions } from './run-batch.js';
export { parseBatchLine, type ParsedBatchLine } from './batch-line.js';
export type { BatchOutputError, BatchOutputRecord } from './batch-records.js';
export { scanBatchOutput, type BatchOutputScan } from './output-scan.js';
export { countNonBlankLines } from './count-lines.js';
