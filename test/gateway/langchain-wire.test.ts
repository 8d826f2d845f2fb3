import { ChatAnthropic } from '@langchain/anthropic';
import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import type { OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import type { TestGateway } from '../gateway-support.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

// LangChain.js ChatOpenAI and ChatAnthropic, unmodified, through the gateway to fake upstreams of both wires.
let openaiUpstream: OpenAIMockServer;
let anthropicUpstream: AnthropicMockServer;
let gateway: TestGateway;
let pair: WirePair;

beforeAll(async () => {
  pair = await startWirePair();
  ({ openai: openaiUpstream, anthropic: anthropicUpstream, gateway } = pair);
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const chatOpenAI = (model: string) => new ChatOpenAI({ model, apiKey: 'unused', configuration: { baseURL: `${gateway.url}/v1` }, maxRetries: 0 });
const chatAnthropic = (model: string) => new ChatAnthropic({ model, apiKey: 'unused', anthropicApiUrl: gateway.url, maxRetries: 0 });
const models = () => [
  { name: 'ChatOpenAI -> OpenAI', chat: chatOpenAI('openai/gpt-4o-mini'), upstream: openaiUpstream },
  { name: 'ChatOpenAI -> Anthropic', chat: chatOpenAI('anthropic/claude-haiku-4-5'), upstream: anthropicUpstream },
  { name: 'ChatAnthropic -> Anthropic', chat: chatAnthropic('anthropic/claude-haiku-4-5'), upstream: anthropicUpstream },
  { name: 'ChatAnthropic -> OpenAI', chat: chatAnthropic('openai/gpt-4o-mini'), upstream: openaiUpstream },
];

const weather = { name: 'weather', description: 'Weather of a city', schema: z.object({ input: z.string() }) };

describe('LangChain.js through the gateway', () => {
  it('invoke and stream with usage, on each wire and across', async () => {
    for (const { name, chat, upstream } of models()) {
      const answer = await chat.invoke('hello langchain');
      expect([name, answer.content]).toEqual([name, 'hello langchain']);
      expect(answer.usage_metadata?.input_tokens, name).toBeGreaterThan(0);
      let streamed: AIMessageChunk | undefined;
      for await (const chunk of await chat.stream('streamed for langchain in pieces')) streamed = streamed ? streamed.concat(chunk) : chunk;
      expect([name, streamed?.content]).toEqual([name, 'streamed for langchain in pieces']);
      expect(streamed?.usage_metadata?.input_tokens, name).toBeGreaterThan(0);
      expect(streamed?.usage_metadata?.output_tokens, name).toBeGreaterThan(0);
      expect(upstream.stats.requests, name).toBe(2);
      upstream.reset();
    }
  });

  it('bindTools: the model calls the tool, on each wire and across', async () => {
    for (const { name, chat, upstream } of models()) {
      const answer = await chat.bindTools([weather], { tool_choice: 'any' }).invoke('what is the weather');
      expect([name, answer.tool_calls?.map((call) => [call.name, call.args])]).toEqual([name, [['weather', { input: 'what is the weather' }]]]);
      expect(upstream.stats.requests, name).toBe(1);
      upstream.reset();
    }
  });

  it('withStructuredOutput: a JSON schema (ChatOpenAI) or a forced tool (ChatAnthropic), parsed, on each wire and across', async () => {
    const schema = z.object({ input: z.string() });
    const prompt = '{"input":"structured please"}';
    for (const { name, chat, upstream } of models()) {
      const result = await chat.withStructuredOutput(schema, { name: 'weather' }).invoke(prompt);
      const viaSchema = name.startsWith('ChatOpenAI');
      // The fakes echo the prompt as text, or call the tool with it as `input`.
      expect([name, result]).toEqual([name, viaSchema ? { input: 'structured please' } : { input: prompt }]);
      const sent = upstream.lastRequest()?.body as Record<string, unknown>;
      if (viaSchema) expect(sent.response_format ?? sent.output_config, name).toBeDefined();
      else expect(sent.tools, name).toHaveLength(1);
    }
  });
});
