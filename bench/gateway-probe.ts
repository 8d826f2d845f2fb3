import { parseJson } from '../src/core/safe-json.js';
import type { UpstreamChild } from './bench-servers.js';

/*
 * Before a target is loaded, one request checks that it really answers and
 * really reaches the fake upstream (or, for a cache, that the second request
 * is served without it), so a table never reports the speed of an error page.
 */

/** Where the load goes. */
export interface HttpTarget {
  /** Base URL without `/v1`. */
  url: string;
  headers: Record<string, string>;
  /** The serving process, when it is a child of ours. */
  pid?: number;
}

interface Answer {
  status: number;
  text: string;
  cacheHeader: string | null;
}

async function post(target: HttpTarget, body: string): Promise<Answer> {
  const response = await fetch(`${target.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...target.headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text(), cacheHeader: response.headers.get('x-switchyard-cache') };
}

function hasContent(answer: Answer, stream: boolean): boolean {
  if (answer.status !== 200) return false;
  if (stream) return answer.text.includes('"content":"') && answer.text.trimEnd().endsWith('data: [DONE]');
  const parsed = parseJson(answer.text, 'gateway answer') as { choices?: { message?: { content?: string } }[] };
  return (parsed.choices?.[0]?.message?.content ?? '').length > 0;
}

/**
 * Sends one request (two for a cache) and checks the answer and the
 * upstream's request count. Returns a short description for the table;
 * throws when the target does not work.
 */
export async function probeTarget(target: HttpTarget, body: string, stream: boolean, upstream: UpstreamChild, cached: boolean): Promise<string> {
  const before = (await upstream.stats()).requests;
  const first = await post(target, body);
  if (!hasContent(first, stream)) throw new Error(`probe of ${target.url} failed: HTTP ${first.status} ${first.text.slice(0, 300)}`);
  const forwarded = (await upstream.stats()).requests - before;
  if (forwarded !== 1) throw new Error(`probe of ${target.url}: expected 1 upstream request, saw ${forwarded}`);
  if (!cached) return 'ok, forwarded';
  const second = await post(target, body);
  const again = (await upstream.stats()).requests - before - 1;
  if (!hasContent(second, stream) || again !== 0 || !second.cacheHeader?.startsWith('hit')) {
    throw new Error(`probe of ${target.url}: second request was not a cache hit (x-switchyard-cache ${second.cacheHeader}, ${again} upstream calls)`);
  }
  return `ok, ${second.cacheHeader}`;
}

/** Sends one request and reports its status and the start of its body, without judging it. */
export async function describeAnswer(target: HttpTarget, body: string): Promise<string> {
  const answer = await post(target, body);
  return `HTTP ${answer.status} ${answer.text.slice(0, 80).replace(/\s+/g, ' ')}`;
}
