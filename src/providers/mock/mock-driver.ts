import { nextLoopTurn } from '../../core/loop-turns.js';
import { countTokens } from '../../core/count-tokens.js';
import { abortableSleep as sleep } from '../../core/retry.js';
import type { DriverCallOptions, DriverEmbedOptions, DriverEmbedResult, DriverGenerateResult, DriverModel, DriverV1 } from '../../spec/driver.js';
import { refuseForeignExtras, unsupportedField } from '../../core/wire-passthrough.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { StreamPart } from '../../spec/stream.js';
import { createMockError, createMockTimeoutError } from './mock-error.js';
import { createSeededRandom as createRandom, hashString } from '../../core/seeded-random.js';
import { contentText } from '../message-text.js';
import { lastUserText, loremWords, mockLogprobs, mockToolCall } from './mock-generation.js';
import { MOCK_ERROR_TRIGGERS, MOCK_MODELS, MOCK_TOOL_TRIGGER, type MockDriverSettings, type MockErrorKind } from './mock-options.js';

const DEFAULT_LOREM_WORDS = 50;
/** Default `maxOutputTokens` and `maxDimensions`. */
export const MOCK_DEFAULT_MAX_OUTPUT_TOKENS = 8192;
export const MOCK_DEFAULT_MAX_DIMENSIONS = 8192;
/** A hash of a text's first 4 KiB and its length: deterministic per input, and cheap on a 4 MB prompt. */
function boundedHash(text: string): number {
  return (hashString(text.length > 4096 ? text.slice(0, 4096) : text) ^ text.length) >>> 0;
}

/** The most text parts the mock streams for one answer; longer answers get longer parts. */
const MAX_STREAM_PARTS = 2048;
/** Parts streamed between two yields to the event loop when the stream has no delay. */
const PARTS_PER_TURN = 64;

/**
 * The mock provider, a driver like any other: `mock/echo` replies with the
 * last user message, `mock/lorem` with max-tokens words (default 50), and
 * configured patterns with fixed replies. Latency, stream pace and error
 * injection (a probability, or the trigger phrases `[mock:429]`, `[mock:500]`,
 * `[mock:503]`, `[mock:timeout]`) are configurable; `[mock:tool]` (or a
 * required tool choice) makes it call a tool. Stop sequences cut the reply;
 * `logprobs` returns made-up, deterministic values per word; the other
 * sampling and reasoning settings are accepted and change nothing.
 * Deterministic for a given seed.
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

  function findModel(modelId: string): (typeof MOCK_MODELS)[number] {
    const model = MOCK_MODELS.find((entry) => entry.modelId === modelId);
    if (!model) {
      throw new SwitchyardError({
        code: 'model_not_found',
        status: 404,
        provider,
        message: `${provider}: unknown model "${modelId}" (available: ${MOCK_MODELS.map((entry) => entry.modelId).join(', ')})`,
      });
    }
    return model;
  }

  async function generate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const model = findModel(options.modelId);
    const maxOutputTokens = settings.maxOutputTokens ?? MOCK_DEFAULT_MAX_OUTPUT_TOKENS;
    if (options.maxTokens !== undefined && options.maxTokens > maxOutputTokens) {
      throw new SwitchyardError({
        code: 'invalid_request',
        status: 400,
        provider,
        param: 'maxTokens',
        message: `${provider}: max tokens ${options.maxTokens} is over the mock's limit of ${maxOutputTokens} (mock.maxOutputTokens)`,
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

    const random = createRandom((options.seed ?? settings.seed ?? 0) ^ boundedHash(prompt));
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
    // Stop sequences cut the reply where the first one starts, as providers do.
    let stopSequence: string | undefined;
    for (const stop of options.stop ?? []) {
      const at = stop === '' ? -1 : content.indexOf(stop);
      if (at !== -1 && (stopSequence === undefined || at < content.indexOf(stopSequence))) stopSequence = stop;
    }
    if (stopSequence !== undefined) content = content.slice(0, content.indexOf(stopSequence));
    const generated = result(options, content, [], finishReason, inputTokens, await countTokens(content));
    return {
      ...generated,
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      ...(options.logprobs === true ? { logprobs: mockLogprobs(content, options.topLogprobs ?? 0) } : {}),
    };
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
      id: `mock-${boundedHash(`${callCount}:${content}`).toString(36)}`,
      modelId: options.modelId,
      content,
      toolCalls,
      finishReason,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    };
  }

  async function* stream(options: DriverCallOptions): AsyncGenerator<StreamPart> {
    const generated = await generate(options);
    // At most MAX_STREAM_PARTS parts: a 1 MB echo in 8-character parts would be 130,000 events of pure overhead.
    const chunkSize = Math.max(settings.streamChunkSize ?? 8, Math.ceil(generated.content.length / MAX_STREAM_PARTS));
    const delayMs = settings.streamDelayMs ?? 0;
    for (let offset = 0, parts = 0; offset < generated.content.length; offset += chunkSize, parts++) {
      if (delayMs > 0 && offset > 0) await sleep(delayMs, options.signal);
      // A long answer without a pace still lets other requests run between its parts.
      else if (parts % PARTS_PER_TURN === 0) await nextLoopTurn();
      yield { type: 'text-delta', text: generated.content.slice(offset, offset + chunkSize) };
    }
    for (const [index, call] of generated.toolCalls.entries()) {
      yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
    }
    yield {
      type: 'finish',
      finishReason: generated.finishReason,
      usage: generated.usage,
      id: generated.id,
      toolCalls: generated.toolCalls,
      ...(generated.stopSequence !== undefined ? { stopSequence: generated.stopSequence } : {}),
      ...(generated.logprobs !== undefined ? { logprobs: generated.logprobs } : {}),
    };
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
      findModel(options.modelId);
      await sleep(settings.latencyMs ?? 0, options.signal);
      const dimensions = options.dimensions ?? 16;
      const maxDimensions = settings.maxDimensions ?? MOCK_DEFAULT_MAX_DIMENSIONS;
      if (dimensions > maxDimensions) {
        throw new SwitchyardError({
          code: 'invalid_request',
          status: 400,
          provider,
          param: 'dimensions',
          message: `${provider}: dimensions ${dimensions} is over the mock's limit of ${maxDimensions} (mock.maxDimensions)`,
        });
      }
      let inputTokens = 0;
      const embeddings: number[][] = [];
      for (const text of options.input) {
        inputTokens += await countTokens(text);
        const random = createRandom(boundedHash(text));
        const vector = Array.from({ length: dimensions }, () => random() * 2 - 1);
        let squares = 0;
        for (const value of vector) squares += value * value;
        const norm = Math.sqrt(squares) || 1;
        embeddings.push(vector.map((value) => value / norm));
      }
      return { embeddings, usage: { inputTokens, outputTokens: 0, totalTokens: inputTokens } };
    },
  };
}
