import type { DriverGenerateResult } from '../../spec/driver.js';
import type { CallWarning } from '../../spec/response.js';
import type { AnthropicMessage } from './anthropic-api.js';
import { countInput } from './anthropic-stream-state.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

/** A validated Messages API answer as the driver's result: text blocks joined, tool_use blocks as tool calls. */
export function fromAnthropicMessage(message: AnthropicMessage, modelId: string, warnings: CallWarning[] = []): DriverGenerateResult {
  let content = '';
  const toolCalls: DriverGenerateResult['toolCalls'] = [];
  for (const block of message.content) {
    if ('text' in block) content += block.text;
    if ('id' in block) toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  const inputTokens = countInput(message.usage);
  const outputTokens = message.usage?.output_tokens ?? 0;
  return {
    id: message.id,
    modelId: message.model ?? modelId,
    content,
    toolCalls,
    finishReason: mapAnthropicFinishReason(message.stop_reason),
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
