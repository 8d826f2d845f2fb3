import type { TokenLogprob } from '../../spec/response.js';
import type { Message, Tool, ToolCall } from '../../spec/messages.js';
import { contentText } from '../message-text.js';

const LOREM = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ' +
  'ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat duis aute irure ' +
  'dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur excepteur sint occaecat cupidatat non ' +
  'proident sunt in culpa qui officia deserunt mollit anim id est laborum'
).split(' ');


/** The last user message's text, or '' when there is none. */
export function lastUserText(messages: Message[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message.role === 'user') return contentText(message.content);
  }
  return '';
}

/** `count` lorem-ipsum words chosen by `random`, the first capitalised, ending with a full stop. */
export function loremWords(count: number, random: () => number): string {
  const words: string[] = [];
  for (let index = 0; index < count; index++) words.push(LOREM[Math.floor(random() * LOREM.length)]);
  if (words.length === 0) return '';
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}.`;
}

function placeholderFor(schema: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  const enumValues = (schema as { enum?: unknown[] } | undefined)?.enum;
  if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[0];
  switch (type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'mock';
  }
}

/** A call to `tool` whose arguments fill each required property with a placeholder of its type. */
export function mockToolCall(tool: Tool, random: () => number): ToolCall {
  const properties = (tool.parameters.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]) : Object.keys(properties);
  const args = Object.fromEntries(required.map((name) => [name, placeholderFor(properties[name])]));
  return { id: `call_${Math.floor(random() * 1e12).toString(36)}`, name: tool.name, arguments: JSON.stringify(args) };
}

/** Made-up, deterministic log probabilities: one entry per word of `text`, with `top` alternatives each. */
export function mockLogprobs(text: string, top: number): TokenLogprob[] {
  return (text.match(/\S+\s*/g) ?? []).map((token, index) => {
    const logprob = -((index % 5) + 1) / 100;
    return {
      token,
      logprob,
      ...(top > 0 ? { topLogprobs: Array.from({ length: top }, (_, rank) => ({ token: rank === 0 ? token : `${token.trim()}~${rank}`, logprob: logprob - rank })) } : {}),
    };
  });
}
