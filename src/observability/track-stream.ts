import type { StreamPart } from '../spec/index.js';
import type { TrackHandle } from './tracked-operation.js';

/**
 * Wraps a stream of parts in a started `request` or `upstream` operation:
 * the first text or tool-call delta marks time to first token, the `finish`
 * part sets usage and finish reason, the end of the stream ends the
 * operation, an error fails it (and is rethrown). A consumer that stops early
 * (`break`) ends it normally and releases the source through its `return()`.
 */
export async function* trackStream(
  handle: TrackHandle<'request'> | TrackHandle<'upstream'>,
  source: AsyncIterable<StreamPart>,
): AsyncGenerator<StreamPart, void, undefined> {
  let firstTokenSeen = false;
  try {
    for await (const part of source) {
      if (!firstTokenSeen && part.type !== 'finish') {
        firstTokenSeen = true;
        handle.markFirstToken();
      } else if (part.type === 'finish') {
        (handle as TrackHandle<'upstream'>).set({ usage: part.usage, finishReason: part.finishReason });
      }
      yield part;
    }
  } catch (error) {
    handle.fail(error);
    throw error;
  } finally {
    // Normal completion or an early `break`; after fail() this returns the first result.
    handle.end();
  }
}
