import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The Vercel AI SDK's default OpenAI model (`createOpenAI({ baseURL, apiKey })(id)`, which talks the Responses API),
// unmodified, through the gateway to providers that do not speak it: the mock and a fake Anthropic upstream.
let anthropic: AnthropicMockServer;
let gateway: TestGateway;
let openai: ReturnType<typeof createOpenAI>;

const CLAUDE = 'anthropic/claude-haiku-4-5';
type SentMessages = { system?: unknown; stream?: boolean; messages: Array<{ role: string; content: unknown }>; tools?: unknown[] };
const sent = () => anthropic.lastRequest()?.body as SentMessages;

beforeAll(async () => {
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-upstream-key' });
  gateway = await startTestGateway({
    providers: { anthropic: { baseURL: anthropic.url, apiKey: 'anthropic-upstream-key', retries: 0 } },
    server: { apiKeys: ['ai-sdk:key-ai-sdk'] },
  });
  openai = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-ai-sdk' });
});

afterAll(async () => {
  await gateway?.stop();
  await anthropic?.close();
});

describe('Vercel AI SDK default OpenAI model through the gateway', () => {
  it('generateText reaches an Anthropic upstream with the system prompt, text and usage intact', async () => {
    const result = await generateText({ model: openai(CLAUDE), system: 'You are terse.', prompt: 'hello from the ai sdk' });
    expect(result.text).toBe('hello from the ai sdk');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
    expect(sent().system).toBe('You are terse.');
    expect(sent().messages).toEqual([{ role: 'user', content: 'hello from the ai sdk' }]);
  });

  it('streamText streams the text in pieces with usage at the end', async () => {
    const prompt = 'a streamed answer for the vercel ai sdk in several pieces';
    const result = streamText({ model: openai(CLAUDE), prompt });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(prompt);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe('stop');
    expect(sent().stream).toBe(true);
  });

  it('runs a multi-step tool loop: the tool call, its result sent back, then the answer', async () => {
    const calls: string[] = [];
    const result = await generateText({
      model: openai(CLAUDE),
      prompt: 'weather in Paris? [tool]',
      tools: {
        get_weather: tool({
          description: 'Current weather of a city',
          inputSchema: z.object({ input: z.string() }),
          execute: async ({ input }) => {
            calls.push(input);
            return { temperature: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(calls).toEqual(['weather in Paris? [tool]']);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0].toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { input: 'weather in Paris? [tool]' } });
    expect(result.steps[1].finishReason).toBe('stop');
    const messages = sent().messages;
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', content: [{ type: 'tool_use', name: 'get_weather' }] });
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: [{ type: 'tool_result', content: '{"temperature":21}' }] });
  });

  it('generateObject sends a JSON schema format and parses the answer', async () => {
    const { object } = await generateObject({
      model: openai('mock/echo'),
      schema: z.object({ city: z.string(), temperature: z.number() }),
      prompt: '{"city":"Paris","temperature":21}',
    });
    expect(object).toEqual({ city: 'Paris', temperature: 21 });
  });
});
