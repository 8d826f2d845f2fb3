import type { DriverGenerateResult } from '../../spec/driver.js';
import type { CallWarning, Usage } from '../../spec/response.js';
import type { OpenAIChatResponse, OpenAIUsage } from './openai-api.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';

/** A validated chat completion as the driver's result (first choice; `modelId` when the body names none). */
export function fromOpenAIChatResponse(completion: OpenAIChatResponse, modelId: string, warnings: CallWarning[] = []): DriverGenerateResult {
  const choice = completion.choices[0];
  return {
    id: completion.id ?? '',
    modelId: completion.model ?? modelId,
    content: choice.message.content ?? choice.message.refusal ?? '',
    toolCalls: (choice.message.tool_calls ?? []).map((toolCall) => ({
      id: toolCall.id,
      name: toolCall.function.name,
      arguments: toolCall.function.arguments ?? '',
    })),
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
    usage: toOpenAIUsage(completion.usage),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** OpenAI's `usage` in the library's words; absent counts are 0. */
export function toOpenAIUsage(usage: OpenAIUsage | null | undefined): Usage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}
