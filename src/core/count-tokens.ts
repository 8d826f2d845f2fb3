type Counter = (text: string) => number;

let counter: Promise<Counter> | undefined;

/**
 * Counts tokens with the o200k_base encoding (GPT-4o and later), loading the
 * tokenizer's tables on first use so that start-up does not pay for them.
 */
export async function countTokens(text: string): Promise<number> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => module.countTokens as Counter);
  return (await counter)(text);
}
