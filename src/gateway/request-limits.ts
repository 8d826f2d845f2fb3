import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import type { RequestLimits } from '../config/load.js';
import { SwitchyardError } from '../spec/errors.js';

/*
 * The gateway's limits on what a request may contain, checked before any
 * other work on it. Both checks are linear in the body and iterative (no
 * recursion on client-chosen depth); the text scan yields between slices, so
 * a 10 MiB body never holds the event loop for long.
 */

/** Characters scanned between two yields to the event loop. */
const SCAN_SLICE = 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Keys a JSON body may not hold (as Fastify's own parser refuses them). */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** A visible-ASCII name, no spaces or control characters: what can go into a header and a log line as is. */
const MODEL_NAME = /^[\x21-\x7e]+$/;

function overLimit(message: string, param: string | undefined): SwitchyardError {
  return new SwitchyardError({ code: 'invalid_request', status: 400, param, message });
}

/**
 * Scans JSON text before it is parsed: nesting deeper than `maxDepth` or more
 * than `maxJsonValues` values is refused (400 naming the limit), since
 * parsing either would cost far more than the scan. Strings are skipped with
 * `indexOf`, so the scan costs little more than reading the text.
 */
export async function scanJsonText(text: string, limits: Pick<RequestLimits, 'maxDepth' | 'maxJsonValues'>): Promise<void> {
  let depth = 0;
  let values = 1;
  let nextYield = SCAN_SLICE;
  for (let index = 0; index < text.length; index++) {
    if (index >= nextYield) {
      nextYield = index + SCAN_SLICE;
      await nextLoopTurn();
    }
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = endOfString(text, index);
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > limits.maxDepth) {
        throw overLimit(`the body nests deeper than ${limits.maxDepth} levels (server.limits.maxDepth)`, 'body');
      }
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    } else if (code === COMMA) {
      values++;
      if (values > limits.maxJsonValues) {
        throw overLimit(`the body holds more than ${limits.maxJsonValues} JSON values (server.limits.maxJsonValues)`, 'body');
      }
    }
  }
}

/** The index of the quote closing the string that opens at `start` (or the text's end when unterminated: JSON.parse reports it). */
function endOfString(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return text.length;
    let backslashes = 0;
    for (let before = at - 1; text.charCodeAt(before) === BACKSLASH; before--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** Array fields that hold a request's messages (chat, Anthropic messages, Responses input, embeddings input). */
const MESSAGE_LISTS = new Set(['messages', 'input']);

/**
 * Checks a parsed body against the limits: every string's length (the error
 * names the field, e.g. `messages.3.content`), the number of messages (or
 * `input` items), the content parts over all of them, the model name's length
 * and characters, and no `__proto__` keys. Iterative, one pass.
 */
export function checkRequestLimits(body: unknown, limits: RequestLimits): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  checkModelName((body as Record<string, unknown>).model, limits);
  let contentParts = 0;
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: body, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength) {
        throw overLimit(`${path.join('.')}: longer than ${limits.maxStringLength} characters (server.limits.maxStringLength)`, path.join('.'));
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      if (path.length === 1 && MESSAGE_LISTS.has(path[0]) && value.length > limits.maxMessages) {
        throw overLimit(`${path[0]}: more than ${limits.maxMessages} items (server.limits.maxMessages)`, path[0]);
      }
      if (path.length === 3 && MESSAGE_LISTS.has(path[0]) && path[2] === 'content') {
        contentParts += value.length;
        if (contentParts > limits.maxContentParts) {
          throw overLimit(`${path.join('.')}: more than ${limits.maxContentParts} content parts in all (server.limits.maxContentParts)`, path.join('.'));
        }
      }
      for (let index = value.length - 1; index >= 0; index--) stack.push({ value: value[index], path: [...path, String(index)] });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw overLimit(`${[...path, key].join('.')}: the key "${key}" is not allowed`, [...path, key].join('.'));
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
}

/**
 * A model name must be at most `maxModelNameLength` visible ASCII characters:
 * it is echoed in `x-switchyard-model`, logs and errors, so anything else
 * (CR/LF, non-Latin-1, a 10 MB name) is refused here, before any upstream
 * call. The message never quotes the name.
 */
export function checkModelName(model: unknown, limits: Pick<RequestLimits, 'maxModelNameLength'>): void {
  if (typeof model !== 'string') return; // the route's schema reports a missing or mistyped model
  if (model.length > limits.maxModelNameLength) {
    throw overLimit(`model: the name is longer than ${limits.maxModelNameLength} characters (server.limits.maxModelNameLength)`, 'model');
  }
  if (model.length > 0 && !MODEL_NAME.test(model)) {
    throw overLimit('model: the name may only hold visible ASCII characters (no spaces, control or non-ASCII characters)', 'model');
  }
}
