import { nextLoopTurn } from '../core/loop-turns.js';
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

type ScanLimits = Pick<RequestLimits, 'maxDepth' | 'maxJsonValues' | 'maxStringLength'>;

/**
 * Scans JSON text before it is parsed: nesting deeper than `maxDepth`, more
 * than `maxJsonValues` values, or a string longer than `maxStringLength` is
 * refused (400 naming the limit and, for a string, its field), since parsing
 * would cost far more than the scan. Strings are skipped with `indexOf`, so
 * the scan costs little more than reading the text; it yields every MiB.
 */
export async function scanJsonText(text: string, limits: ScanLimits): Promise<void> {
  const scan = createJsonScan(limits);
  for (let at = 0; at < text.length; ) {
    if (at > 0) await nextLoopTurn();
    at = scan(text, at, at + SCAN_SLICE);
  }
}

/** `scanJsonText` in one go, for a body small enough not to need a yield (at most one slice, 1 MiB). */
export function scanJsonTextNow(text: string, limits: ScanLimits): void {
  createJsonScan(limits)(text, 0, text.length);
}

/** The scan's state over one text; each call scans from `from` until at least `to` and returns where it stopped. */
function createJsonScan(limits: ScanLimits): (text: string, from: number, to: number) => number {
  // Per open container: whether it is an array, its current index, the key last read in it.
  const isArray: boolean[] = [];
  const index: number[] = [];
  const key: string[] = [];
  let values = 1;
  return (text, from, to) => {
    const stop = Math.min(to, text.length);
    let at = from;
    for (; at < stop; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        const end = endOfString(text, at);
        const rawLength = end - at - 1;
        if (rawLength > limits.maxStringLength && decodedLength(text, at + 1, end) > limits.maxStringLength) {
          const field = pathOf(isArray, index, key, text, end);
          throw overLimit(`${field}: longer than ${limits.maxStringLength} characters (server.requestLimits.maxStringLength)`, field);
        }
        if (isArray.length > 0 && !isArray[isArray.length - 1] && nextSignificant(text, end + 1) === COLON) {
          key[key.length - 1] = rawLength <= MAX_KEY_IN_PATH ? text.slice(at + 1, end) : `${text.slice(at + 1, at + 1 + MAX_KEY_IN_PATH)}...`;
        }
        at = end;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        if (isArray.length >= limits.maxDepth) {
          throw overLimit(`the body nests deeper than ${limits.maxDepth} levels (server.requestLimits.maxDepth)`, 'body');
        }
        isArray.push(code === OPEN_BRACKET);
        index.push(0);
        key.push('');
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        isArray.pop();
        index.pop();
        key.pop();
      } else if (code === COMMA) {
        values++;
        if (index.length > 0) index[index.length - 1]++;
        if (values > limits.maxJsonValues) {
          throw overLimit(`the body holds more than ${limits.maxJsonValues} JSON values (server.requestLimits.maxJsonValues)`, 'body');
        }
      }
    }
    return at;
  };
}

/** Longest key quoted in a field path. */
const MAX_KEY_IN_PATH = 64;
const COLON = 0x3a;

/** The first character code after `from` that is not JSON whitespace (-1 at the end). */
function nextSignificant(text: string, from: number): number {
  for (let at = from; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return code;
  }
  return -1;
}

/** The length a JSON string's raw text (between its quotes) has once its escapes are decoded. */
function decodedLength(text: string, from: number, to: number): number {
  let length = 0;
  for (let at = from; at < to; at++) {
    if (text.charCodeAt(at) === BACKSLASH) at += text.charCodeAt(at + 1) === 0x75 ? 5 : 1; // \uXXXX or \x
    length++;
  }
  return length;
}

/** The dotted path of the value at the scan's position (`messages.0.content`), or `body` at the top. */
function pathOf(isArray: boolean[], index: number[], key: string[], text: string, stringEnd: number): string {
  const parts: string[] = [];
  for (let level = 0; level < isArray.length; level++) parts.push(isArray[level] ? String(index[level]) : key[level]);
  // A string that is itself a key (followed by a colon) is named by its parent path.
  if (isArray.length > 0 && !isArray[isArray.length - 1] && nextSignificant(text, stringEnd + 1) === COLON) parts.pop();
  return parts.length > 0 ? parts.join('.') : 'body';
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
        throw overLimit(`${path.join('.')}: longer than ${limits.maxStringLength} characters (server.requestLimits.maxStringLength)`, path.join('.'));
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      if (path.length === 1 && MESSAGE_LISTS.has(path[0]) && value.length > limits.maxMessages) {
        throw overLimit(`${path[0]}: more than ${limits.maxMessages} items (server.requestLimits.maxMessages)`, path[0]);
      }
      if (path.length === 3 && MESSAGE_LISTS.has(path[0]) && path[2] === 'content') {
        contentParts += value.length;
        if (contentParts > limits.maxContentParts) {
          throw overLimit(`${path.join('.')}: more than ${limits.maxContentParts} content parts in all (server.requestLimits.maxContentParts)`, path.join('.'));
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
    throw overLimit(`model: the name is longer than ${limits.maxModelNameLength} characters (server.requestLimits.maxModelNameLength)`, 'model');
  }
  if (model.length > 0 && !MODEL_NAME.test(model)) {
    throw overLimit('model: the name may only hold visible ASCII characters (no spaces, control or non-ASCII characters)', 'model');
  }
}
