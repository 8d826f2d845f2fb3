import { countWords, embeddingFor } from './mock-wire.js';

/*
 * Payloads in Gemini's exact wire format (Generative Language v1beta) for the
 * Gemini mock server: GenerateContentResponse, stream chunks, model pages,
 * embeddings and Google API error bodies.
 */

/** A Gemini content as the mock reads it. */
export interface MockGeminiContent {
  role?: string;
  parts?: Array<{ text?: unknown; functionCall?: { name?: string }; functionResponse?: { name?: string; response?: unknown } }>;
}

/** The part of a generateContent body the mock reads. */
export interface MockGeminiRequest {
  contents: MockGeminiContent[];
  systemInstruction?: MockGeminiContent;
  tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    responseMimeType?: string;
    thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number };
    responseLogprobs?: boolean;
    logprobs?: number;
  };
}

/** What the mock decided to answer: text (maybe cut at maxOutputTokens), or a call to one function. */
export type MockGeminiReply =
  | { kind: 'text'; text: string; finishReason: 'STOP' | 'MAX_TOKENS' }
  | { kind: 'tool'; name: string; args: Record<string, unknown> };

/** Default models of GET /v1beta/models. */
export const GEMINI_MOCK_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-embedding-001'];

const words = countWords;

/** The text of a content's text parts. */
export function geminiContentText(content: MockGeminiContent | undefined): string {
  return (content?.parts ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * Decides the reply. A function call when tools are declared, the mode is not
 * NONE, and either the mode is ANY or the last user turn's text contains
 * "[tool]": the first allowed function, else one the text names, else the
 * first; its args are `{ input: <that text> }`. After a functionResponse
 * turn, a text saying what the tool returned. Otherwise `reply`, or an echo
 * of the last user text; as a JSON object `{ "text": ... }` when
 * responseMimeType is application/json; cut to maxOutputTokens words (MAX_TOKENS).
 */
export function decideGeminiReply(request: MockGeminiRequest, reply: string | undefined): MockGeminiReply {
  const lastUser = [...request.contents].reverse().find((content) => (content.role ?? 'user') === 'user');
  const lastText = geminiContentText(lastUser);
  const answered = (lastUser?.parts ?? []).find((part) => part.functionResponse !== undefined)?.functionResponse;
  const tools = (request.tools ?? [])
    .flatMap((tool) => tool.functionDeclarations ?? [])
    .map((declaration) => declaration.name)
    .filter((name): name is string => typeof name === 'string');
  const config = request.toolConfig?.functionCallingConfig;
  const mode = config?.mode ?? 'AUTO';

  if (tools.length > 0 && mode !== 'NONE' && (mode === 'ANY' || (answered === undefined && lastText.includes('[tool]')))) {
    const name = config?.allowedFunctionNames?.[0] ?? tools.find((tool) => lastText.includes(tool)) ?? tools[0];
    return { kind: 'tool', name, args: { input: lastText } };
  }
  let text = reply ?? (answered ? `The ${answered.name ?? 'tool'} tool returned ${JSON.stringify(answered.response ?? {})}` : lastText || 'Hello from the Switchyard mock.');
  if (request.generationConfig?.responseMimeType === 'application/json') text = JSON.stringify({ text });
  const limit = request.generationConfig?.maxOutputTokens;
  if (limit !== undefined && limit > 0 && words(text) > limit) {
    return { kind: 'text', text: (text.match(/\S+\s*/g) ?? []).slice(0, limit).join('').trimEnd(), finishReason: 'MAX_TOKENS' };
  }
  return { kind: 'text', text, finishReason: 'STOP' };
}

/**
 * The thought summary part of a reply, when the request asked for thoughts
 * (`thinkingConfig.includeThoughts`): `thought: true` and a deterministic
 * `thoughtSignature`, as Gemini sends them; else none.
 */
export function thoughtParts(request: MockGeminiRequest, reply: MockGeminiReply): Array<{ text: string; thought: true; thoughtSignature: string }> {
  if (request.generationConfig?.thinkingConfig?.includeThoughts !== true) return [];
  const subject = reply.kind === 'text' ? `answering "${reply.text}"` : `calling ${reply.name}`;
  const text = `Thinking about ${subject}.`;
  return [{ text, thought: true, thoughtSignature: Buffer.from(`mock-thought:${text}`).toString('base64') }];
}

/**
 * A candidate's `logprobsResult` for `text` when the request set
 * `responseLogprobs` (deterministic values per word, `logprobs` top
 * alternatives each, the chosen token first); else undefined.
 */
export function logprobsResultFor(request: MockGeminiRequest, text: string) {
  if (request.generationConfig?.responseLogprobs !== true) return undefined;
  const top = request.generationConfig.logprobs ?? 0;
  const tokens = text.match(/\S+\s*|\s+/g) ?? [];
  const candidate = (token: string, step: number) => ({ token, tokenId: step, logProbability: -((step % 7) + 1) / 100 });
  return {
    topCandidates: tokens.map((token, step) => ({
      candidates: Array.from({ length: top }, (_, rank) => candidate(rank === 0 ? token : `${token.trim()}~${rank}`, step + rank)),
    })),
    chosenCandidates: tokens.map((token, step) => candidate(token, step)),
  };
}

/** Deterministic `usageMetadata`: words plus a small per-turn overhead; `complete` false gives the prompt count only. */
export function geminiUsage(request: MockGeminiRequest, reply: MockGeminiReply, complete = true) {
  const turns = [...(request.systemInstruction ? [request.systemInstruction] : []), ...request.contents];
  const promptTokenCount = turns.reduce((sum, content) => sum + 3 + words(geminiContentText(content)), 2);
  const candidatesTokenCount = Math.max(1, reply.kind === 'text' ? words(reply.text) : words(JSON.stringify(reply.args)) + 4);
  const thoughtsTokenCount = thoughtParts(request, reply).reduce((sum, part) => sum + words(part.text), 0);
  const thoughts = thoughtsTokenCount > 0 ? { thoughtsTokenCount } : {};
  return {
    promptTokenCount,
    ...(complete ? { candidatesTokenCount, ...thoughts, totalTokenCount: promptTokenCount + candidatesTokenCount + thoughtsTokenCount } : { totalTokenCount: promptTokenCount }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
  };
}

/** One GenerateContentResponse: the whole answer, or (with `parts` and `finishReason` given) one stream chunk; `logprobsResult` when asked. */
export function generateContentResponse(
  model: string,
  responseId: string,
  parts: unknown[],
  finishReason: string | undefined,
  usageMetadata: unknown,
  logprobsResult?: unknown,
) {
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(finishReason !== undefined ? { finishReason } : {}),
        ...(logprobsResult !== undefined ? { logprobsResult } : {}),
        index: 0,
      },
    ],
    usageMetadata,
    modelVersion: model,
    responseId,
  };
}

/**
 * The parts of a reply: one text part, or one functionCall part (after the
 * thought, when thoughts were asked for). With thinking configured, the
 * functionCall part carries a `thoughtSignature`, as Gemini's thinking
 * models send it on a turn's first call.
 */
export function replyParts(request: MockGeminiRequest, reply: MockGeminiReply): unknown[] {
  if (reply.kind === 'text') return [...thoughtParts(request, reply), { text: reply.text }];
  const signature = request.generationConfig?.thinkingConfig ? { thoughtSignature: Buffer.from(`mock-call:${reply.name}`).toString('base64') } : {};
  return [...thoughtParts(request, reply), { functionCall: { name: reply.name, args: reply.args }, ...signature }];
}

/** The finish reason of a reply (Gemini says STOP for function calls too). */
export function replyFinishReason(reply: MockGeminiReply): string {
  return reply.kind === 'text' ? reply.finishReason : 'STOP';
}

/** One SSE event of `streamGenerateContent?alt=sse` (Gemini ends events with CRLF CRLF). */
export function sseEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\r\n\r\n`;
}

/** One model of GET /v1beta/models. */
export function geminiModel(id: string) {
  const embedding = id.includes('embedding');
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
    description: `Switchyard mock of ${id}`,
    inputTokenLimit: embedding ? 2048 : 1_048_576,
    outputTokenLimit: embedding ? 1 : 65_536,
    supportedGenerationMethods: embedding ? ['embedContent', 'countTokens'] : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    ...(embedding ? {} : { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true }),
  };
}

/** One page of GET /v1beta/models; the page token is the offset of the next page. */
export function geminiModelPage(models: string[], pageSize: number, pageToken: string | undefined) {
  const start = pageToken ? Math.max(0, Number.parseInt(pageToken.replace(/^page-/, ''), 10) || 0) : 0;
  const end = Math.min(models.length, start + pageSize);
  return {
    models: models.slice(start, end).map(geminiModel),
    ...(end < models.length ? { nextPageToken: `page-${end}` } : {}),
  };
}

/** A deterministic vector for an embed request's text. */
export function geminiEmbedding(text: string, dimensions: number): { values: number[] } {
  return { values: embeddingFor(text, dimensions) };
}

/** A Google API error body. */
export function geminiErrorBody(code: number, message: string, status: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

/** What Google answers a wrong key: a 400 with ErrorInfo reason API_KEY_INVALID. */
export function invalidApiKeyBody() {
  const message = 'API key not valid. Please pass a valid API key.';
  return geminiErrorBody(400, message, 'INVALID_ARGUMENT', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
  ]);
}
