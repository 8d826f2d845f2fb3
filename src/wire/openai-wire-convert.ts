import type { ContentPart, Message, ResponseFormat, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import type { ChatResponse, EmbedResponse, FinishReason, ModelInfo, Usage } from '../spec/response.js';
import type { FinishPart, NativeEventPart, StreamPart } from '../spec/stream.js';
import type { OpenAIChatRequest, OpenAIMessage } from './openai-wire-schemas.js';
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
  ]),
  noOps: {
    n: [1],
    logprobs: [false],
    frequency_penalty: [0],
    presence_penalty: [0],
    parallel_tool_calls: [true],
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

function userContent(content: Extract<OpenAIMessage, { role: 'user' }>['content']): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.map((part): ContentPart => (part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', url: part.image_url.url }));
}

function toMessage(message: OpenAIMessage): Message {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content) };
    case 'user':
      return { role: 'user', content: userContent(message.content) };
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
  const settings: GenerationSettings = { messages: body.messages.map(toMessage) };
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
    }));
  }
  if (body.tool_choice !== undefined) settings.toolChoice = toToolChoice(body.tool_choice);
  if (body.response_format !== undefined) settings.responseFormat = toResponseFormat(body.response_format);
  if (body.user !== undefined) settings.user = body.user;
  settings.wireRequest = wireRequestOf('openai-chat', body, OPENAI_CHAT_FIELDS);
  return settings;
}

/** OpenAI's finish_reason for a spec finish reason. */
export function toOpenAIFinishReason(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  if (reason === 'length') return 'length';
  if (reason === 'tool-calls') return 'tool_calls';
  if (reason === 'content-filter') return 'content_filter';
  return 'stop';
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
        },
        logprobs: null,
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
  delta(part: Exclude<StreamPart, FinishPart | NativeEventPart>): object;
  /** The chunk carrying finish_reason (and `usage: null` when usage comes separately). */
  finish(part: FinishPart): object;
  /** The usage chunk (`choices: []`) sent when `stream_options.include_usage`. */
  usage(part: FinishPart): object;
}

/** Creates the chunk builder for one streamed completion. */
export function createOpenAIChunkBuilder(options: { id: string; model: string; includeUsage: boolean }): OpenAIChunkBuilder {
  const created = createdNow();
  const announced = new Set<number>();
  const extra = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: string | null = null) => ({
    id: options.id,
    object: 'chat.completion.chunk',
    created,
    model: options.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  });
  return {
    start: () => chunk({ role: 'assistant', content: '', refusal: null }),
    delta(part) {
      if (part.type === 'text-delta') return chunk({ content: part.text });
      if (announced.has(part.index)) return chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] });
      announced.add(part.index);
      return chunk({
        tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name ?? '', arguments: part.argumentsDelta } }],
      });
    },
    finish: (part) => chunk({}, toOpenAIFinishReason(part.finishReason)),
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

/** GET /v1/models in OpenAI's list shape. */
export function toOpenAIModelList(models: ModelInfo[]) {
  return {
    object: 'list' as const,
    data: models.map((model) => ({ id: model.id, object: 'model' as const, created: model.createdAt ?? 0, owned_by: model.ownedBy ?? model.provider })),
  };
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
