import { hashString } from './mock-http.js';
import { embeddingFor } from './mock-wire.js';

/*
 * Payloads in Ollama's exact wire format for the Ollama mock server: /api/chat
 * answers and NDJSON lines, /api/tags, /api/embed and error bodies.
 */

/** An Ollama chat message as the mock reads it. */
export interface MockOllamaMessage {
  role?: string;
  content?: unknown;
  tool_name?: string;
}

/** The part of an /api/chat body the mock reads. */
export interface MockOllamaRequest {
  model: string;
  messages: MockOllamaMessage[];
  stream?: boolean;
  tools?: Array<{ type?: string; function?: { name?: string } }>;
  options?: { num_predict?: number };
  format?: unknown;
  think?: boolean | string;
}

/** What the mock decided to answer: text (maybe cut at num_predict), or a call to one tool. */
export type MockOllamaReply =
  | { kind: 'text'; text: string; doneReason: 'stop' | 'length' }
  | { kind: 'tool'; name: string; arguments: Record<string, unknown> };

/** Default models of GET /api/tags (listed with their `:latest` tag). */
export const OLLAMA_MOCK_MODELS = ['llama3.2', 'qwen2.5', 'nomic-embed-text'];

/** Fixed times, so answers are byte-for-byte deterministic. */
const CREATED_AT = '2023-11-14T22:13:20Z';
const MODIFIED_AT = '2024-10-01T12:00:00Z';

const words = (text: string): number => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length);
const text = (content: unknown): string => (typeof content === 'string' ? content : '');

/** `llama3.2` -> `llama3.2:latest`; a tagged name stays as it is. */
export function ollamaTagged(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

/**
 * Decides the reply. A tool call when tools are given and the last user
 * message contains "[tool]" (the first tool it names, else the first), with
 * arguments `{ input: <that text> }`. After a tool message, a text saying
 * what the tool returned. Otherwise `reply`, or an echo of the last user
 * message; as a JSON object `{ "text": ... }` when `format` is set; cut to
 * num_predict words (done_reason `length`).
 */
export function decideOllamaReply(request: MockOllamaRequest, reply: string | undefined): MockOllamaReply {
  const lastMessage = request.messages.at(-1);
  const lastUserText = text([...request.messages].reverse().find((message) => message.role === 'user')?.content);
  const tools = (request.tools ?? []).map((tool) => tool.function?.name).filter((name): name is string => typeof name === 'string');
  if (tools.length > 0 && lastMessage?.role === 'user' && lastUserText.includes('[tool]')) {
    const name = tools.find((tool) => lastUserText.includes(tool)) ?? tools[0];
    return { kind: 'tool', name, arguments: { input: lastUserText } };
  }
  let answer =
    reply ??
    (lastMessage?.role === 'tool'
      ? `The ${lastMessage.tool_name ?? 'tool'} tool returned ${text(lastMessage.content)}`
      : lastUserText || 'Hello from the Switchyard mock.');
  if (request.format !== undefined && request.format !== '') answer = JSON.stringify({ text: answer });
  const limit = request.options?.num_predict;
  if (limit !== undefined && limit > 0 && words(answer) > limit) {
    return { kind: 'text', text: (answer.match(/\S+\s*/g) ?? []).slice(0, limit).join('').trimEnd(), doneReason: 'length' };
  }
  return { kind: 'text', text: answer, doneReason: 'stop' };
}

/** Deterministic counts and durations of the final (`done: true`) line. */
export function ollamaCounts(request: MockOllamaRequest, reply: MockOllamaReply) {
  const promptEvalCount = request.messages.reduce((sum, message) => sum + 4 + words(text(message.content)), 1);
  const evalCount = Math.max(1, reply.kind === 'text' ? words(reply.text) : words(JSON.stringify(reply.arguments)) + 5);
  return {
    total_duration: 1_000_000 * (promptEvalCount + evalCount),
    load_duration: 1_000_000,
    prompt_eval_count: promptEvalCount,
    prompt_eval_duration: 100_000 * promptEvalCount,
    eval_count: evalCount,
    eval_duration: 1_000_000 * evalCount,
  };
}

/** The model's `thinking` before a reply, when the request set `think` (true or a level); else undefined. */
export function thinkingFor(request: MockOllamaRequest, reply: MockOllamaReply): string | undefined {
  if (request.think === undefined || request.think === false) return undefined;
  return `Thinking about ${reply.kind === 'text' ? `answering "${reply.text}"` : `calling ${reply.name}`}.`;
}

/** The assistant message of a reply; `thinking` first when asked for (streamed, it comes in lines of its own). */
export function replyMessage(reply: MockOllamaReply, thinking?: string) {
  const thought = thinking !== undefined ? { thinking } : {};
  return reply.kind === 'text'
    ? { role: 'assistant', content: reply.text, ...thought }
    : { role: 'assistant', content: '', ...thought, tool_calls: [{ function: { index: 0, name: reply.name, arguments: reply.arguments } }] };
}

/** A non-streaming /api/chat answer. */
export function chatResponse(request: MockOllamaRequest, reply: MockOllamaReply) {
  return {
    model: request.model,
    created_at: CREATED_AT,
    message: replyMessage(reply, thinkingFor(request, reply)),
    done_reason: reply.kind === 'text' ? reply.doneReason : 'stop',
    done: true,
    ...ollamaCounts(request, reply),
  };
}

/** One NDJSON line of a streamed /api/chat answer, not the last. */
export function chatLine(model: string, message: Record<string, unknown>): string {
  return `${JSON.stringify({ model, created_at: CREATED_AT, message, done: false })}\n`;
}

/** The last NDJSON line: empty content, `done: true`, done_reason and the counts. */
export function chatDoneLine(request: MockOllamaRequest, reply: MockOllamaReply): string {
  return `${JSON.stringify({
    model: request.model,
    created_at: CREATED_AT,
    message: { role: 'assistant', content: '' },
    done_reason: reply.kind === 'text' ? reply.doneReason : 'stop',
    done: true,
    ...ollamaCounts(request, reply),
  })}\n`;
}

/** GET /api/tags */
export function tagList(models: string[]) {
  return {
    models: models.map((model) => {
      const name = ollamaTagged(model);
      const family = model.split(/[:.\d-]/)[0] || model;
      return {
        name,
        model: name,
        modified_at: MODIFIED_AT,
        size: 1_000_000 + (hashString(name) % 4_000_000_000),
        digest: hashString(name).toString(16).padStart(8, '0').repeat(8),
        details: {
          parent_model: '',
          format: 'gguf',
          family,
          families: [family],
          parameter_size: family === 'nomic' ? '137M' : '3.2B',
          quantization_level: 'Q4_K_M',
        },
      };
    }),
  };
}

/** POST /api/embed */
export function embedResponse(model: string, inputs: string[], dimensions: number) {
  const promptEvalCount = inputs.reduce((sum, input) => sum + Math.max(1, words(input)), 0);
  return {
    model,
    embeddings: inputs.map((input) => embeddingFor(input, dimensions)),
    total_duration: 1_000_000 * promptEvalCount,
    load_duration: 1_000_000,
    prompt_eval_count: promptEvalCount,
  };
}

/** An Ollama error body. */
export function ollamaErrorBody(message: string) {
  return { error: message };
}
