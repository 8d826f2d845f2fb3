import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import type { ChatRequest } from '../spec/request.js';
import { checkChatRequest } from './request-check.js';

const base: ChatRequest = { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] };

function paramOf(request: unknown): string | undefined {
  try {
    checkChatRequest(request as ChatRequest);
  } catch (error) {
    if (SwitchyardError.is(error) && error.code === 'invalid_request') return error.param;
    throw error;
  }
  return undefined;
}

describe('the library checks every shape it accepts', () => {
  it("refuses OpenAI's tool shape naming tools.0, and malformed tools by field", () => {
    expect(paramOf({ ...base, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] })).toBe('tools.0');
    expect(paramOf({ ...base, tools: [{ name: 'f', parameters: {} }, { name: '', parameters: {} }] })).toBe('tools.1.name');
    expect(paramOf({ ...base, tools: [{ name: 'f' }] })).toBe('tools.0.parameters');
    expect(paramOf({ ...base, tools: [{ name: 'f', parameters: {}, strict: 'yes' }] })).toBe('tools.0.strict');
    expect(paramOf({ ...base, tools: [{ name: 'f', parameters: {}, strict: true }], toolChoice: { name: 'f' } })).toBeUndefined();
  });

  it('checks content parts, tool calls and settings by field', () => {
    expect(paramOf({ ...base, messages: [{ role: 'user', content: [{ type: 'reasoning', text: 'x' }] }] })).toBe('messages.0.content.0');
    expect(paramOf({ ...base, messages: [{ role: 'user', content: [{ type: 'document', data: 'AAAA' }] }] })).toBe('messages.0.content.0.mediaType');
    expect(paramOf({ ...base, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] })).toBe('messages.0.content.0.type');
    expect(paramOf({ ...base, messages: [{ role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'f', arguments: {} }] }] })).toBe('messages.0.toolCalls.0.arguments');
    expect(paramOf({ ...base, toolChoice: 'any' })).toBe('toolChoice');
    expect(paramOf({ ...base, responseFormat: { type: 'json_schema' } })).toBe('responseFormat.schema');
    expect(paramOf({ ...base, topLogprobs: 30 })).toBe('topLogprobs');
    expect(paramOf({ ...base, reasoning: { effort: 'max' } })).toBe('reasoning.effort');
    expect(paramOf({ ...base, providerOptions: { openai: 'x' } })).toBe('providerOptions.openai');
    expect(
      paramOf({
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'document', data: 'AAAA', mediaType: 'application/pdf' }] },
          { role: 'assistant', content: [{ type: 'reasoning', text: 'r', signature: 's' }, { type: 'text', text: 'ok' }] },
        ],
        reasoning: { budgetTokens: 2048 },
        logprobs: true,
        topLogprobs: 2,
      }),
    ).toBeUndefined();
  });
});
