import { expect } from 'vitest';
import type { MockServerStats } from '../../src/mock-upstream/mock-http.js';
import type { DriverCallOptions, DriverV1 } from '../../src/spec/driver.js';
import { SwitchyardError } from '../../src/spec/errors.js';
import type { StreamPart } from '../../src/spec/stream.js';

/*
 * Shared pieces of the driver tests (test/<provider>-driver.test.ts and the
 * stream-release tests): collecting a stream, catching the SwitchyardError of
 * a call, polling the mock server's counters, and the upstream-release checks
 * every streaming driver must pass against its mock server.
 */

/** The one tool the driver tests offer: `get_weather(input: string)`. */
export const WEATHER_TOOLS = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { input: { type: 'string' } } } },
];

/** Reads a stream to its end, leaving out its stream-start part (the driver contract suite checks that one). */
export async function collect(iterable: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of iterable) if (part.type !== 'stream-start') parts.push(part);
  return parts;
}

/** A stream's iterator past its stream-start part: `next()` skips it, `return()` releases the stream. */
export function contentParts(iterable: AsyncIterable<StreamPart>): AsyncIterator<StreamPart> {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    async next() {
      let step = await iterator.next();
      while (!step.done && step.value.type === 'stream-start') step = await iterator.next();
      return step;
    },
    async return(value?: unknown) {
      return (await iterator.return?.(value)) ?? { done: true, value: undefined };
    },
  };
}

/** Runs a call and returns its SwitchyardError (failing if it succeeds or throws something else). */
export async function failure(run: () => Promise<unknown>): Promise<SwitchyardError> {
  try {
    await run();
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Polls a condition every 5 ms, failing after a deadline (a bound, not a timing assertion). */
export async function waitFor(condition: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Breaks out of a stream after two text deltas, then checks the server saw
 * that one request closed early (within a second) and that the pool recovers:
 * the next call works on a fresh connection. The reply must be long.
 */
export async function expectBreakReleasesUpstream(driver: DriverV1, server: { stats: MockServerStats }, call: DriverCallOptions): Promise<void> {
  let parts = 0;
  for await (const part of driver.doStream(call)) {
    if (part.type === 'stream-start') continue;
    expect(part.type).toBe('text-delta');
    parts += 1;
    if (parts === 2) break;
  }
  await waitFor(() => server.stats.closedRequests === 1, 1000);
  expect(server.stats.requests).toBe(1);
  await expect(driver.doGenerate(call)).resolves.toMatchObject({ finishReason: 'stop' });
}

/**
 * Aborts while `next()` waits for the upstream (the server's chunks must be
 * far apart), then checks the pending read fails with `aborted`, the server
 * saw the request closed within a second, and the iterator stays finished.
 * `firstText` is the text of the first delta.
 */
export async function expectAbortWhileWaitingReleasesUpstream(
  driver: DriverV1,
  server: { stats: MockServerStats },
  call: DriverCallOptions,
  firstText: string,
): Promise<void> {
  const controller = new AbortController();
  const iterator = contentParts(driver.doStream({ ...call, signal: controller.signal }));
  expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: firstText });
  const pending = iterator.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  controller.abort();
  const error = await pending;
  expect(SwitchyardError.is(error) && error.code).toBe('aborted');
  await waitFor(() => server.stats.closedRequests === 1, 1000);
  expect(await iterator.next()).toEqual({ done: true, value: undefined });
}
