import type { ServerResponse } from 'node:http';

/** Writes a server-sent-event stream to a raw response, honouring backpressure. */
export interface SseWriter {
  /** Writes one chunk; waits for `drain` when the socket buffer is full. False once the client is gone. */
  write(text: string): Promise<boolean>;
  /** Ends the response, with `text` as its last chunk when given: they leave in one socket write (no-op when the client is gone). */
  end(text?: string): void;
  /** True while the client is connected and the response not ended. */
  readonly open: boolean;
}

/** `event: NAME` (optional) and `data: JSON`, then the blank line. */
export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/**
 * Starts an SSE response on `response` with `headers` and returns its writer.
 * Writes made in one turn of the event loop (the headers and the first parts,
 * or parts that arrived together) leave in one socket write: the response is
 * corked at the first and uncorked on the next tick, so nothing waits longer
 * than that. When `write` returns false the writer waits for `drain` (or
 * `close`) before the caller pulls the next part from upstream, so a slow
 * reader slows the upstream read instead of growing memory.
 */
export function startSse(response: ServerResponse, headers: Record<string, string>): SseWriter {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  const isOpen = () => !response.destroyed && !response.writableEnded;
  let corked = false;
  const uncork = () => {
    corked = false;
    response.uncork();
  };
  return {
    get open() {
      return isOpen();
    },
    async write(text) {
      if (!isOpen()) return false;
      if (!corked) {
        corked = true;
        response.cork();
        process.nextTick(uncork);
      }
      if (response.write(text)) return true;
      await drainOrClose(response);
      return isOpen();
    },
    end(text) {
      if (isOpen()) response.end(text);
    },
  };
}

function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
