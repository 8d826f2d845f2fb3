import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { readJsonLines, readServerSentEvents } from './sse.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A readable body from byte chunks, like undici's. */
const bodyOf = (...chunks: Array<string | Uint8Array>): Readable =>
  Readable.from(chunks.map((chunk) => (typeof chunk === 'string' ? encode(chunk) : chunk)), { objectMode: false });

/** A source that counts how many chunks were pulled from it. */
function countingSource(total: number, chunk: string) {
  const state = { pulled: 0, returned: false };
  const iterable = {
    state,
    async *[Symbol.asyncIterator]() {
      try {
        for (let index = 0; index < total; index += 1) {
          state.pulled += 1;
          yield encode(chunk);
        }
      } finally {
        state.returned = true;
      }
    },
  };
  return iterable;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('readServerSentEvents', () => {
  it('parses events split across chunks, with event and id fields', async () => {
    const events = await collect(readServerSentEvents(bodyOf('data: {"a"', ':1}\n\nevent: ping\nid: 7\ndata: x\n', 'data: y\n\n')));
    expect(events).toEqual([
      { event: undefined, data: '{"a":1}', id: undefined },
      { event: 'ping', data: 'x\ny', id: '7' },
    ]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = encode('data: héllo ✓\n\n');
    const events = await collect(readServerSentEvents(bodyOf(bytes.slice(0, 8), bytes.slice(8, 16), bytes.slice(16))));
    expect(events.map((event) => event.data)).toEqual(['héllo ✓']);
  });

  it('discards a last event cut off before its blank line, as the SSE spec says', async () => {
    const events = await collect(readServerSentEvents(bodyOf('data: one\n\ndata: tw')));
    expect(events.map((event) => event.data)).toEqual(['one']);
  });

  it('pulls chunks only on demand and releases the source on break', async () => {
    const source = countingSource(1000, 'data: tick\n\n');
    let seen = 0;
    for await (const event of readServerSentEvents(source)) {
      expect(event.data).toBe('tick');
      seen += 1;
      if (seen === 3) break;
    }
    expect(source.state.pulled).toBe(3);
    expect(source.state.returned).toBe(true);
  });

  it('destroys the body when the consumer breaks', async () => {
    const body = new Readable({ read() {} });
    body.push('data: first\n\n');
    for await (const event of readServerSentEvents(body)) {
      expect(event.data).toBe('first');
      break;
    }
    expect(body.destroyed).toBe(true);
  });

  it('stops with aborted and destroys the body when the signal aborts', async () => {
    const body = new Readable({ read() {} });
    body.push('data: first\n\n');
    const controller = new AbortController();
    const iterator = readServerSentEvents(body, { signal: controller.signal, context: 'test stream' });
    expect((await iterator.next()).value).toMatchObject({ data: 'first' });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(body.destroyed).toBe(true);
  });

  it('rejects an event larger than maxEventSize with invalid_response', async () => {
    const iterator = readServerSentEvents(bodyOf(`data: ${'x'.repeat(5000)}`), { maxEventSize: 1000, context: 'big stream' });
    const error = await collect(iterator).catch((caught: unknown) => caught);
    expect(SwitchyardError.is(error) && error.code).toBe('invalid_response');
    expect((error as Error).message).toContain('big stream');
  });
});

describe('readJsonLines', () => {
  it('parses lines split across chunks and skips blank lines', async () => {
    const values = await collect(readJsonLines(bodyOf('{"n":1}\n\n{"n"', ':2}\r\n{"n":3}')));
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('turns a bad line into invalid_response naming the context', async () => {
    const error = await collect(readJsonLines(bodyOf('{"n":1}\n{oops}\n'), { context: 'ollama chat stream' })).catch(
      (caught: unknown) => caught,
    );
    expect(SwitchyardError.is(error) && error.code).toBe('invalid_response');
    expect((error as Error).message).toContain('ollama chat stream line');
  });

  it('pulls on demand and releases the source on break', async () => {
    const source = countingSource(1000, '{"tick":true}\n');
    for await (const value of readJsonLines(source)) {
      expect(value).toEqual({ tick: true });
      break;
    }
    expect(source.state.pulled).toBe(1);
    expect(source.state.returned).toBe(true);
  });
});
