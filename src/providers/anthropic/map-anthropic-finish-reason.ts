import type { FinishReason } from '../../spec/response.js';

/**
 * Maps Anthropic's `stop_reason` to Switchyard's: `end_turn` and
 * `stop_sequence` are `stop`; `max_tokens` and
 * `model_context_window_exceeded` are `length`; `tool_use` is `tool-calls`;
 * `refusal` is `content-filter`; anything else (`pause_turn`, a missing or
 * future reason) is `other`.
 */
export function mapAnthropicFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
