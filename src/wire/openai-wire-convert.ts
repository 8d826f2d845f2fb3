import type { ContentPart, Message, ResponseFormat, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import type { ChatResponse, EmbedResponse, FinishReason, ModelInfo, TokenLogprob, Usage } from '../spec/response.js';
import type { DeltaPart, FinishPart } from '../spec/stream.js';
import { isModelledUserPart, type OpenAIChatRequest, type OpenAIMessage, type OpenAIModelledUserPart } from './openai-wire-schemas.js';
import { wireRequestOf, type WireFieldPlan } from './wire-extras.js';

/**
 * The Chat Completions fields the neutral settings model; every other field
 * travels verbatim to an OpenAI-wire provider and is refused by the others
 * unless its value is one of `noOps` (the API's default).
 */
export const OPENAI_CHAT_FIELDS: WireFieldPlan = {
  modelled: new Set([
    'model',
    'messages',
    'stream',
    'stream_options',
    'temperature',
    'top_p',
    'max_tokens',
    'max_completion_tokens',
    'stop',
    'seed',
    'tools',
    'tool_choice',
    'response_format',
    'user',
    'frequency_penalty',
    'presence_penalty',
    'logprobs',
    'top_logprobs',
    'parallel_tool_calls',
    'reasoning_effort',
  ]),
  noOps: {
    n: [1],
    store: [false],
    logit_bias: [{}],
    metadata: [{}],
    service_tier: ['auto'],
    modalities: [['text']],
  },
};

/*
 * OpenAI Chat Completions wire <-> Switchyard spec: the request mapping, the
 * response body, and the stream chunks.
 */

function textOf(content: string | Array<{ type: string; text?: string; refusal?: string }>): string {
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? part.refusal ?? '').join('');
}

function userPart(part: OpenAIModelledUserPart, path: string, unmodelled: Record<string, unknown>): ContentPart[] {
  if (part.type === 'text') return [{ type: 'text', text: part.text }];
  if (part.type === 'image_url') return [{ type: 'image', url: part.image_url.url }];
  const dataUrl = part.file.file_data === undefined ? null : /^data:([^;,]+);base64,(.*)$/s.exec(part.file.file_data);
  if (dataUrl === null) {
    // A file_id names a file stored at OpenAI: only OpenAI can read it.
    unmodelled[path] = 'file';
    return [];
  }
  return [{ type: 'document', data: dataUrl[2], mediaType: dataUrl[1], ...(part.file.filename ? { title: part.file.filename } : {}) }];
}

function userContent(content: Extract<OpenAIMessage, { role: 'user' }>['content'], path: string, unmodelled: Record<string, unknown>): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.flatMap((part, index): ContentPart[] => {
    if (isModelledUserPart(part)) return userPart(part, `${path}.${index}`, unmodelled);
    unmodelled[`${path}.${index}`] = part.type;
    return [];
  });
}

function toMessage(message: OpenAIMessage, index: number, unmodelled: Record<string, unknown>): Message {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content) };
    case 'user':
      return { role: 'user', content: userContent(message.content, `messages.${index}.content`, unmodelled) };
    case 'assistant': {
      const toolCalls = message.tool_calls?.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
      return {
        role: 'assistant',
        content: message.content == null ? null : textOf(message.content),
        ...(toolCalls && toolCalls.length > 0 ? { toolCalls } : {}),
      };
    }
    case 'tool':
      return { role: 'tool', content: textOf(message.content), toolCallId: message.tool_call_id };
  }
}

function toToolChoice(choice: NonNullable<OpenAIChatRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function toResponseFormat(format: NonNullable<OpenAIChatRequest['response_format']>): ResponseFormat {
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  const schema = format.json_schema;
  return { type: 'json_schema', name: schema.name, schema: schema.schema ?? {}, ...(schema.strict != null ? { strict: schema.strict } : {}) };
}

/**
 * Maps a validated OpenAI chat request onto the spec's generation settings,
 * with the body itself as `wireRequest` (same-wire passthrough).
 */
export function fromOpenAIChatRequest(body: OpenAIChatRequest): GenerationSettings {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const unmodelled: Record<string, unknown> = {};
  const settings: GenerationSettings = { messages: body.messages.map((message, index) => toMessage(message, index, unmodelled)) };
  if (body.temperature != null) settings.temperature = body.temperature;
  if (body.top_p != null) settings.topP = body.top_p;
  if (maxTokens != null) settings.maxTokens = maxTokens;
  if (body.stop != null) settings.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) settings.seed = body.seed;
  if (body.tools && body.tools.length > 0) {
    settings.tools = body.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      parameters: tool.function.parameters ?? { type: 'object', properties: {} },
      ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
    }));
    if (body.parallel_tool_calls === false) settings.parallelToolCalls = false;
  }
  if (body.tool_choice !== undefined) settings.toolChoice = toToolChoice(body.tool_choice);
  if (body.response_format !== undefined) settings.responseFormat = toResponseFormat(body.response_format);
  if (body.user !== undefined) settings.user = body.user;
  // Values that change nothing (0 penalties, logprobs false) are left out, so no provider refuses them.
  if (body.frequency_penalty) settings.frequencyPenalty = body.frequency_penalty;
  if (body.presence_penalty) settings.presencePenalty = body.presence_penalty;
  if (body.logprobs === true) {
    settings.logprobs = true;
    if (body.top_logprobs != null) settings.topLogprobs = body.top_logprobs;
  }
  if (body.reasoning_effort != null) settings.reasoning = { effort: body.reasoning_effort };
  const wire = wireRequestOf('openai-chat', body, OPENAI_CHAT_FIELDS);
  settings.wireRequest = Object.keys(unmodelled).length > 0 ? { ...wire, extras: { ...wire.extras, ...unmodelled } } : wire;
  return settings;
}

/** OpenAI's finish_reason for a spec finish reason. */
export function toOpenAIFinishReason(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  if (reason === 'length') return 'length';
  if (reason === 'tool-calls') return 'tool_calls';
  if (reason === 'content-filter') return 'content_filter';
  return 'stop';
}

/** OpenAI's `logprobs` object of a choice. */
export function toOpenAILogprobs(logprobs: TokenLogprob[]) {
  const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token)] });
  return {
    content: logprobs.map((item) => ({ ...entry(item.token, item.logprob), top_logprobs: (item.topLogprobs ?? []).map((top) => entry(top.token, top.logprob)) })),
    refusal: null,
  };
}

/** OpenAI's usage object. */
export function toOpenAIUsage(usage: Usage): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.totalTokens };
}

/** Seconds since the epoch, as OpenAI's `created`. */
export function createdNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** The `chat.completion` body of a response. */
export function toOpenAIChatCompletion(response: ChatResponse) {
  const toolCalls = response.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
  return {
    id: response.id,
    object: 'chat.completion' as const,
    created: createdNow(),
    model: response.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: toolCalls.length > 0 && response.content === '' ? null : response.content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(response.reasoning !== undefined ? { reasoning_content: response.reasoning.map((part) => part.text).join('') } : {}),
        },
        logprobs: response.logprobs !== undefined ? toOpenAILogprobs(response.logprobs) : null,
        finish_reason: toOpenAIFinishReason(response.finishReason),
      },
    ],
    usage: toOpenAIUsage(response.usage),
    system_fingerprint: null,
  };
}

/** Builds the `chat.completion.chunk` objects of one stream; keeps which tool calls were announced. */
export interface OpenAIChunkBuilder {
  /** The first chunk: the assistant role with empty content. */
  start(): object;
  /** The chunk for a text or tool-call delta (finish parts go to `finish`). */
  delta(part: DeltaPart): object;
  /** The chunk carrying finish_reason (and `usage: null` when usage comes separately), with the answer's logprobs when it has them. */
  finish(part: FinishPart): object;
  /** The usage chunk (`choices: []`) sent when `stream_options.include_usage`. */
  usage(part: FinishPart): object;
}

/** Creates the chunk builder for one streamed completion (for choice `choice` of several, default 0). */
export function createOpenAIChunkBuilder(options: { id: string; model: string; includeUsage: boolean; choice?: number }): OpenAIChunkBuilder {
  const index = options.choice ?? 0;
  const created = createdNow();
  const announced = new Set<number>();
  const extra = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: string | null = null, logprobs: object | null = null) => ({
    id: options.id,
    object: 'chat.completion.chunk',
    created,
    model: options.model,
    system_fingerprint: null,
    choices: [{ index, delta, logprobs, finish_reason: finishReason }],
    ...extra,
  });
  return {
    start: () => chunk({ role: 'assistant', content: '', refusal: null }),
    delta(part) {
      if (part.type === 'text-delta') return chunk({ content: part.text });
      // Reasoning as OpenAI-compatible servers (DeepSeek, vLLM) stream it; OpenAI's own clients ignore the field.
      if (part.type === 'reasoning-delta') return chunk({ reasoning_content: part.text });
      if (announced.has(part.index)) return chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] });
      announced.add(part.index);
      return chunk({
        tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name ?? '', arguments: part.argumentsDelta } }],
      });
    },
    // A provider that reports logprobs only with the whole answer (Gemini across wires): they come with the finish chunk.
    finish: (part) => chunk({}, toOpenAIFinishReason(part.finishReason), part.logprobs !== undefined ? toOpenAILogprobs(part.logprobs) : null),
    usage: (part) => ({
      id: options.id,
      object: 'chat.completion.chunk',
      created,
      model: part.model ?? options.model,
      system_fingerprint: null,
      choices: [],
      usage: toOpenAIUsage(part.usage),
    }),
  };
}

/** One model in OpenAI's shape (GET /v1/models/{id}). */
export function toOpenAIModel(model: ModelInfo) {
  return { id: model.id, object: 'model' as const, created: model.createdAt ?? 0, owned_by: model.ownedBy ?? model.provider };
}

/** GET /v1/models in OpenAI's list shape. */
export function toOpenAIModelList(models: ModelInfo[]) {
  return { object: 'list' as const, data: models.map(toOpenAIModel) };
}

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: "base64"`. */
export function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** The embeddings list body, vectors as floats or base64. */
export function toOpenAIEmbeddingList(response: EmbedResponse, encoding: 'float' | 'base64') {
  return {
    object: 'list' as const,
    data: response.embeddings.map((vector, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? float32Base64(vector) : vector,
    })),
    model: response.model,
    usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.totalTokens },
  };
}
