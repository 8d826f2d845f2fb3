import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnthropicMockServer } from '../../src/mock-upstream/anthropic-server.js';
import { waitFor } from '../support/driver.js';
import { startWirePair, type WirePair } from '../support/upstream-fleet.js';

/*
 * A streamed `n` > 1 on a provider without `n` (Anthropic here): n upstream
 * streams of the request without `n`, merged into one chunk stream whose
 * chunks carry each choice's `index`; every choice whole, with its own
 * finish reason, and the usage chunk summing the completions (the prompt
 * counted once, as OpenAI counts it).
 */

let pair: WirePair;
let anthropic: AnthropicMockServer;
let client: OpenAI;

beforeAll(async () => {
  pair = await startWirePair();
  anthropic = pair.anthropic;
  client = new OpenAI({ baseURL: `${pair.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await pair?.close();
});

beforeEach(() => pair.reset());

const CLAUDE = 'anthropic/claude-haiku-4-5';

interface Choice {
  role?: string;
  text: string;
  finishReason?: string | null;
  calls: Map<number, { id?: string; name?: string; arguments: string }>;
}

async function readChoices(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const choices = new Map<number, Choice>();
  let usage: OpenAI.CompletionUsage | undefined;
  const ids = new Set<string>();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const entry: Choice = choices.get(choice.index) ?? { text: '', calls: new Map() };
      choices.set(choice.index, entry);
      expect(entry.finishReason ?? null, `choice ${choice.index} got a chunk after its finish`).toBeNull();
      if (choice.delta.role) entry.role = choice.delta.role;
      entry.text += choice.delta.content ?? '';
      if (choice.finish_reason) entry.finishReason = choice.finish_reason;
      for (const call of choice.delta.tool_calls ?? []) {
        const own = entry.calls.get(call.index) ?? { arguments: '' };
        entry.calls.set(call.index, own);
        if (call.id) own.id = call.id;
        if (call.function?.name) own.name = call.function.name;
        own.arguments += call.function?.arguments ?? '';
      }
    }
  }
  return { choices, usage, ids };
}

describe('streamed n > 1 on a provider without n', () => {
  it('merges n upstream streams into one chunk stream, each choice under its index, usage summed in the last chunk', async () => {
    const single = await client.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'three from claude' }] });
    pair.reset();

    const stream = await client.chat.completions.create({
      model: CLAUDE,
      n: 3,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'three from claude' }],
    });
    const { choices, usage, ids } = await readChoices(stream);
    expect([...choices.keys()].sort()).toEqual([0, 1, 2]);
    for (const [index, choice] of choices) {
      expect(choice, `choice ${index}`).toMatchObject({ role: 'assistant', text: 'three from claude', finishReason: 'stop' });
    }
    expect(ids.size).toBe(1);
    expect(usage).toEqual({
      prompt_tokens: single.usage!.prompt_tokens,
      completion_tokens: 3 * single.usage!.completion_tokens,
      total_tokens: single.usage!.prompt_tokens + 3 * single.usage!.completion_tokens,
    });
    expect(anthropic.stats.requests).toBe(3);
    const sent = anthropic.lastRequest()?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ stream: true, messages: [{ role: 'user', content: 'three from claude' }] });
    expect(sent).not.toHaveProperty('n');
  });

  it('gives the SDK stream helper every choice, tool calls included, each with its own call indices', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { input: { type: 'string' } } } } },
      { type: 'function', function: { name: 'translate', parameters: { type: 'object', properties: { input: { type: 'string' } } } } },
    ];
    const runner = client.chat.completions.stream({ model: CLAUDE, n: 2, tools, messages: [{ role: 'user', content: 'use them [tool]' }] });
    const final = await runner.finalChatCompletion();
    expect(final.choices.map((choice) => choice.index)).toEqual([0, 1]);
    const args = JSON.stringify({ input: 'use them [tool]' });
    for (const choice of final.choices) {
      expect(choice.finish_reason).toBe('tool_calls');
      const calls = choice.message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
      expect(calls.map((call) => [call.function.name, call.function.arguments])).toEqual([
        ['lookup', args],
        ['translate', args],
      ]);
    }
    // Two upstream answers: their calls are not mixed up.
    const firstIds = (final.choices[0].message.tool_calls ?? []).map((call) => call.id);
    const secondIds = (final.choices[1].message.tool_calls ?? []).map((call) => call.id);
    expect(new Set([...firstIds, ...secondIds]).size).toBe(4);
    expect(anthropic.stats.requests).toBe(2);
  });

  it('refuses more than 16 choices before any upstream call, naming n', async () => {
    await expect(
      client.chat.completions.create({ model: CLAUDE, n: 17, stream: true, messages: [{ role: 'user', content: 'too many' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'n' });
    expect(anthropic.stats.requests).toBe(0);
  });

  it('releases every upstream stream when the client leaves mid-answer', async () => {
    anthropic.configure({ streamChunkDelayMs: 200 });
    try {
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: CLAUDE, n: 3, stream: true, messages: [{ role: 'user', content: 'a long answer of many words that takes a while' }] },
        { signal: controller.signal },
      );
      const seen = new Set<number>();
      for await (const chunk of stream) {
        for (const choice of chunk.choices) seen.add(choice.index);
        if (seen.size === 3) {
          controller.abort();
          break;
        }
      }
      expect(seen.size).toBe(3);
      // A bound, not a timing assertion: every one of the three upstream streams is closed before its end.
      await waitFor(() => anthropic.stats.closedRequests === 3, 10_000);
      expect(anthropic.stats.requests).toBe(3);
    } finally {
      anthropic.configure({ streamChunkDelayMs: 0 });
    }
  });

  it('answers an upstream failure of one choice before the stream starts as an error, the other upstream calls released', async () => {
    anthropic.enqueue({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'no thanks' } } });
    await expect(
      client.chat.completions.create({ model: CLAUDE, n: 2, stream: true, messages: [{ role: 'user', content: 'one fails' }] }),
    ).rejects.toMatchObject({ status: 400 });
    // The gateway is still fine afterwards.
    const stream = await client.chat.completions.create({ model: CLAUDE, n: 2, stream: true, messages: [{ role: 'user', content: 'both fine' }] });
    const { choices } = await readChoices(stream);
    expect([...choices.values()].map((choice) => choice.text)).toEqual(['both fine', 'both fine']);
  });
});
