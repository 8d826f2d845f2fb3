import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import type { OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import type { TestGateway } from '../gateway-support.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

// The Vercel AI SDK's Chat Completions model (`createOpenAI({ baseURL }).chat(id)`) and its Anthropic provider,
// unmodified, through the gateway to a fake OpenAI and a fake Anthropic upstream, each in its own and the other wire.
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let gateway: TestGateway;
let pair: WirePair;
let openai: ReturnType<typeof createOpenAI>;
let anthropic: ReturnType<typeof createAnthropic>;

beforeAll(async () => {
  pair = await startWirePair();
  ({ openai: openaiUpstream, anthropic: anthropicUpstream, gateway } = pair);
  openai = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused' });
  anthropic = createAnthropic({ baseURL: `${gateway.url}/v1`, apiKey: 'unused' });
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const models = () => [
  { name: 'openai .chat -> OpenAI', model: openai.chat('openai/gpt-4o-mini'), upstream: openaiUpstream },
  { name: 'openai .chat -> Anthropic', model: openai.chat('anthropic/claude-haiku-4-5'), upstream: anthropicUpstream },
  { name: 'anthropic -> Anthropic', model: anthropic('anthropic/claude-haiku-4-5'), upstream: anthropicUpstream },
  { name: 'anthropic -> OpenAI', model: anthropic('openai/gpt-4o-mini'), upstream: openaiUpstream },
];

describe('Vercel AI SDK through the gateway', () => {
  it('generateText and streamText: text and usage intact, on each wire and across', async () => {
    for (const { name, model, upstream } of models()) {
      const generated = await generateText({ model, system: 'terse', prompt: 'hello ai sdk' });
      expect([name, generated.text, generated.finishReason]).toEqual([name, 'hello ai sdk', 'stop']);
      expect(generated.usage.inputTokens, name).toBeGreaterThan(0);
      expect(generated.usage.outputTokens, name).toBeGreaterThan(0);
      const streamed = streamText({ model, prompt: 'streamed through the gateway in pieces' });
      let text = '';
      for await (const piece of streamed.textStream) text += piece;
      expect([name, text]).toEqual([name, 'streamed through the gateway in pieces']);
      expect((await streamed.usage).outputTokens, name).toBeGreaterThan(0);
      expect(upstream.stats.requests, name).toBe(2);
      upstream.reset();
    }
  });

  it('runs a multi-step tool loop to a text answer, on each wire and across', async () => {
    for (const { name, model, upstream } of models()) {
      const calls: string[] = [];
      const result = await generateText({
        model,
        prompt: 'use the weather tool [tool]',
        tools: {
          weather: tool({
            description: 'Weather of a city',
            inputSchema: z.object({ input: z.string() }),
            execute: async ({ input }) => {
              calls.push(input);
              return 'sunny';
            },
          }),
        },
        stopWhen: stepCountIs(3),
      });
      expect([name, calls]).toEqual([name, ['use the weather tool [tool]']]);
      expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
      expect(result.text.length, name).toBeGreaterThan(0);
      expect(upstream.stats.requests, name).toBe(2);
      upstream.reset();
    }
  });

  it('generateObject: a JSON schema reaches the upstream (response_format or output_config) and the answer parses', async () => {
    const schema = z.object({ city: z.string(), temperature: z.number() });
    const prompt = '{"city":"Paris","temperature":21}';
    const viaChat = await generateObject({ model: openai.chat('openai/gpt-4o-mini'), schema, prompt });
    expect(viaChat.object).toEqual({ city: 'Paris', temperature: 21 });
    expect(openaiUpstream.lastRequest()?.body).toMatchObject({ response_format: { type: 'json_schema' } });
    const crossed = await generateObject({ model: openai.chat('anthropic/claude-haiku-4-5'), schema, prompt });
    expect(crossed.object).toEqual({ city: 'Paris', temperature: 21 });
    expect(anthropicUpstream.lastRequest()?.body).toMatchObject({ output_config: { format: { type: 'json_schema' } } });
  });
});
