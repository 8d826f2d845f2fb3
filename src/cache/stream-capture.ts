import type { ReasoningPart, ToolCall } from '../spec/messages.js';
import type { ChatResponse } from '../spec/response.js';
import type { FinishPart, NativeEventPart, StreamPart } from '../spec/stream.js';
import { isCacheableResult } from './response-cache-policy.js';

/** The identity of a captured answer, known to the client; the finish part's own fields win. */
export interface CapturedIdentity {
  id: string;
  provider: string;
  model: string;
}

/** A captured answer, ready for `serializeCachedResponse`. */
export type CapturedResponse = Pick<ChatResponse, 'id' | 'provider' | 'model' | 'content' | 'toolCalls' | 'finishReason' | 'usage' | 'reasoning' | 'stopSequence' | 'logprobs'> & {
  /** The upstream's events, on a native passthrough stream. */
  nativeEvents?: NativeEventPart[];
};

/** Collects a live stream so it can be cached once it ends well. */
export interface StreamCapture {
  /** Feed every part, in order. */
  push(part: StreamPart): void;
  /** Mark the stream as cut short (aborted, consumer broke off, upstream failed). */
  abort(): void;
  /** The complete answer, or undefined when it must not be cached (no finish, aborted, `error`). */
  result(identity: CapturedIdentity): CapturedResponse | undefined;
}

/** Options of {@link createStreamCapture}. */
export interface StreamCaptureOptions {
  /**
   * Stop capturing, and drop what was held, once the answer passes this many
   * characters: an answer too large for the cache must not make the stream
   * hold it whole. Default: no limit.
   */
  maxChars?: number;
}

/**
 * Creates a {@link StreamCapture}: text deltas are joined, tool-call deltas
 * merged by index (id and name from the first delta, arguments appended),
 * native events kept in order (their finish part carries the text and tool calls).
 * Pair it with `serializeCachedResponse` to store a streamed answer.
 */
export function createStreamCapture(options: StreamCaptureOptions = {}): StreamCapture {
  const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
  let text: string[] = [];
  let calls: ToolCall[] = [];
  let nativeEvents: NativeEventPart[] = [];
  let reasoning: ReasoningPart | undefined;
  let captured = 0;
  let finish: FinishPart | undefined;
  let aborted = false;
  let tooLarge = false;
  return {
    push(part) {
      if (part.type === 'stream-start') return;
      if (part.type !== 'finish' && !tooLarge) {
        captured += part.type === 'tool-call-delta' ? part.argumentsDelta.length : part.type === 'native-event' ? part.data.length : part.text.length;
        if (captured > maxChars) {
          tooLarge = true;
          text = [];
          calls = [];
          nativeEvents = [];
          reasoning = undefined;
        }
      }
      if (tooLarge && part.type !== 'finish') return;
      if (part.type === 'text-delta') text.push(part.text);
      else if (part.type === 'native-event') nativeEvents.push(part);
      else if (part.type === 'reasoning-delta') {
        reasoning ??= { type: 'reasoning', text: '' };
        reasoning.text += part.text;
        if (part.signature !== undefined) reasoning.signature = part.signature;
      }
      else if (part.type === 'tool-call-delta') {
        const call = (calls[part.index] ??= { id: part.id, name: part.name ?? '', arguments: '' });
        if (call.name === '' && part.name !== undefined) call.name = part.name;
        if (call.id === '' && part.id !== '') call.id = part.id;
        call.arguments += part.argumentsDelta;
      } else finish = part;
    },
    abort() {
      aborted = true;
    },
    result(identity) {
      if (tooLarge || finish === undefined || !isCacheableResult({ finishReason: finish.finishReason, aborted })) return undefined;
      return {
        id: finish.id ?? identity.id,
        provider: finish.provider ?? identity.provider,
        model: finish.model ?? identity.model,
        content: finish.content ?? text.join(''),
        toolCalls: finish.toolCalls ?? calls.filter((call) => call !== undefined),
        finishReason: finish.finishReason,
        usage: finish.usage,
        ...(nativeEvents.length > 0 ? { nativeEvents } : {}),
        ...(reasoning !== undefined ? { reasoning: [reasoning] } : {}),
        ...(finish.stopSequence !== undefined ? { stopSequence: finish.stopSequence } : {}),
        ...(finish.logprobs !== undefined ? { logprobs: finish.logprobs } : {}),
      };
    },
  };
}
