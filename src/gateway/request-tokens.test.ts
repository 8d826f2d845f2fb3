import { describe, expect, it } from 'vitest';
import { countTokens } from '../core/count-tokens.js';
import { maxOutputTokens, promptText, reservedTokens } from './request-tokens.js';

describe('tokens a request reserves', () => {
  it('counts the prompt text plus the output cap', async () => {
    const body = { model: 'openai/gpt-4o-mini', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello <|endoftext|>' }] };
    expect(maxOutputTokens(body)).toBe(50);
    expect(await reservedTokens(body)).toBe((await countTokens(promptText(body))) + 50);
  });

  it('lets other work run while it counts a prompt of megabytes', async () => {
    const body = { messages: [{ role: 'user', content: 'lorem ipsum dolor sit amet '.repeat(80_000) }], max_completion_tokens: 10 };
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns += 1;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const reserved = await reservedTokens(body);
    counting = false;
    expect(reserved).toBeGreaterThan(400_000);
    // About 2 MB in 32 K segments: the loop turned between segments, not once at the end.
    expect(turns).toBeGreaterThan(20);
  });
});
