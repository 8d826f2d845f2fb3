import { countTokensLinear, tokenCounter } from '../core/count-tokens.js';
import type { Message } from '../spec/messages.js';

/** A token count; `estimated` is false only when counted with the model's own tokenizer. */
export interface TokenEstimate {
  tokens: number;
  estimated: boolean;
}

/** What to count: plain text or chat messages. */
export type TokenInput = string | readonly Message[];

/** o200k_base, the tables loaded on first use (about 100 ms; a gateway loads them before it listens). Linear in the text, long words included. */
function o200kCount(text: string): number {
  return countTokensLinear(tokenCounter(), text);
}

/** OpenAI model families tokenized with o200k_base. */
const O200K_MODELS = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/;

// OpenAI's chat framing: about 3 tokens per message plus 3 to prime the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;
const TOKENS_PER_IMAGE = 85;

function countMessages(messages: readonly Message[]): { tokens: number; hasImages: boolean } {
  let tokens = TOKENS_PER_REPLY;
  let hasImages = false;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + o200kCount(message.role);
    if (typeof message.content === 'string') tokens += o200kCount(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (part.type === 'text') tokens += o200kCount(part.text);
        else {
          hasImages = true;
          tokens += TOKENS_PER_IMAGE;
        }
      }
    }
    if (message.role === 'assistant' && message.toolCalls !== undefined) {
      for (const call of message.toolCalls) tokens += o200kCount(call.name) + o200kCount(call.arguments) + TOKENS_PER_MESSAGE;
    }
    if (message.role === 'tool') tokens += o200kCount(message.toolCallId);
  }
  return { tokens, hasImages };
}

/**
 * Counts tokens for a model with gpt-tokenizer's o200k_base encoding. Exact
 * (`estimated: false`) for plain text on OpenAI's o200k models; chat messages
 * add OpenAI's per-message framing. Other providers use other tokenizers, so
 * their counts (and anything with images) are marked `estimated: true`.
 */
export function estimateTokens(input: TokenInput, model: { provider: string; modelId: string }): TokenEstimate {
  const exactFamily = model.provider === 'openai' && O200K_MODELS.test(model.modelId);
  if (typeof input === 'string') return { tokens: o200kCount(input), estimated: !exactFamily };
  const { tokens, hasImages } = countMessages(input);
  return { tokens, estimated: !exactFamily || hasImages };
}
