import { countTokens } from '../../core/count-tokens.js';
import { abortableSleep as sleep } from '../../core/retry.js';
import type { DriverCallOptions, DriverEmbedOptions, DriverEmbedResult, DriverGenerateResult, DriverModel, DriverV1 } from '../../spec/driver.js';
import { refuseForeignExtras, unsupportedField } from '../../core/wire-passthrough.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { StreamPart } from '../../spec/stream.js';
import { createMockError, createMockTimeoutError } from './mock-error.js';
import { createSeededRandom as createRandom, hashString } from '../../core/seeded-random.js';
import { contentText } from '../message-text.js';
import { lastUserText, loremWords, mockToolCall } from './mock-generation.js';
import { MOCK_ERROR_TRIGGERS, MOCK_MODELS, MOCK_TOOL_TRIGGER, type MockDriverSettings, type MockErrorKind } from './mock-options.js';

const DEFAULT_LOREM_WORDS = 50;

/**
 * The mock provider, a driver like any other: `mock/echo` replies with the
 * last user message, `mock/lorem` with max-tokens words (default 50), and
 * configured patterns with fixed replies. Latency, stream pace and error
 * injection (a probability, or the trigger phrases `[mock:429]`, `[mock:500]`,
 * `[mock:503]`, `[mock:timeout]`) are configurable; `[mock:tool]` (or a
 * required tool choice) makes it call a tool. Deterministic for a given seed.
 */
export function createMockDriver(settings: MockDriverSettings = {}): DriverV1 {
  const provider = settings.provider ?? 'mock';
  const replies = (settings.replies ?? []).map((entry) => ({ pattern: new RegExp(entry.pattern, 'i'), reply: entry.reply }));
  const injectionRandom = createRandom(settings.seed ?? 0);
  const errorKinds = settings.errorKinds ?? ['429', '500'];
  let callCount = 0;

  function pickInjectedError(prompt: string): MockErrorKind | undefined {
    for (const [phrase, kind] of Object.entries(MOCK_ERROR_TRIGGERS)) {
      if (prompt.includes(phrase)) return kind;
    }
    const rate = settings.errorRate ?? 0;
    if (rate > 0 && injectionRandom() < rate) return errorKinds[Math.floor(injectionRandom() * errorKinds.length)];
    return undefined;
  }

  async function generate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const model = MOCK_MODELS.find((entry) => entry.modelId === options.modelId);
    if (!model) {
      throw new SwitchyardError({
        code: 'model_not_found',
        status: 404,
        provider,
        message: `${provider}: unknown model "${options.modelId}" (available: ${MOCK_MODELS.map((entry) => entry.modelId).join(', ')})`,
      });
    }
    refuseForeignExtras(options, provider);
    // The mock has no upstream to send fields to verbatim.
    const ownOptions = Object.keys(options.providerOptions?.[provider] ?? {});
    if (ownOptions.length > 0) throw unsupportedField(`providerOptions.${provider}.${ownOptions[0]}`, provider);
    callCount++;
    const prompt = lastUserText(options.messages);
    await sleep(settings.latencyMs ?? 0, options.signal);
    const injected = pickInjectedError(prompt);
    if (injected === 'timeout') {
      const timeoutMs = settings.timeoutMs ?? 30_000;
      await sleep(timeoutMs, options.signal);
      throw createMockTimeoutError(provider, timeoutMs);
    }
    if (injected) throw createMockError(injected, provider);

    const random = createRandom((options.seed ?? settings.seed ?? 0) ^ hashString(prompt));
    const wantsTool =
      (options.tools?.length ?? 0) > 0 &&
      options.toolChoice !== 'none' &&
      (options.toolChoice === 'required' || typeof options.toolChoice === 'object' || prompt.includes(MOCK_TOOL_TRIGGER));
    const inputTokens = await countTokens(options.messages.map((message) => contentText(message.content)).join('\n'));
    if (wantsTool) {
      const chosen = typeof options.toolChoice === 'object' ? options.tools!.find((tool) => tool.name === (options.toolChoice as { name: string }).name) : options.tools![0];
      if (!chosen) throw new SwitchyardError({ code: 'invalid_request', status: 400, provider, param: 'toolChoice', message: `${provider}: toolChoice names a tool that is not in tools` });
      const call = mockToolCall(chosen, random);
      const outputTokens = await countTokens(call.name + call.arguments);
      return result(options, '', [call], 'tool-calls', inputTokens, outputTokens);
    }
    let content = replies.find((entry) => entry.pattern.test(prompt))?.reply;
    let finishReason: DriverGenerateResult['finishReason'] = 'stop';
    if (content === undefined) {
      if (model.modelId === 'lorem') {
        content = loremWords(options.maxTokens ?? DEFAULT_LOREM_WORDS, random);
        if (options.maxTokens !== undefined) finishReason = 'length';
      } else {
        content = prompt;
      }
    }
    return result(options, content, [], finishReason, inputTokens, await countTokens(content));
  }

  function result(
    options: DriverCallOptions,
    content: string,
    toolCalls: DriverGenerateResult['toolCalls'],
    finishReason: DriverGenerateResult['finishReason'],
    inputTokens: number,
    outputTokens: number,
  ): DriverGenerateResult {
    return {
      id: `mock-${hashString(`${callCount}:${content}`).toString(36)}`,
      modelId: options.modelId,
      content,
      toolCalls,
      finishReason,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    };
  }

  async function* stream(options: DriverCallOptions): AsyncGenerator<StreamPart> {
    const generated = await generate(options);
    const chunkSize = settings.streamChunkSize ?? 8;
    const delayMs = settings.streamDelayMs ?? 0;
    for (let offset = 0; offset < generated.content.length; offset += chunkSize) {
      await sleep(offset > 0 ? delayMs : 0, options.signal);
      yield { type: 'text-delta', text: generated.content.slice(offset, offset + chunkSize) };
    }
    for (const [index, call] of generated.toolCalls.entries()) {
      yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
    }
    yield { type: 'finish', finishReason: generated.finishReason, usage: generated.usage, id: generated.id };
  }

  return {
    specificationVersion: 'v1',
    provider,
    doGenerate: generate,
    doStream: stream,
    async listModels(): Promise<DriverModel[]> {
      return MOCK_MODELS.map((model) => ({ modelId: model.modelId, name: model.name, ownedBy: provider }));
    },
    async doEmbed(options: DriverEmbedOptions): Promise<DriverEmbedResult> {
      await sleep(settings.latencyMs ?? 0, options.signal);
      const dimensions = options.dimensions ?? 16;
      let inputTokens = 0;
      const embeddings: number[][] = [];
      for (const text of options.input) {
        inputTokens += await countTokens(text);
        const random = createRandom(hashString(text));
        const vector = Array.from({ length: dimensions }, () => random() * 2 - 1);
        const norm = Math.hypot(...vector) || 1;
        embeddings.push(vector.map((value) => value / norm));
      }
      return { embeddings, usage: { inputTokens, outputTokens: 0, totalTokens: inputTokens } };
    },
  };
}
