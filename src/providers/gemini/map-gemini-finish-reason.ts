import type { FinishReason } from '../../spec/response.js';

/**
 * Maps Gemini's `finishReason` to Switchyard's. Gemini says `STOP` even when
 * the answer is a function call, so `hasToolCalls` turns that into
 * `tool-calls`. Safety, recitation and blocklist stops are `content-filter`;
 * a malformed or unexpected function call is `error`; a prompt blocked before
 * any candidate (`blockReason`) is `content-filter` too.
 */
export function mapGeminiFinishReason(reason: string | null | undefined, hasToolCalls = false): FinishReason {
  switch (reason) {
    case 'STOP':
      return hasToolCalls ? 'tool-calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
      return 'content-filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
    case 'TOO_MANY_TOOL_CALLS':
      return 'error';
    default:
      return hasToolCalls ? 'tool-calls' : 'other';
  }
}
