import type { ToolCall } from './messages.js';
import type { CacheStatus, FinishReason, Usage } from './response.js';

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
}

/** The stream-part union yielded by `stream()` and by drivers. */
export type StreamPart = TextDeltaPart | ToolCallDeltaPart | FinishPart;
