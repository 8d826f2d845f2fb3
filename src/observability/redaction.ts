import { SwitchyardError } from '../spec/index.js';

/** What replaces a secret value in logs. */
export const REDACTED = '[redacted]';

/** What replaces message content in logs when content logging is off. */
export const CONTENT_OMITTED = '[content omitted]';

// Field names whose values are secrets, whatever their shape: exact names, then suffixes
// such as `openaiApiKey`, `OPENAI_API_KEY`, `clientSecret`, `proxy-authorization`.
const SECRET_NAMES = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'bearer',
  'credentials',
  'access_token',
  'accesstoken',
  'refresh_token',
  'refreshtoken',
  'id_token',
  'session',
  'x-goog-api-key',
]);
const SECRET_SUFFIX = /(?:api[-_]?key|secret|password|passwd|authorization|access[-_]?token|refresh[-_]?token|auth[-_]?token|private[-_]?key)$/i;

// Field names that carry user or model content: prompts, messages, completions, embeddings input.
const CONTENT_NAMES = new Set([
  'messages',
  'message_content',
  'content',
  'prompt',
  'system',
  'input',
  'output',
  'text',
  'completion',
  'choices',
  'body',
  'arguments',
  'argumentsdelta',
  'tools',
  'toolcalls',
  'embeddings',
]);

// Values that look like credentials wherever they appear: bearer tokens, provider key formats,
// `key=...` query parameters.
const SECRET_VALUE_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{8,}/g,
  /\bxai-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[A-Za-z0-9_-]{20,}/g,
  /\bgsk_[A-Za-z0-9]{8,}/g,
  /\b((?:api[-_]?key|key|token|access_token)=)[^&\s"']{6,}/gi,
  // `"api_key": "..."`, `apiKey: ...`, `password=...` inside serialized bodies or messages.
  // The name prefix is bounded ({0,64}) and the spaces around the separator too: with `*` a long run of
  // name characters (an 80 kB model name) made every start position rescan to its end, quadratic time.
  /((?:["']?)(?:[a-z0-9_-]{0,64}(?:api[-_]?key|secret|password|authorization|access[-_]?token))["']?[ \t]{0,16}[:=][ \t]{0,16}["']?)[^"'\s,&}]{4,}/gi,
];

/** Longest text scrubSecrets reads; what follows is cut, so the work per call is bounded whatever the input. */
export const SCRUB_MAX_LENGTH = 64 * 1024;

/** True when a field of this name holds a secret (authorization, x-api-key, apiKey, api_key, *Secret ...). */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_NAMES.has(lower) || SECRET_SUFFIX.test(key);
}

/** True when a field of this name carries message content (messages, prompt, content, input ...). */
export function isContentKey(key: string): boolean {
  return CONTENT_NAMES.has(key.toLowerCase());
}

/**
 * Replaces credential-shaped substrings (bearer tokens, `sk-...` keys, `key=`
 * parameters) with `[redacted]`. Linear in the text: every pattern has
 * bounded repetition before its anchor, and text past SCRUB_MAX_LENGTH
 * (64 KiB) is cut off first.
 */
export function scrubSecrets(text: string): string {
  let result = text.length > SCRUB_MAX_LENGTH ? `${text.slice(0, SCRUB_MAX_LENGTH)}... [${text.length - SCRUB_MAX_LENGTH} characters cut]` : text;
  for (const pattern of SECRET_VALUE_PATTERNS) {
    pattern.lastIndex = 0;
    result = result.replace(pattern, (match: string, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? prefix + REDACTED : REDACTED,
    );
  }
  return result;
}

/** How `sanitizeForLog` treats content. */
export interface SanitizeOptions {
  /** Keep message content and error messages (development). Secrets are removed either way. */
  includeContent: boolean;
}

const MAX_DEPTH = 8;

/**
 * Returns a log-safe copy of `value`: secret fields become `[redacted]`,
 * credential-shaped strings are scrubbed, and, unless `includeContent`, content
 * fields become `[content omitted]` and errors keep only their name, code,
 * status and provider (an upstream error message may echo the prompt).
 */
export function sanitizeForLog(value: unknown, options: SanitizeOptions): unknown {
  return sanitize(value, options, 0, new WeakSet());
}

function sanitize(value: unknown, options: SanitizeOptions, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) return serializeError(value, options, depth, seen);
  if (Array.isArray(value)) return value.map((item) => sanitize(item, options, depth + 1, seen));
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    if (isSecretKey(key)) result[key] = REDACTED;
    else if (!options.includeContent && isContentKey(key)) result[key] = CONTENT_OMITTED;
    else result[key] = sanitize(field, options, depth + 1, seen);
  }
  return result;
}

/** The log shape of an error. */
export interface LoggedError {
  type: string;
  code?: string;
  status?: number;
  provider?: string;
  retryable?: boolean;
  param?: string;
  /** Present only with content logging on, scrubbed of secrets. */
  message?: string;
  /** Stack frames; the first line (which repeats the message) only with content logging on. */
  stack?: string;
  cause?: unknown;
}

function serializeError(error: Error, options: SanitizeOptions, depth: number, seen: WeakSet<object>): LoggedError {
  const result: LoggedError = { type: error.name };
  if (SwitchyardError.is(error)) {
    result.code = error.code;
    if (error.status !== undefined) result.status = error.status;
    if (error.provider !== undefined) result.provider = error.provider;
    result.retryable = error.isRetryable;
    if (error.param !== undefined) result.param = scrubSecrets(error.param);
  } else {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') result.code = String(code);
  }
  if (options.includeContent) {
    result.message = scrubSecrets(error.message);
    if (error.stack !== undefined) result.stack = scrubSecrets(error.stack);
  } else if (error.stack !== undefined && !SwitchyardError.is(error)) {
    // Frames help with our own bugs; the first line repeats the (possibly content-bearing) message.
    const frames = error.stack.split('\n').filter((line) => line.trimStart().startsWith('at '));
    result.stack = scrubSecrets(frames.join('\n'));
  }
  if (error.cause !== undefined) result.cause = sanitize(error.cause, options, depth + 1, seen);
  return result;
}

/** The message logged for an error: its scrubbed text with content on, else its code or name. */
export function errorLogMessage(error: unknown, includeContent: boolean): string {
  if (error instanceof Error) {
    if (includeContent) return scrubSecrets(error.message);
    return SwitchyardError.is(error) ? `${error.name}: ${error.code}` : error.name;
  }
  return includeContent ? scrubSecrets(String(error)) : 'non-error thrown';
}
