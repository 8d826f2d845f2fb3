import type { FinishReason } from '../../spec/response.js';

/**
 * Maps OpenAI's `finish_reason` to Switchyard's. `function_call` is the
 * legacy name of `tool_calls`; a missing reason (some compatible servers) is `other`.
 */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}
