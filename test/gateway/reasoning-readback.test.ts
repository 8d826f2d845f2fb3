import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreamFleet, type UpstreamFleet } from '../support/upstream-fleet.js';

/*
 * What Gemini and Ollama think, and Gemini's log probabilities, read back
 * into the neutral answer and out to OpenAI-, Anthropic- and Responses-wire
 * clients: Gemini `thought: true` parts (with their `thoughtSignature`) and
 * `logprobsResult`, Ollama `message.thinking`, streamed and not. The fakes
 * produce them only when asked (thinkingConfig.includeThoughts,
 * responseLogprobs, think), as the providers do.
 */

let fleet: UpstreamFleet;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fleet = await startUpstreamFleet();
  openai = new OpenAI({ baseURL: `${fleet.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: fleet.gateway.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await fleet?.close();
});

const GEMINI = 'gemini/gemini-2.5-flash';
const OLLAMA = 'ollama/llama3.2';
const thought = (text: string) => `Thinking about answering "${text}".`;
const signatureOf = (text: string) => Buffer.from(`mock-thought:${thought(text)}`).toString('base64');
type WithReasoning = { reasoning_content?: string };

async function streamedChat(model: string, body: Partial<OpenAI.ChatCompletionCreateParamsStreaming>) {
  const stream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'think twice' }], stream: true, ...body });
  let reasoning = '';
  let text = '';
  const logprobs: OpenAI.ChatCompletionTokenLogprob[] = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    reasoning += (choice?.delta as WithReasoning | undefined)?.reasoning_content ?? '';
    text += choice?.delta.content ?? '';
    logprobs.push(...(choice?.logprobs?.content ?? []));
  }
  return { reasoning, text, logprobs };
}

describe('Gemini thoughts and logprobs', () => {
  it('reach an OpenAI-wire client as reasoning_content, non-streamed and streamed; the upstream was asked for thoughts', async () => {
    const completion = await openai.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'think twice' }], reasoning_effort: 'low' });
    const message = completion.choices[0].message as OpenAI.ChatCompletionMessage & WithReasoning;
    expect(message.content).toBe('think twice');
    expect(message.reasoning_content).toBe(thought('think twice'));
    expect(fleet.upstreamOf('gemini')!.lastRequest()?.body).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } } });
    // Thought tokens are billed as output.
    expect(completion.usage?.completion_tokens).toBe(2 + thought('think twice').split(' ').length);

    const streamed = await streamedChat(GEMINI, { reasoning_effort: 'low' });
    expect(streamed).toMatchObject({ reasoning: thought('think twice'), text: 'think twice' });

    // Not asked, not there.
    const plain = await openai.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'no thinking' }] });
    expect((plain.choices[0].message as WithReasoning).reasoning_content).toBeUndefined();
  });

  it('reach an Anthropic-wire client as a thinking block with the thought signature, non-streamed and streamed', async () => {
    const request = { model: GEMINI, max_tokens: 4000, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [{ role: 'user' as const, content: 'think twice' }] };
    const message = await anthropic.messages.create(request);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: thought('think twice'), signature: signatureOf('think twice') },
      expect.objectContaining({ type: 'text', text: 'think twice' }),
    ]);
    const final = await anthropic.messages.stream(request).finalMessage();
    expect(final.content[0]).toEqual({ type: 'thinking', thinking: thought('think twice'), signature: signatureOf('think twice') });
    expect(final.content[1]).toMatchObject({ type: 'text', text: 'think twice' });
  });

  it('reach a Responses client as a reasoning item', async () => {
    const response = await openai.responses.create({ model: GEMINI, input: 'think twice', reasoning: { effort: 'low' } });
    const reasoning = response.output.find((item) => item.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: thought('think twice') }]);
    expect(response.output_text).toBe('think twice');
  });

  it('logprobs (responseLogprobs, logprobs N) reach an OpenAI-wire client with their top alternatives, non-streamed and streamed', async () => {
    const completion = await openai.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'two words' }], logprobs: true, top_logprobs: 2 });
    expect(fleet.upstreamOf('gemini')!.lastRequest()?.body).toMatchObject({ generationConfig: { responseLogprobs: true, logprobs: 2 } });
    const content = completion.choices[0].logprobs?.content;
    expect(content?.map((entry) => [entry.token, entry.logprob])).toEqual([
      ['two ', -0.01],
      ['words', -0.02],
    ]);
    expect(content?.[0].top_logprobs.map((entry) => entry.token)).toEqual(['two ', 'two~1']);

    const streamed = await streamedChat(GEMINI, { messages: [{ role: 'user', content: 'two words' }], logprobs: true, top_logprobs: 1 });
    expect(streamed.text).toBe('two words');
    expect(streamed.logprobs.map((entry) => entry.token)).toEqual(['two ', 'words']);
    expect(streamed.logprobs.every((entry) => entry.top_logprobs.length === 1)).toBe(true);
  });
});

describe('Ollama thinking', () => {
  it('reaches an OpenAI-wire client as reasoning_content, non-streamed and streamed; the upstream was asked to think', async () => {
    const completion = await openai.chat.completions.create({ model: OLLAMA, messages: [{ role: 'user', content: 'think twice' }], reasoning_effort: 'medium' });
    expect((completion.choices[0].message as WithReasoning).reasoning_content).toBe(thought('think twice'));
    expect(completion.choices[0].message.content).toBe('think twice');
    expect(fleet.upstreamOf('ollama')!.lastRequest()?.body).toMatchObject({ think: true });

    const streamed = await streamedChat(OLLAMA, { reasoning_effort: 'medium' });
    expect(streamed).toMatchObject({ reasoning: thought('think twice'), text: 'think twice' });
  });

  it('reaches an Anthropic-wire client as a thinking block, streamed', async () => {
    const stream = anthropic.messages.stream({ model: OLLAMA, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'think twice' }] });
    let deltas = '';
    stream.on('thinking', (delta) => {
      deltas += delta;
    });
    const final = await stream.finalMessage();
    expect(deltas).toBe(thought('think twice'));
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: thought('think twice') });
    expect(final.content[1]).toMatchObject({ type: 'text', text: 'think twice' });
  });
});
