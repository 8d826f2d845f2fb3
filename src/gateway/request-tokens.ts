import { countTokens } from '../core/count-tokens.js';

/** Body fields whose text is sent to the model, in every wire shape the gateway speaks. */
const TEXT_FIELDS = ['messages', 'system', 'input', 'prompt', 'instructions', 'tools', 'tool_choice', 'response_format'] as const;
/** The output cap, by wire shape. */
const MAX_TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/**
 * The text of a raw request body that the model will read (message contents,
 * system prompts, tool definitions), joined with newlines. Walks the JSON with
 * an explicit stack (no recursion on client-controlled depth) and visits each
 * value once, so it is linear in the body's size.
 */
export function promptText(body: Record<string, unknown>): string {
  const parts: string[] = [];
  const stack: unknown[] = [];
  for (const field of TEXT_FIELDS) if (body[field] !== undefined) stack.push(body[field]);
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) for (let index = value.length - 1; index >= 0; index -= 1) stack.push(value[index]);
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) if (key !== 'data' && key !== 'image_url') stack.push(item);
  }
  return parts.join('\n');
}

/** The output tokens a request may use: its `max_tokens` (or `max_completion_tokens`, `max_output_tokens`), else 0. */
export function maxOutputTokens(body: Record<string, unknown>): number {
  for (const field of MAX_TOKEN_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  }
  return 0;
}

/**
 * The tokens a request reserves against a tokens-per-minute limit: its
 * prompt text counted with o200k_base (every provider's estimate here), plus
 * its output cap. The count yields to the event loop every 32 K characters,
 * so a prompt of megabytes never holds other requests up.
 */
export async function reservedTokens(body: Record<string, unknown>): Promise<number> {
  return (await countTokens(promptText(body))) + maxOutputTokens(body);
}
