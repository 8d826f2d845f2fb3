import type { Usage } from '../spec/response.js';
import type { DeltaPart, FinishPart } from '../spec/stream.js';
import { toAnthropicStopReason } from '../wire/anthropic-wire-convert.js';
import { sseEvent } from './sse-writer.js';

/** Turns spec stream parts into Anthropic's SSE events, in Anthropic's exact order. */
export interface AnthropicStreamEncoder {
  /** `message_start` (usage known so far; input tokens are 0 on a live stream until `message_delta`). */
  start(usage?: Usage): string;
  /** The events for one text or tool-call delta: a block start (plus `ping` after the first), then the delta. */
  part(part: DeltaPart): string;
  /** Closes the open block, then `message_delta` (stop_reason, usage) and `message_stop`. */
  finish(part: FinishPart): string;
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'thinking'; index: number } | { kind: 'tool'; index: number; callIndex: number };

/**
 * Creates the encoder of one streamed message. The sequence is
 * message_start, content_block_start, ping, content_block_delta
 * (thinking_delta + signature_delta / text_delta / input_json_delta)...,
 * content_block_stop, (more blocks),
 * message_delta, message_stop. Text and each tool call get their own block;
 * a tool-use block starts with `input: {}` and its arguments arrive as
 * `input_json_delta` pieces.
 */
export function createAnthropicStreamEncoder(options: { id: string; model: string }): AnthropicStreamEncoder {
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let pinged = false;

  function ping(): string {
    if (pinged) return '';
    pinged = true;
    return sseEvent({ type: 'ping' }, 'ping');
  }

  function closeBlock(): string {
    if (!open) return '';
    const text = sseEvent({ type: 'content_block_stop', index: open.index }, 'content_block_stop');
    open = undefined;
    return text;
  }

  function startBlock(block: OpenBlock, contentBlock: object): string {
    const closing = closeBlock();
    open = block;
    nextIndex += 1;
    return closing + sseEvent({ type: 'content_block_start', index: block.index, content_block: contentBlock }, 'content_block_start') + ping();
  }

  return {
    start(usage) {
      const message = {
        id: options.id,
        type: 'message',
        role: 'assistant',
        model: options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage?.inputTokens ?? 0, output_tokens: usage?.outputTokens ?? 0 },
      };
      return sseEvent({ type: 'message_start', message }, 'message_start');
    },
    part(part) {
      let text = '';
      if (part.type === 'text-delta') {
        if (open?.kind !== 'text') text += startBlock({ kind: 'text', index: nextIndex }, { type: 'text', text: '' });
        return text + sseEvent({ type: 'content_block_delta', index: open!.index, delta: { type: 'text_delta', text: part.text } }, 'content_block_delta');
      }
      if (part.type === 'reasoning-delta') {
        if (open?.kind !== 'thinking') text += startBlock({ kind: 'thinking', index: nextIndex }, { type: 'thinking', thinking: '', signature: '' });
        const delta = (body: object) => sseEvent({ type: 'content_block_delta', index: open!.index, delta: body }, 'content_block_delta');
        if (part.text !== '') text += delta({ type: 'thinking_delta', thinking: part.text });
        if (part.signature !== undefined) text += delta({ type: 'signature_delta', signature: part.signature });
        return text;
      }
      if (!(open?.kind === 'tool' && open.callIndex === part.index)) {
        text += startBlock({ kind: 'tool', index: nextIndex, callIndex: part.index }, { type: 'tool_use', id: part.id, name: part.name ?? '', input: {} });
      }
      if (part.argumentsDelta === '') return text;
      return text + sseEvent({ type: 'content_block_delta', index: open!.index, delta: { type: 'input_json_delta', partial_json: part.argumentsDelta } }, 'content_block_delta');
    },
    finish(part) {
      const delta = { stop_reason: toAnthropicStopReason(part.finishReason, part.stopSequence), stop_sequence: part.stopSequence ?? null };
      const usage = { input_tokens: part.usage.inputTokens, output_tokens: part.usage.outputTokens };
      return (
        closeBlock() +
        ping() +
        sseEvent({ type: 'message_delta', delta, usage }, 'message_delta') +
        sseEvent({ type: 'message_stop' }, 'message_stop')
      );
    },
  };
}
