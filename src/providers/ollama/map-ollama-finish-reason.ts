import type { FinishReason } from '../../spec/response.js';

/**
 * Maps Ollama's `done_reason` to Switchyard's. Ollama says `stop` even when
 * the answer is a tool call, so `hasToolCalls` turns that into `tool-calls`;
 * `length` is the `num_predict` limit; `load`/`unload` (no generation) and
 * unknown reasons are `other`.
 */
export function mapOllamaFinishReason(reason: string | null | undefined, hasToolCalls = false): FinishReason {
  if (hasToolCalls && (reason === 'stop' || reason == null)) return 'tool-calls';
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    default:
      return 'other';
  }
}
