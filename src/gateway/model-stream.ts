import { performance } from 'node:perf_hooks';
import type { CallOptions, Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import type { ChatRequest } from '../spec/request.js';
import type { CacheStatus } from '../spec/response.js';
import type { StreamPart, StreamStartPart } from '../spec/stream.js';

/** The first part of a client stream, with the fields the client always fills in. */
export type StreamStart = StreamStartPart & { provider: string; model: string; cache: CacheStatus };

/** A client stream whose first part has been read, so the response headers can be sent. */
export interface OpenedModelStream {
  /** Who answers and from where, as the stream itself says. */
  start: StreamStart;
  /** Milliseconds spent waiting for the first part. */
  firstPartWaitMs: number;
  /** The parts after the first; ending it early (`return()`) releases the upstream. */
  parts: AsyncIterator<StreamPart>;
}

/**
 * Opens `ai.stream(request)` and reads its first part, so connection, status
 * and cache errors throw here, before any byte is sent, and become a proper
 * HTTP error. The first part carries the provider, model, cache status and
 * warnings: the gateway reads them and never works them out again.
 */
export async function openModelStream(ai: Switchyard, request: ChatRequest, callOptions: CallOptions = {}): Promise<OpenedModelStream> {
  const parts = ai.stream(request, callOptions)[Symbol.asyncIterator]();
  const waitStarted = performance.now();
  const first = await parts.next();
  const firstPartWaitMs = performance.now() - waitStarted;
  if (first.done || first.value.type !== 'stream-start') {
    await parts.return?.(undefined);
    throw new SwitchyardError({ code: 'internal_error', message: 'the stream did not start with its stream-start part' });
  }
  return { start: first.value as StreamStart, firstPartWaitMs, parts };
}
