import type { z } from 'zod';
import { validateResponse } from '../../core/validate-response.js';
import type { ToolCall } from '../../spec/messages.js';
import type { FinishReason, Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import {
  anthropicContentBlockDeltaSchema,
  anthropicContentBlockStartSchema,
  anthropicContentBlockStopSchema,
  anthropicMessageDeltaSchema,
  anthropicMessageStartSchema,
  type AnthropicUsage,
} from './anthropic-api.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

/** Accumulates one Anthropic event stream into stream parts and the final finish part. */
export interface AnthropicStreamState {
  /** True once `message_stop` arrived; later events are drained and ignored. */
  readonly done: boolean;
  /** The mapped stop reason, once `message_delta` carried one. */
  readonly finishReason: FinishReason | undefined;
  /**
   * Takes one parsed event (`type` already known) and yields its parts:
   * text deltas, and tool-call deltas indexed by the call's position among
   * the message's tool calls. `ping` and unknown event or block types yield nothing.
   */
  accept(type: string, value: unknown): Generator<StreamPart, void, undefined>;
  /** The finish part: reason, usage (input from message_start, output from message_delta), id and whole tool calls. */
  finish(): FinishPart;
}

interface OpenToolCall {
  index: number;
  call: ToolCall;
}

/** Creates the state of one stream; `context` names it in validation errors. */
export function createAnthropicStreamState(context: string, provider: string): AnthropicStreamState {
  const toolBlocks = new Map<number, OpenToolCall>();
  const toolCalls: ToolCall[] = [];
  let id: string | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let done = false;
  let finishReason: FinishReason | undefined;
  let stopSequence: string | undefined;

  const read = <Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> =>
    validateResponse(schema, value, `${context} event`, provider);

  function addUsage(usage: AnthropicUsage | null | undefined): void {
    if (!usage) return;
    if (usage.input_tokens != null) inputTokens = countInput(usage);
    if (usage.output_tokens != null) outputTokens = usage.output_tokens;
  }

  return {
    get done() {
      return done;
    },
    get finishReason() {
      return finishReason;
    },
    *accept(type, value) {
      switch (type) {
        case 'message_start': {
          const event = read(anthropicMessageStartSchema, value);
          id ??= event.message.id ?? undefined;
          addUsage(event.message.usage);
          return;
        }
        case 'content_block_start': {
          const event = read(anthropicContentBlockStartSchema, value);
          const block = event.content_block;
          if ('text' in block && block.text) yield { type: 'text-delta', text: block.text };
          if ('id' in block) {
            const open: OpenToolCall = { index: toolCalls.length, call: { id: block.id, name: block.name, arguments: '' } };
            toolBlocks.set(event.index, open);
            toolCalls.push(open.call);
            yield { type: 'tool-call-delta', index: open.index, id: open.call.id, name: open.call.name, argumentsDelta: '' };
          }
          return;
        }
        case 'content_block_delta': {
          const { index, delta } = read(anthropicContentBlockDeltaSchema, value);
          if ('text' in delta && delta.text) yield { type: 'text-delta', text: delta.text };
          if ('thinking' in delta && delta.thinking) yield { type: 'reasoning-delta', text: delta.thinking };
          if ('signature' in delta && delta.signature) yield { type: 'reasoning-delta', text: '', signature: delta.signature };
          if ('partial_json' in delta && delta.partial_json) {
            const open = toolBlocks.get(index);
            if (!open) return; // a delta for a block that never started: nothing to attach it to
            open.call.arguments += delta.partial_json;
            yield { type: 'tool-call-delta', index: open.index, id: open.call.id, argumentsDelta: delta.partial_json };
          }
          return;
        }
        case 'content_block_stop': {
          const event = read(anthropicContentBlockStopSchema, value);
          const open = toolBlocks.get(event.index);
          toolBlocks.delete(event.index);
          // A tool without arguments streams no JSON at all; its arguments are the empty object.
          if (open && open.call.arguments === '') {
            open.call.arguments = '{}';
            yield { type: 'tool-call-delta', index: open.index, id: open.call.id, argumentsDelta: '{}' };
          }
          return;
        }
        case 'message_delta': {
          const event = read(anthropicMessageDeltaSchema, value);
          if (event.delta.stop_reason) finishReason = mapAnthropicFinishReason(event.delta.stop_reason);
          if (event.delta.stop_sequence) stopSequence = event.delta.stop_sequence;
          addUsage(event.usage);
          return;
        }
        case 'message_stop':
          done = true;
          return;
        default:
          // `ping`, and event types added after this driver was written.
          return;
      }
    },
    finish() {
      const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
      return {
        type: 'finish',
        finishReason: finishReason ?? 'other',
        usage,
        ...(id !== undefined ? { id } : {}),
        ...(stopSequence !== undefined ? { stopSequence } : {}),
        toolCalls: toolCalls.map((call) => ({ ...call })),
      };
    },
  };
}

/** Input tokens including cache reads and writes, which Anthropic counts apart from `input_tokens`. */
export function countInput(usage: AnthropicUsage | null | undefined): number {
  return (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0);
}
