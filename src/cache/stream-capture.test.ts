import { describe, expect, it } from 'vitest';
import { createStreamCapture } from './stream-capture.js';

const identity = { id: 'r1', provider: 'mock', model: 'mock/echo' };
const finish = { type: 'finish' as const, finishReason: 'stop' as const, usage: { inputTokens: 1, outputTokens: 3, totalTokens: 4 } };

describe('stream capture', () => {
  it('assembles text and tool calls for the cache', () => {
    const capture = createStreamCapture();
    capture.push({ type: 'text-delta', text: 'hel' });
    capture.push({ type: 'text-delta', text: 'lo' });
    capture.push({ type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argumentsDelta: '{"a"' });
    capture.push({ type: 'tool-call-delta', index: 0, id: '', argumentsDelta: ':1}' });
    capture.push(finish);
    expect(capture.result(identity)).toMatchObject({ content: 'hello', toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":1}' }], finishReason: 'stop' });
  });

  it('gives up on an answer larger than maxChars instead of holding it', () => {
    const capture = createStreamCapture({ maxChars: 8 });
    capture.push({ type: 'text-delta', text: 'abcde' });
    capture.push({ type: 'text-delta', text: 'fghij' });
    capture.push({ type: 'text-delta', text: 'klmno' });
    capture.push(finish);
    expect(capture.result(identity)).toBeUndefined();
  });

  it('keeps nothing of an aborted stream or one without its finish part', () => {
    const aborted = createStreamCapture();
    aborted.push({ type: 'text-delta', text: 'partial' });
    aborted.abort();
    aborted.push(finish);
    expect(aborted.result(identity)).toBeUndefined();
    const unfinished = createStreamCapture();
    unfinished.push({ type: 'text-delta', text: 'partial' });
    expect(unfinished.result(identity)).toBeUndefined();
  });
});
