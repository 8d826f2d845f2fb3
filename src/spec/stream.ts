import type { ToolCall } from './messages.js';
import type { WireFormat } from './request.js';
import type { CacheStatus, FinishReason, TokenLogprob, Usage } from './response.js';

/** A piece of generated text. */
export interface TextDeltaPart {
  type: 'text-delta';
  text: string;
}

/** A piece of a tool call; `id` and `name` come with the call's first delta. `index` orders parallel calls. */
export interface ToolCallDeltaPart {
  type: 'tool-call-delta';
  index: number;
  id: string;
  name?: string;
  argumentsDelta: string;
}

/** A piece of the model's reasoning; the `signature` (for replaying it) comes with the reasoning's last delta. */
export interface ReasoningDeltaPart {
  type: 'reasoning-delta';
  text: string;
  signature?: string;
}

/**
 * One upstream event passed on verbatim, on a same-wire passthrough stream
 * (the call's `wireRequest` is in a format the driver speaks natively). Such
 * a stream yields these instead of text and tool-call deltas; its finish
 * part carries the whole `content` and `toolCalls`.
 */
export interface NativeEventPart {
  type: 'native-event';
  format: WireFormat;
  /** The SSE `event:` name, when the wire uses one (Anthropic). */
  event?: string;
  /** The SSE `data:` text, unchanged. */
  data: string;
}

/** The last part of every successful stream. The client fills the response fields. */
export interface FinishPart {
  type: 'finish';
  finishReason: FinishReason;
  usage: Usage;
  id?: string;
  provider?: string;
  model?: string;
  cost?: number | null;
  latencyMs?: number;
  cache?: CacheStatus;
  toolCalls?: ToolCall[];
  /** The whole text, on a native passthrough stream (which has no text deltas). */
  content?: string;
  /** The stop sequence that ended the answer, when the provider says which. */
  stopSequence?: string;
  /** Per-token log probabilities, when asked for. */
  logprobs?: TokenLogprob[];
}

/** The stream-part union yielded by `stream()` and by drivers. */
export type StreamPart = TextDeltaPart | ReasoningDeltaPart | ToolCallDeltaPart | NativeEventPart | FinishPart;
