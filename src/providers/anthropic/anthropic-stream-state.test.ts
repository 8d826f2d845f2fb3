import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../spec/errors.js';
import type { StreamPart } from '../../spec/stream.js';
import { createAnthropicStreamState } from './anthropic-stream-state.js';

type Event = { type: string } & Record<string, unknown>;

function run(events: Event[]): { parts: StreamPart[]; state: ReturnType<typeof createAnthropicStreamState> } {
  const state = createAnthropicStreamState('anthropic message stream', 'anthropic');
  const parts: StreamPart[] = [];
  for (const event of events) parts.push(...state.accept(event.type, event));
  return { parts, state };
}

const start: Event = { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 10, cache_read_input_tokens: 4, output_tokens: 1 } } };
const toolStart = (index: number, id: string, name: string): Event => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
const json = (index: number, partial: string): Event => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });

describe('createAnthropicStreamState', () => {
  it('indexes parallel tool calls by their position, after thinking (as reasoning deltas with the signature) and a text block', () => {
    const { parts, state } = run([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-1' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'ping' },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking.' } },
      { type: 'content_block_stop', index: 1 },
      toolStart(2, 'toolu_a', 'weather'),
      json(2, '{"city":'),
      toolStart(3, 'toolu_b', 'clock'),
      json(2, '"Paris"}'),
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_stop', index: 3 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
    expect(parts).toEqual([
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'reasoning-delta', text: '', signature: 'sig-1' },
      { type: 'text-delta', text: 'Checking.' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_a', name: 'weather', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_a', argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 1, id: 'toolu_b', name: 'clock', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_a', argumentsDelta: '"Paris"}' },
      { type: 'tool-call-delta', index: 1, id: 'toolu_b', argumentsDelta: '{}' },
    ]);
    expect(state.done).toBe(true);
    expect(state.finish()).toEqual({
      type: 'finish',
      finishReason: 'tool-calls',
      usage: { inputTokens: 14, outputTokens: 30, totalTokens: 44 },
      id: 'msg_1',
      toolCalls: [
        { id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris"}' },
        { id: 'toolu_b', name: 'clock', arguments: '{}' },
      ],
    });
  });

  it('takes input tokens from message_delta when it repeats them, and ignores unknown events', () => {
    const { state } = run([
      start,
      { type: 'brand_new_event', anything: true },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 12, output_tokens: 5 } },
    ]);
    expect(state.done).toBe(false);
    expect(state.finishReason).toBe('stop');
    expect(state.finish()).toMatchObject({ usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 }, toolCalls: [] });
  });

  it('a malformed known event is invalid_response naming the field', () => {
    let caught: unknown;
    try {
      run([start, { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', name: 'no id' } }]);
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught) && caught.code).toBe('invalid_response');
    expect((caught as Error).message).toContain('Unexpected anthropic message stream event shape: content_block');
  });
});
