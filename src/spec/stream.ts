import type { ToolCall } from './messages.js';
import type { WireFormat } from './request.js';
import type { CacheStatus, CallWarning, FinishReason, TokenLogprob, Usage } from './response.js';

/**
 * The first part of every client stream: who answers and from where, known
 * before any text. A driver may start its stream with one carrying only the
 * warnings; the client fills in the rest.
 */
export interface StreamStartPart {
  type: 'stream-start';
  /** The provider that answers. */
  provider?: string;
  /** The model that answers, `provider/model` (with a route, the member that answers). */
  model?: string;
  cache?: CacheStatus;
  /** Settings the provider could not honour. */
  warnings?: CallWarning[];
  /** Token counts, when known before any text (a cache hit replays a finished answer). */
  usage?: Usage;
  /** Set when the parts are the upstream's own events in this wire format (same-wire passthrough). */
  wire?: WireFormat;
}

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
  /** Set when the event carries generated content (text, a tool call, reasoning): a stream commits to its upstream at its first content. */
  content?: true;
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
export type StreamPart = StreamStartPart | TextDeltaPart | ReasoningDeltaPart | ToolCallDeltaPart | NativeEventPart | FinishPart;

/** The parts that carry generated content (what a wire encoder turns into deltas). */
export type DeltaPart = TextDeltaPart | ReasoningDeltaPart | ToolCallDeltaPart;
