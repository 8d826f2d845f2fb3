import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/spec/errors.js';
import { createTestClient } from './support/client.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * Stream faults after the upstream's 2xx but before its first content part:
 * a stream commits to its upstream at its first content (a text, tool or
 * reasoning delta), not at the 2xx. Before that, a fault is retried or falls
 * back to the route's next model, and the caller sees nothing of it; without a
 * route it is the documented error, as an HTTP error (no byte was sent yet).
 * After content has started, a fault stays an error inside the stream.
 *
 * A real fake upstream speaks both wires (OpenAI chat at /v1/chat/completions,
 * Anthropic at /v1/messages) and misbehaves as the model name says. Each fault
 * is tried through the library, and through the gateway with the official
 * OpenAI and Anthropic SDK clients, against both upstream wires (so both
 * same-wire passthrough and cross-wire streams are covered).
 */

const TIMEOUT_MS = 4000;
const BODY_TIMEOUT_MS = 1500;
const FIRST_CONTENT_TIMEOUT_MS = 500;

type Wire = 'openai' | 'anthropic';

let upstream: Server;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
let library: ReturnType<typeof createTestClient>;
/** Per case: how long the caller waited (printed at the end, not asserted: the machine is shared). */
const waits: Array<[string, number]> = [];

function openaiChunk(delta: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'fake', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
}

function anthropicEvent(type: string, body: Record<string, unknown> = {}): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
}

const MESSAGE_START = anthropicEvent('message_start', {
  message: { id: 'msg_fake', type: 'message', role: 'assistant', model: 'fake', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } },
});

/** What a wire sends before any content: OpenAI's role chunk; Anthropic's message_start and a ping. */
function preamble(wire: Wire): string {
  return wire === 'openai' ? openaiChunk({ role: 'assistant', content: '' }) : MESSAGE_START + anthropicEvent('ping');
}

function content(wire: Wire, text: string, first: boolean): string {
  if (wire === 'openai') return openaiChunk({ content: text });
  const start = first ? anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) : '';
  return start + anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
}

function errorEvent(wire: Wire): string {
  return wire === 'openai'
    ? `data: ${JSON.stringify({ error: { message: 'the server is overloaded', type: 'server_error', code: null } })}\n\n`
    : anthropicEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
}

function misbehave(fault: string, wire: Wire, request: IncomingMessage, response: ServerResponse): void {
  const startStream = (): void => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.flushHeaders();
  };
  switch (fault) {
    case 'fault-garbage':
      startStream();
      response.end('data: {not json\n\n');
      return;
    case 'fault-cut-before-first':
      startStream();
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    case 'fault-reset':
      request.socket.destroy();
      return;
    case 'fault-stall':
      startStream(); // and nothing more, ever
      return;
    case 'fault-drip': {
      // Nothing useful, but never idle long enough for the body timeout: SSE comments (OpenAI), pings after message_start (Anthropic).
      startStream();
      if (wire === 'anthropic') response.write(MESSAGE_START);
      const timer = setInterval(() => {
        if (response.destroyed) return clearInterval(timer);
        response.write(wire === 'openai' ? ': keep-alive\n\n' : anthropicEvent('ping'));
      }, 100);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case 'fault-preamble-cut':
      startStream();
      response.write(preamble(wire));
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    case 'fault-error-event':
      startStream();
      response.end((wire === 'anthropic' ? MESSAGE_START : '') + errorEvent(wire));
      return;
    case 'fault-cut-midway':
      startStream();
      response.write(preamble(wire) + content(wire, 'the start ', true) + content(wire, 'and more ', false));
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    default:
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `no such fault: ${fault}`, type: 'invalid_request_error' } }));
  }
}

/** The faults that strike after the 2xx and before any content, with the documented error of each (no route). */
const BEFORE_CONTENT: Array<[fault: string, code: string, status: number]> = [
  ['fault-garbage', 'invalid_response', 502],
  // The body ends before any event: a truncated stream, or the socket error itself.
  ['fault-cut-before-first', 'connection_failed|invalid_response', 502],
  ['fault-reset', 'connection_failed', 502],
  // No content within firstContentTimeoutMs of the 2xx (one timer, well inside the overall deadline).
  ['fault-stall', 'body_timeout', 504],
  ['fault-drip', 'body_timeout', 504],
  ['fault-preamble-cut', 'connection_failed|invalid_response', 502],
  ['fault-error-event', 'upstream_error|upstream_unavailable', 502],
];
const FAULTS = [...BEFORE_CONTENT.map(([fault]) => fault), 'fault-cut-midway'];
const WIRES: Wire[] = ['openai', 'anthropic'];
const PROVIDER: Record<Wire, string> = { openai: 'oai', anthropic: 'ant' };

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (data: Buffer) => chunks.push(data));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string };
      misbehave(body.model ?? '', request.url?.endsWith('/messages') ? 'anthropic' : 'openai', request, response);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const timings = { apiKey: 'sk-fake', timeoutMs: TIMEOUT_MS, retries: 1, bodyTimeoutMs: BODY_TIMEOUT_MS, firstContentTimeoutMs: FIRST_CONTENT_TIMEOUT_MS };
  const settings = {
    providers: {
      oai: { type: 'openai-compatible' as const, baseURL: `${base}/v1`, ...timings },
      ant: { type: 'anthropic' as const, baseURL: base, ...timings },
    },
    routes: Object.fromEntries(WIRES.flatMap((wire) => FAULTS.map((fault) => [`fallback-${wire}-${fault}`, [`${PROVIDER[wire]}/${fault}`, 'mock/echo']]))),
  };
  gateway = await startTestGateway(settings);
  library = createTestClient(settings);
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await library?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  if (waits.length > 0) {
    const longest = waits.reduce((worst, entry) => (entry[1] > worst[1] ? entry : worst));
    console.log(`stream faults: ${waits.length} calls; longest wait ${Math.round(longest[1])} ms (${longest[0]}); timeoutMs ${TIMEOUT_MS}, firstContentTimeoutMs ${FIRST_CONTENT_TIMEOUT_MS}`);
    for (const [name, ms] of waits) console.log(`  ${name}: ${Math.round(ms)} ms`);
  }
});

/** What a caller got: the text it read, and the error that ended its stream (if any). */
interface Outcome {
  text: string;
  error?: unknown;
}

const PROMPT = 'hello';

type Caller = (model: string) => Promise<Outcome>;

const CALLERS: Record<'library' | 'openai-sdk' | 'anthropic-sdk', Caller> = {
  async library(model) {
    let text = '';
    try {
      for await (const part of library.stream({ model, maxTokens: 64, messages: [{ role: 'user', content: PROMPT }] })) {
        if (part.type === 'text-delta') text += part.text;
      }
      return { text };
    } catch (error) {
      return { text, error };
    }
  },
  async 'openai-sdk'(model) {
    let text = '';
    try {
      const stream = await openai.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: PROMPT }] });
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return { text };
    } catch (error) {
      return { text, error };
    }
  },
  async 'anthropic-sdk'(model) {
    let text = '';
    try {
      const stream = await anthropic.messages.create({ model, max_tokens: 64, stream: true, messages: [{ role: 'user', content: PROMPT }] });
      for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      return { text };
    } catch (error) {
      return { text, error };
    }
  },
};

async function timed(name: string, caller: Caller, model: string): Promise<Outcome> {
  const started = performance.now();
  const outcome = await caller(model);
  waits.push([name, performance.now() - started]);
  return outcome;
}

/** The error as each caller sees it: a SwitchyardError (library) or the SDK's APIError (status, and the body's code or message). */
function describeError(error: unknown): { status?: number; code?: string; message: string } {
  if (SwitchyardError.is(error)) return { code: error.code, message: error.message };
  if (error instanceof OpenAI.APIError) return { status: error.status, code: (error.error as { code?: string } | undefined)?.code ?? undefined, message: error.message };
  if (error instanceof Anthropic.APIError) return { status: error.status, message: error.message };
  return { message: String(error) };
}

const CASES = (Object.keys(CALLERS) as Array<keyof typeof CALLERS>).flatMap((caller) => WIRES.map((wire) => [caller, wire] as const));

describe.each(CASES)('%s, %s upstream', (callerName, wire) => {
  const caller = CALLERS[callerName];

  it.each(BEFORE_CONTENT)('%s behind a route with a fallback: answered by the next model, no failure', async (fault) => {
    const outcome = await timed(`${callerName} ${wire} ${fault} (route)`, caller, `fallback-${wire}-${fault}`);
    expect(outcome.error, describeError(outcome.error).message).toBeUndefined();
    expect(outcome.text).toBe(PROMPT);
  }, 30_000);

  it.each(BEFORE_CONTENT)('%s without a route: %s, before any byte of a stream', async (fault, code, status) => {
    const outcome = await timed(`${callerName} ${wire} ${fault}`, caller, `${PROVIDER[wire]}/${fault}`);
    expect(outcome.error).toBeDefined();
    expect(outcome.text).toBe('');
    const error = describeError(outcome.error);
    if (callerName === 'library') expect(error.code, error.message).toMatch(new RegExp(`^(${code})$`));
    else {
      // An HTTP error in the API's shape (the stream had not started), not an event inside a 200.
      expect(error.status, error.message).toBe(status);
      if (callerName === 'openai-sdk') expect(error.code).toMatch(new RegExp(`^(${code})$`));
    }
    if (code === 'body_timeout') expect(error.message).toMatch(/no content within 500 ms .*firstContentTimeoutMs/);
  }, 30_000);

  it('fault-cut-midway, after content reached the caller: an error inside the stream, even with a route', async () => {
    const outcome = await timed(`${callerName} ${wire} fault-cut-midway (route)`, caller, `fallback-${wire}-fault-cut-midway`);
    expect(outcome.text).toContain('the start');
    expect(outcome.error).toBeDefined();
    const error = describeError(outcome.error);
    if (callerName === 'library') expect(error.code).toMatch(/^(connection_failed|invalid_response)$/);
    // The SDKs read the gateway's in-stream error event and throw it; no second answer follows.
    expect(outcome.text).not.toContain(PROMPT);
  }, 30_000);
});

describe('the overall deadline', () => {
  it('ends a drip-feed before any content at timeoutMs when firstContentTimeoutMs is left at its default (bodyTimeoutMs, itself timeoutMs)', async () => {
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const client = createTestClient({ providers: { oai: { type: 'openai-compatible', baseURL: `${base}/v1`, apiKey: 'sk-fake', timeoutMs: 1000, retries: 0 } } });
    try {
      const parts: string[] = [];
      const outcome = await timed('library openai fault-drip (defaults, timeoutMs 1000)', async (model) => {
        try {
          for await (const part of client.stream({ model, messages: [{ role: 'user', content: PROMPT }] })) parts.push(part.type);
          return { text: '' };
        } catch (error) {
          return { text: '', error };
        }
      }, 'oai/fault-drip');
      expect(parts).toEqual([]);
      expect(outcome.error).toMatchObject({ code: 'request_timeout' });
      expect((outcome.error as Error).message).toMatch(/no complete answer within 1000 ms/);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe('after every fault', () => {
  it('the same gateway and library answer a normal stream', async () => {
    for (const caller of Object.values(CALLERS)) expect(await caller('mock/echo')).toEqual({ text: PROMPT });
  });
});
