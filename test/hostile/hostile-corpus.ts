import { rawRequest, type HostileCase } from './hostile-http.js';

/*
 * The hostile corpus: malformed, oversized and odd requests over every
 * route, each with the status and the problem its answer must name. Built
 * as tables crossed with the routes they apply to; bodies are built once,
 * before the run, so building them costs the probe nothing.
 */

/** The gateway key the corpus sends unless a case changes it. */
export const CORPUS_KEY = 'hostile-corpus-key-0001';

type Flavor = 'openai' | 'anthropic';

interface ModelRoute {
  path: string;
  shape: Flavor;
  /** A valid body for this route; cases change one thing in it. */
  valid: (model?: string) => Record<string, unknown>;
}

const ROUTES: Record<'chat' | 'messages' | 'embeddings' | 'responses', ModelRoute> = {
  responses: { path: '/v1/responses', shape: 'openai', valid: (model = 'mock/echo') => ({ model, input: 'hello' }) },
  chat: { path: '/v1/chat/completions', shape: 'openai', valid: (model = 'mock/echo') => ({ model, messages: [{ role: 'user', content: 'hello' }] }) },
  messages: { path: '/v1/messages', shape: 'anthropic', valid: (model = 'mock/echo') => ({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }) },
  embeddings: { path: '/v1/embeddings', shape: 'openai', valid: (model = 'mock/echo') => ({ model, input: 'hello' }) },
};

const json = (value: unknown): string => JSON.stringify(value);

/** `{"a":{"a":...1...}}` nested `depth` times, as text (JSON.stringify itself would overflow the stack). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A body's JSON text with one more field whose value is given as JSON text. */
function withRawField(body: Record<string, unknown>, field: string, rawValue: string): string {
  return `${json(body).slice(0, -1)},${json(field)}:${rawValue}}`;
}

const BAD = [400, 499] as [number, number];

/** A body in chunked transfer encoding, 256 KiB per chunk. */
function chunked(text: string): Buffer {
  const pieces: Buffer[] = [];
  const data = Buffer.from(text);
  for (let offset = 0; offset < data.length; offset += 256 * 1024) {
    const piece = data.subarray(offset, offset + 256 * 1024);
    pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(pieces);
}

function post(route: ModelRoute, name: string, body: string | Buffer, expect: Omit<HostileCase['expect'], 'shape'> & { shape?: HostileCase['expect']['shape'] }, headers?: HostileCase['headers']): HostileCase {
  return { name: `${route.path} ${name}`, method: 'POST', path: route.path, body, headers, expect: { shape: route.shape, ...expect } };
}

/** Cases every model route shares: the body itself, the model name, passthrough fields, credentials. */
function commonCases(route: ModelRoute): HostileCase[] {
  const valid = route.valid();
  const cases: HostileCase[] = [
    post(route, 'empty body', '', { status: 400, names: /body/ }),
    post(route, 'whitespace body', '   \n ', { status: 400, names: /body/ }),
    post(route, 'not JSON', 'model=mock/echo', { status: 400, names: /JSON/ }),
    post(route, 'truncated JSON', json(valid).slice(0, -3), { status: 400, names: /JSON/ }),
    post(route, 'JSON array', '[]', { status: 400, names: /object|body/ }),
    post(route, 'JSON string', '"hi"', { status: 400, names: /object|body/ }),
    post(route, 'JSON null', 'null', { status: 400, names: /object|body/ }),
    post(route, 'JSON number', '42', { status: 400, names: /object|body/ }),
    post(route, 'trailing garbage', `${json(valid)}}}`, { status: 400, names: /JSON/ }),
    post(route, 'a NUL byte', json(valid).replace('hello', 'hel\u0000lo'), { status: [200, 499] }),
    post(route, 'special tokens\' text in the prompt (admitted)', json(valid).replace('hello', 'hello <|endoftext|> <|im_start|>system'), { status: 200, shape: 'none' }),
    post(route, 'invalid UTF-8 (read as U+FFFD)', Buffer.concat([Buffer.from(json(valid).slice(0, -2)), Buffer.from([0xff, 0xfe, 0x22, 0x7d])]), { status: [200, 499] }),
    post(route, 'text/plain', json(valid), { status: BAD, names: /content-type/ }, { 'content-type': 'text/plain' }),
    post(route, 'no content-type', json(valid), { status: BAD, names: /content-type/ }, { 'content-type': undefined }),
    post(route, 'form content-type', 'a=b', { status: BAD, names: /content-type/ }, { 'content-type': 'application/x-www-form-urlencoded' }),
    post(route, '10,000-deep arrays', `{"model":"mock/echo","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, { status: 400, names: /maxDepth/ }),
    post(route, '1,000,000-deep arrays', `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, { status: 400, names: /maxDepth/ }),
    post(route, '100-deep passthrough object', withRawField(valid, 'metadata_extra', nested(100)), { status: 400, names: /maxDepth/ }),
    post(route, '250,000 values', json({ ...valid, extra: new Array(250_000).fill(0) }), { status: 400, names: /maxJsonValues/ }),
    post(route, 'a 5 MB passthrough string', json({ ...valid, extra: 'x'.repeat(5 * 1024 * 1024) }), { status: 400, names: /extra.*maxStringLength/ }),
    {
      name: `${route.path} an 11 MB body`,
      method: 'RAW',
      path: route.path,
      raw: rawRequest('POST', route.path, { authorization: `Bearer ${CORPUS_KEY}`, 'content-type': 'application/json' }, json({ ...valid, extra: 'y'.repeat(11 * 1024 * 1024) })),
      expect: { status: 413, shape: route.shape, names: /larger/ },
    },
    {
      name: `${route.path} an 11 MB body, chunked`,
      method: 'RAW',
      path: route.path,
      raw: rawRequest('POST', route.path, { authorization: `Bearer ${CORPUS_KEY}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, chunked(json({ ...valid, extra: 'y'.repeat(11 * 1024 * 1024) }))),
      expect: { status: 413, shape: route.shape, names: /larger/ },
    },
    post(route, '__proto__ key', `{"__proto__":{"polluted":true},${json(valid).slice(1)}`, { status: 400, names: /__proto__/ }),
    post(route, 'nested __proto__ key', json(valid).replace('{"model"', '{"extra":{"__proto__":{"x":1}},"model"'), { status: 400, names: /__proto__/ }),
    post(route, 'constructor.prototype key', json({ ...valid, constructor: { prototype: { x: 1 } } }), { status: [200, 499] }),
    post(route, 'a toString field', json({ ...valid, toString: 'x' }), { status: [200, 499] }),
    post(route, 'a hasOwnProperty field', json({ ...valid, hasOwnProperty: { a: 1 } }), { status: [200, 499] }),
    post(route, 'unicode escapes everywhere', json(valid).replace(/hello/, '\\u0068\\u0065\\u006c\\u006c\\u006f'), { status: 200, shape: 'none' }),
    post(route, 'lone surrogate', json(valid).replace(/hello/, '\\ud800'), { status: [200, 499] }),
    post(route, 'duplicate model keys', `{"model":"mock/nothing",${json(valid).slice(1)}`, { status: [200, 499] }),
    post(route, 'wrong key', json(valid), { status: 401, names: /key/ }, { authorization: 'Bearer wrong-key-000000' }),
    post(route, 'no key', json(valid), { status: 401, names: /key/ }, { authorization: undefined }),
    post(route, 'Basic auth', json(valid), { status: 401, names: /key/ }, { authorization: 'Basic aGk6dGhlcmU=' }),
    post(route, 'two different keys', json(valid), { status: 401, names: /two different keys/ }, { 'x-api-key': 'another-key-0000' }),
    post(route, 'x-api-key only, wrong', json(valid), { status: 401, names: /key/ }, { authorization: undefined, 'x-api-key': 'nope-nope-nope' }),
    post(route, 'bearer with trailing junk', json(valid), { status: 401, names: /key/ }, { authorization: `Bearer ${CORPUS_KEY} extra` }),
    post(route, 'cache-control garbage', json(valid), { status: 200, shape: 'none' }, { 'cache-control': 'max-age=-1, no-cache=""""", ,,,' }),
    post(route, 'x-request-id with CRLF-like text', json(valid), { status: 200, shape: 'none' }, { 'x-request-id': 'a\tb' }),
    post(route, 'a 4,000-character x-request-id', json(valid), { status: 200, shape: 'none' }, { 'x-request-id': 'r'.repeat(4000) }),
  ];
  for (const [label, model] of MODEL_NAMES) {
    cases.push(post(route, `model ${label}`, json({ ...valid, model }), { status: BAD, names: /model/ }));
  }
  for (const [label, model] of WRONG_TYPED_MODELS) {
    cases.push(post(route, `model ${label}`, json({ ...valid, model: JSON.parse(model) as unknown }), { status: 400, names: /model/ }));
  }
  return cases;
}

/** Model names that must be refused (400 naming `model`) or not found (404), never a 5xx or a header error. */
const MODEL_NAMES: Array<[string, string]> = [
  ['empty', ''],
  ['of 257 characters', `mock/${'m'.repeat(252)}`],
  ['of 80 kB', 'x'.repeat(80_000)],
  ['of 1 MB', `openai/${'q'.repeat(1024 * 1024)}`],
  ['with CR/LF', 'gpt\r\nx-injected: 1'],
  ['with LF only', 'mock/echo\n'],
  ['in Chinese', 'openai/模型'],
  ['an emoji', 'mock/🤖'],
  ['with a space', 'mock/ echo'],
  ['with a tab', 'mock/\techo'],
  ['with a NUL', 'mock/echo\u0000'],
  ['Latin-1 only', 'mock/échø'],
  ['unknown provider', 'nowhere/model'],
  ['unknown mock model', 'mock/nothing'],
  ['constructor/x', 'constructor/x'],
  ['__proto__', '__proto__'],
  ['toString', 'toString'],
  ['only a slash', '/'],
  ['slash first', '/echo'],
  ['provider only', 'mock/'],
  ['secret-looking', 'api_key=sk-abcdefghijklmnopqrstuvwxyz012345'],
  ['word of 80 kB after a provider', `mock/${'w'.repeat(80_000)}`],
];

const WRONG_TYPED_MODELS: Array<[string, string]> = [
  ['a number', '42'],
  ['null', 'null'],
  ['an array', '["mock/echo"]'],
  ['an object', '{"name":"mock/echo"}'],
  ['true', 'true'],
];

function chatCases(): HostileCase[] {
  const route = ROUTES.chat;
  const base = route.valid();
  const withField = (field: string, value: unknown) => json({ ...base, [field]: value });
  const message = (value: unknown) => json({ ...base, messages: [value] });
  const cases: HostileCase[] = [
    post(route, 'no messages', json({ model: 'mock/echo' }), { status: 400, names: /messages/ }),
    post(route, 'empty messages', withField('messages', []), { status: 400, names: /messages/ }),
    post(route, 'messages a string', withField('messages', 'hi'), { status: 400, names: /messages/ }),
    post(route, 'messages an object', withField('messages', { role: 'user' }), { status: 400, names: /messages/ }),
    post(route, '3,000 messages', withField('messages', new Array(3000).fill({ role: 'user', content: 'x' })), { status: 400, names: /messages.*maxMessages/ }),
    post(route, '5,000 content parts', message({ role: 'user', content: new Array(5000).fill({ type: 'text', text: 'x' }) }), { status: 400, names: /maxContentParts/ }),
    post(route, '100,000 content parts', message({ role: 'user', content: new Array(100_000).fill({ type: 'text', text: 'x' }) }), { status: 400, names: /maxContentParts|maxJsonValues/ }),
    post(route, 'parts spread over messages', withField('messages', new Array(1000).fill({ role: 'user', content: new Array(5).fill({ type: 'text', text: 'x' }) })), { status: 400, names: /maxContentParts/ }),
    post(route, 'a 5 MB message', message({ role: 'user', content: 'z'.repeat(5 * 1024 * 1024) }), { status: 400, names: /messages\.0\.content.*maxStringLength/ }),
    post(route, 'a 5 MB text part', message({ role: 'user', content: [{ type: 'text', text: 'z'.repeat(5 * 1024 * 1024) }] }), { status: 400, names: /messages\.0\.content\.0\.text/ }),
    post(route, 'an 80 kB word (admitted, answered)', message({ role: 'user', content: 'w'.repeat(80_000) }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB word (admitted, answered)', message({ role: 'user', content: 'v'.repeat(1024 * 1024) }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB word, streamed', json({ ...base, stream: true, messages: [{ role: 'user', content: 'u'.repeat(1024 * 1024) }] }), { status: 200, shape: 'none' }),
    post(route, 'role missing', message({ content: 'x' }), { status: 400, names: /role/ }),
    post(route, 'role unknown', message({ role: 'wizard', content: 'x' }), { status: 400, names: /role/ }),
    post(route, 'role a number', message({ role: 7, content: 'x' }), { status: 400, names: /role/ }),
    post(route, 'content a number', message({ role: 'user', content: 5 }), { status: 400, names: /content/ }),
    post(route, 'content an object', message({ role: 'user', content: { text: 'x' } }), { status: 400, names: /content/ }),
    post(route, 'part type unknown', message({ role: 'user', content: [{ type: 'video', url: 'x' }] }), { status: 400, names: /content|type/ }),
    post(route, 'text part without text', message({ role: 'user', content: [{ type: 'text' }] }), { status: 400, names: /content/ }),
    post(route, 'image part without url', message({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }), { status: 400, names: /content/ }),
    post(route, 'tool message without id', message({ role: 'tool', content: 'x' }), { status: 400, names: /tool_call_id/ }),
    post(route, 'assistant tool call malformed', message({ role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'f' } }] }), { status: 400, names: /arguments|tool_calls/ }),
    post(route, 'null message', withField('messages', [null]), { status: 400, names: /messages/ }),
    post(route, 'temperature -1', withField('temperature', -1), { status: 400, names: /temperature/ }),
    post(route, 'temperature 3', withField('temperature', 3), { status: 400, names: /temperature/ }),
    post(route, 'temperature a string', withField('temperature', 'hot'), { status: 400, names: /temperature/ }),
    post(route, 'temperature 1e308', withField('temperature', 1e308), { status: 400, names: /temperature/ }),
    post(route, 'top_p 2', withField('top_p', 2), { status: 400, names: /top_p/ }),
    post(route, 'max_tokens 0', withField('max_tokens', 0), { status: 400, names: /max_tokens/ }),
    post(route, 'max_tokens -5', withField('max_tokens', -5), { status: 400, names: /max_tokens/ }),
    post(route, 'max_tokens 1.5', withField('max_tokens', 1.5), { status: 400, names: /max_tokens/ }),
    post(route, 'max_tokens a string', withField('max_tokens', '100'), { status: 400, names: /max_tokens/ }),
    post(route, 'lorem max_tokens 2147483647', json({ ...route.valid('mock/lorem'), max_tokens: 2_147_483_647 }), { status: 400, names: /max.?tokens/i }),
    post(route, 'lorem max_tokens 2147483647 streamed', json({ ...route.valid('mock/lorem'), stream: true, max_tokens: 2_147_483_647 }), { status: 400, names: /max.?tokens/i }),
    post(route, 'lorem max_completion_tokens 1e9', json({ ...route.valid('mock/lorem'), max_completion_tokens: 1e9 }), { status: 400, names: /max.?tokens/i }),
    post(route, 'max_tokens 1e400 (Infinity)', withRawField(base, 'max_tokens', '1e400'), { status: 400, names: /max_tokens/ }),
    post(route, 'n 1000', withField('n', 1000), { status: 400, names: /\bn\b/ }),
    post(route, 'n 64 (fanned out on the mock: over its cap)', withField('n', 64), { status: 400, names: /\bn\b/ }),
    post(route, 'stop of 5', withField('stop', ['a', 'b', 'c', 'd', 'e']), { status: 400, names: /stop/ }),
    post(route, 'stop a number', withField('stop', 5), { status: 400, names: /stop/ }),
    post(route, 'seed a float', withField('seed', 0.5), { status: 400, names: /seed/ }),
    post(route, 'stream a string', withField('stream', 'yes'), { status: 400, names: /stream/ }),
    post(route, 'stream_options a string', withField('stream_options', 'x'), { status: 400, names: /stream_options/ }),
    post(route, 'tools an object', withField('tools', { a: 1 }), { status: 400, names: /tools/ }),
    post(route, 'tool without function', withField('tools', [{ type: 'function' }]), { status: 400, names: /tools/ }),
    post(route, 'tool with empty name', withField('tools', [{ type: 'function', function: { name: '' } }]), { status: 400, names: /tools.*name/ }),
    post(route, 'tool parameters an array', withField('tools', [{ type: 'function', function: { name: 'f', parameters: [] } }]), { status: 400, names: /parameters/ }),
    post(route, 'tool schema 10,000 deep', withRawField(base, 'tools', `[{"type":"function","function":{"name":"f","parameters":${nested(10_000)}}}]`), { status: 400, names: /maxDepth/ }),
    post(route, 'tool schema 60 deep (admitted)', withRawField(base, 'tools', `[{"type":"function","function":{"name":"f","parameters":${nested(55)}}}]`), { status: 200, shape: 'none' }),
    post(route, 'tool_choice unknown', withField('tool_choice', 'sometimes'), { status: 400, names: /tool_choice/ }),
    post(route, 'tool_choice names a missing tool', json({ ...base, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], tool_choice: { type: 'function', function: { name: 'g' } } }), { status: 400, names: /tool/ }),
    post(route, 'response_format unknown', withField('response_format', { type: 'yaml' }), { status: 400, names: /response_format/ }),
    post(route, 'json_schema without name', withField('response_format', { type: 'json_schema', json_schema: {} }), { status: 400, names: /response_format|name/ }),
    post(route, 'json_schema 10,000 deep', withRawField(base, 'response_format', `{"type":"json_schema","json_schema":{"name":"x","schema":${nested(10_000)}}}`), { status: 400, names: /maxDepth/ }),
    post(route, 'user a number', withField('user', 5), { status: 400, names: /user/ }),
    post(route, 'echo a 1 MB prompt of words (admitted)', message({ role: 'user', content: 'lorem ipsum '.repeat(87_381) }), { status: 200, shape: 'none' }),
    post(route, 'echo a 1 MB prompt of words, streamed (admitted)', json({ ...base, stream: true, messages: [{ role: 'user', content: 'lorem ipsum '.repeat(87_381) }] }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB string plus one character', message({ role: 'user', content: 'o'.repeat(1024 * 1024 + 1) }), { status: 400, names: /messages\.0\.content.*maxStringLength/ }),
    post(route, 'a 1 MB run of spaces (admitted)', message({ role: 'user', content: ' '.repeat(1000_000) }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB run of CRLF (admitted)', message({ role: 'user', content: '\r\n'.repeat(500_000) }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB run of one emoji (admitted)', message({ role: 'user', content: '🤖'.repeat(250_000) }), { status: 200, shape: 'none' }),
    post(route, 'an escaped string under the limit once decoded', message({ role: 'user', content: '\n'.repeat(600_000) }), { status: 200, shape: 'none' }),
  ];
  return cases;
}

function messagesCases(): HostileCase[] {
  const route = ROUTES.messages;
  const base = route.valid();
  const withField = (field: string, value: unknown) => json({ ...base, [field]: value });
  const message = (value: unknown) => json({ ...base, messages: [value] });
  const { max_tokens: _omit, ...withoutMax } = base;
  return [
    post(route, 'no max_tokens', json(withoutMax), { status: 400, names: /max_tokens/ }),
    post(route, 'max_tokens 0', withField('max_tokens', 0), { status: 400, names: /max_tokens/ }),
    post(route, 'max_tokens a string', withField('max_tokens', 'many'), { status: 400, names: /max_tokens/ }),
    post(route, 'lorem max_tokens 2147483647', json({ ...route.valid('mock/lorem'), max_tokens: 2_147_483_647 }), { status: 400, names: /max.?tokens/i }),
    post(route, 'lorem max_tokens 2147483647 streamed', json({ ...route.valid('mock/lorem'), stream: true, max_tokens: 2_147_483_647 }), { status: 400, names: /max.?tokens/i }),
    post(route, 'no messages', json({ model: 'mock/echo', max_tokens: 5 }), { status: 400, names: /messages/ }),
    post(route, 'empty messages', withField('messages', []), { status: 400, names: /messages/ }),
    post(route, '3,000 messages', withField('messages', new Array(3000).fill({ role: 'user', content: 'x' })), { status: 400, names: /maxMessages/ }),
    post(route, '5,000 blocks', message({ role: 'user', content: new Array(5000).fill({ type: 'text', text: 'x' }) }), { status: 400, names: /maxContentParts/ }),
    post(route, 'a 5 MB message', message({ role: 'user', content: 'z'.repeat(5 * 1024 * 1024) }), { status: 400, names: /maxStringLength/ }),
    post(route, 'role system', message({ role: 'system', content: 'x' }), { status: 400, names: /role/ }),
    post(route, 'role missing', message({ content: 'x' }), { status: 400, names: /role/ }),
    post(route, 'content a number', message({ role: 'user', content: 1 }), { status: 400, names: /content/ }),
    post(route, 'block type unknown', message({ role: 'user', content: [{ type: 'hologram' }] }), { status: 400, names: /content|type|messages/ }),
    post(route, 'image without source', message({ role: 'user', content: [{ type: 'image' }] }), { status: 400, names: /content/ }),
    post(route, 'image source type unknown', message({ role: 'user', content: [{ type: 'image', source: { type: 'ftp' } }] }), { status: 400, names: /content/ }),
    post(route, 'tool_use without id', message({ role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }), { status: 400, names: /id/ }),
    post(route, 'tool_result without id', message({ role: 'user', content: [{ type: 'tool_result' }] }), { status: 400, names: /content/ }),
    post(route, 'system a number', withField('system', 3), { status: 400, names: /system/ }),
    post(route, 'system a 5 MB string', withField('system', 's'.repeat(5 * 1024 * 1024)), { status: 400, names: /system.*maxStringLength/ }),
    post(route, 'temperature 1.5', withField('temperature', 1.5), { status: 400, names: /temperature/ }),
    post(route, 'top_k 0', withField('top_k', 0), { status: 400, names: /top_k/ }),
    post(route, 'stop_sequences a string', withField('stop_sequences', 'x'), { status: 400, names: /stop_sequences/ }),
    post(route, 'tools without input_schema', withField('tools', [{ name: 'f' }]), { status: 400, names: /input_schema/ }),
    post(route, 'tool input_schema 10,000 deep', withRawField(base, 'tools', `[{"name":"f","input_schema":${nested(10_000)}}]`), { status: 400, names: /maxDepth/ }),
    post(route, 'tool_choice unknown', withField('tool_choice', { type: 'maybe' }), { status: 400, names: /tool_choice/ }),
    post(route, 'metadata a string', withField('metadata', 'x'), { status: 400, names: /metadata/ }),
    post(route, 'stream a number', withField('stream', 1), { status: 400, names: /stream/ }),
    post(route, 'an 80 kB word (admitted, answered)', message({ role: 'user', content: 'w'.repeat(80_000) }), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB word streamed (admitted)', json({ ...base, stream: true, messages: [{ role: 'user', content: 'u'.repeat(1024 * 1024) }] }), { status: 200, shape: 'none' }),
    post(route, 'special tokens\' text, streamed (admitted)', json({ ...base, stream: true, messages: [{ role: 'user', content: '<|endoftext|><|im_end|> hi' }] }), { status: 200, shape: 'none' }),
  ];
}

function responsesCases(): HostileCase[] {
  const route = ROUTES.responses;
  const base = route.valid();
  const withField = (field: string, value: unknown) => json({ ...base, [field]: value });
  const item = (content: unknown) => ({ type: 'message', role: 'user', content });
  const id = (method: string, path: string, expect: HostileCase['expect']): HostileCase => ({ name: `${method} ${path.slice(0, 60)}`, method, path, expect });
  return [
    post(route, 'no input', json({ model: 'mock/echo' }), { status: 400, names: /input/ }),
    post(route, 'input a number', withField('input', 5), { status: 400, names: /input/ }),
    post(route, '3,000 input items', withField('input', new Array(3000).fill(item('x'))), { status: 400, names: /input.*maxMessages/ }),
    post(route, '5,000 content parts', withField('input', [item(new Array(5000).fill({ type: 'input_text', text: 'x' }))]), { status: 400, names: /maxContentParts/ }),
    post(route, 'a 5 MB input', withField('input', 'z'.repeat(5 * 1024 * 1024)), { status: 400, names: /input.*maxStringLength/ }),
    post(route, 'item type unknown', withField('input', [{ type: 'teleport' }]), { status: 400, names: /input/ }),
    post(route, 'role unknown', withField('input', [{ type: 'message', role: 'wizard', content: 'x' }]), { status: 400, names: /input/ }),
    post(route, 'instructions a number', withField('instructions', 5), { status: 400, names: /instructions/ }),
    post(route, 'temperature 3', withField('temperature', 3), { status: 400, names: /temperature/ }),
    post(route, 'max_output_tokens -1', withField('max_output_tokens', -1), { status: 400, names: /max_output_tokens/ }),
    post(route, 'lorem max_output_tokens 2147483647', json({ ...route.valid('mock/lorem'), max_output_tokens: 2_147_483_647 }), { status: 400, names: /max.?(output.?)?tokens/i }),
    post(route, 'previous_response_id unknown', withField('previous_response_id', 'resp_nothing'), { status: [400, 404], names: /resp_nothing|previous_response_id/ }),
    post(route, 'previous_response_id of 4,000 characters', withField('previous_response_id', 'r'.repeat(4000)), { status: [400, 404] }),
    post(route, 'tools 10,000 deep', withRawField(base, 'tools', `[{"type":"function","name":"f","parameters":${nested(10_000)}}]`), { status: 400, names: /maxDepth/ }),
    post(route, 'an 80 kB word (admitted)', withField('input', 'w'.repeat(80_000)), { status: 200, shape: 'none' }),
    post(route, 'a 1 MB word, streamed (admitted)', json({ ...base, stream: true, input: 'u'.repeat(1024 * 1024) }), { status: 200, shape: 'none' }),
    id('GET', '/v1/responses/resp_nothing', { status: 404, shape: 'openai', names: /resp_nothing|not found/ }),
    id('GET', `/v1/responses/${'r'.repeat(4000)}`, { status: [400, 404], shape: 'openai' }),
    id('GET', '/v1/responses/%ZZ', { status: 400, shape: 'openai', names: /URL|escape/ }),
    id('DELETE', '/v1/responses/resp_nothing', { status: 404, shape: 'openai' }),
    id('GET', '/v1/responses/%E6%A8%A1', { status: 404, shape: 'openai' }),
  ];
}

function embeddingsCases(): HostileCase[] {
  const route = ROUTES.embeddings;
  const base = route.valid();
  const withField = (field: string, value: unknown) => json({ ...base, [field]: value });
  return [
    post(route, 'no input', json({ model: 'mock/echo' }), { status: 400, names: /input/ }),
    post(route, 'input a number', withField('input', 5), { status: 400, names: /input/ }),
    post(route, 'input empty array', withField('input', []), { status: 400, names: /input/ }),
    post(route, 'input 3,000 items', withField('input', new Array(3000).fill('x')), { status: 400, names: /input/ }),
    post(route, 'input token arrays', withField('input', [[1, 2, 3]]), { status: 400, names: /input/ }),
    post(route, 'input a 5 MB string', withField('input', 'e'.repeat(5 * 1024 * 1024)), { status: 400, names: /input.*maxStringLength/ }),
    post(route, 'dimensions 1,000,000', withField('dimensions', 1_000_000), { status: 400, names: /dimensions/ }),
    post(route, 'dimensions 2^31-1', withField('dimensions', 2_147_483_647), { status: 400, names: /dimensions/ }),
    post(route, 'dimensions 0', withField('dimensions', 0), { status: 400, names: /dimensions/ }),
    post(route, 'dimensions -3', withField('dimensions', -3), { status: 400, names: /dimensions/ }),
    post(route, 'dimensions 1.5', withField('dimensions', 1.5), { status: 400, names: /dimensions/ }),
    post(route, 'encoding_format hex', withField('encoding_format', 'hex'), { status: 400, names: /encoding_format/ }),
    post(route, 'an 80 kB word (admitted)', withField('input', 'w'.repeat(80_000)), { status: 200, shape: 'none' }),
    post(route, '2,048 inputs (admitted)', withField('input', new Array(2048).fill('short text')), { status: 200, shape: 'none' }),
  ];
}

/** GET routes, unknown routes, methods and URLs. */
function otherRouteCases(): HostileCase[] {
  const get = (path: string, expect: HostileCase['expect'], headers?: HostileCase['headers']): HostileCase => ({ name: `GET ${path.slice(0, 60)}`, method: 'GET', path, headers, expect });
  const cases: HostileCase[] = [
    get('/v1/models', { status: 200, shape: 'none' }),
    get('/v1/models', { status: 401, shape: 'openai', names: /key/ }, { authorization: 'Bearer nope-nope-nope' }),
    get('/v1/models', { status: 401, shape: 'openai', names: /two different keys/ }, { 'x-api-key': 'another-key-0000' }),
    get('/v1/models?limit=-1&after=%00', { status: 200, shape: 'none' }),
    get('/healthz', { status: 200, shape: 'none' }),
    get('/healthz?x=%ZZ (a bad escape in the query is kept as text)', { status: 200, shape: 'none' }),
    get('/readyz', { status: [200, 503], shape: 'none' }),
    get('/metrics', { status: 200, shape: 'none' }),
    get('/api/stats', { status: 200, shape: 'none' }),
    get('/', { status: 200, shape: 'none' }),
    get('/%ZZ', { status: 400, shape: 'openai', names: /URL|escape/ }),
    get('/v1/%E0%A4%A', { status: 400, shape: 'openai', names: /URL|escape|route/ }),
    get('/v1/models/%ZZ', { status: 400, shape: 'openai', names: /URL|escape/ }),
    get('/v1/messages/%ZZ', { status: 400, shape: 'openai', names: /URL|escape/ }),
    get(`/v1/models/${'m'.repeat(4000)}`, { status: 404, shape: 'openai', names: /route|model/ }),
    get('/v1/models/%E6%A8%A1%E5%9E%8B', { status: 404, shape: 'openai' }),
    get('/nothing-here', { status: 404, shape: 'openai', names: /route/ }),
    get('/v1/chat/completions', { status: 404, shape: 'openai', names: /route/ }),
    get('/v1/messages', { status: 404, shape: 'openai', names: /route/ }),
    get('/../../etc/passwd', { status: 404, shape: 'openai' }),
    get('/v1//models', { status: 404, shape: 'openai' }),
    get(`/?${'q='.repeat(2000)}`, { status: 200, shape: 'none' }),
  ];
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    for (const path of ['/v1/chat/completions', '/v1/embeddings', '/healthz']) {
      cases.push({ name: `${method} ${path}`, method, path, body: method === 'DELETE' || method === 'OPTIONS' ? undefined : '{}', expect: { status: 404, shape: 'openai', names: /route/ } });
    }
  }
  cases.push({ name: 'POST /v1/models', method: 'POST', path: '/v1/models', body: '{}', expect: { status: 404, shape: 'openai', names: /route/ } });
  cases.push({ name: 'POST /healthz with 11 MB', method: 'RAW', path: '/healthz', raw: rawRequest('POST', '/healthz', { 'content-type': 'application/json' }, 'x'.repeat(11 * 1024 * 1024)), expect: { status: [404, 413], shape: 'openai' } });
  return cases;
}

/** Requests that are not valid HTTP, or that HTTP parsers treat specially; sent as raw bytes. */
function rawCases(): HostileCase[] {
  const valid = json(ROUTES.chat.valid());
  const auth = { authorization: `Bearer ${CORPUS_KEY}`, 'content-type': 'application/json' };
  const raw = (name: string, bytes: string | Buffer, expect: HostileCase['expect']): HostileCase => ({ name: `raw: ${name}`, method: 'RAW', path: '', raw: bytes, expect });
  return [
    raw('garbage request line', 'HELLO THERE\r\n\r\n', { status: 400, shape: 'openai', names: /HTTP/ }),
    raw('no HTTP version (read as HTTP/0.9)', 'GET /healthz\r\n\r\n', { status: [200, 499], shape: 'openai' }),
    raw('HTTP/9.9', 'GET /healthz HTTP/9.9\r\nhost: x\r\n\r\n', { status: [400, 505], shape: 'openai' }),
    raw('header without a colon', 'GET /healthz HTTP/1.1\r\nhost: x\r\nnocolon\r\n\r\n', { status: 400, shape: 'openai', names: /HTTP/ }),
    raw('NUL in a header', 'GET /healthz HTTP/1.1\r\nhost: x\r\nx-a: b\u0000c\r\n\r\n', { status: 400, shape: 'openai', names: /HTTP/ }),
    raw('64 KB header', rawRequest('GET', '/healthz', { 'x-big': 'b'.repeat(64 * 1024) }), { status: 431, shape: 'openai', names: /headers/ }),
    raw('64 KB header on /v1/messages', rawRequest('POST', '/v1/messages', { 'x-big': 'b'.repeat(64 * 1024), ...auth }, '{}'), { status: 431, shape: 'anthropic', names: /headers/ }),
    raw('2,000 headers', rawRequest('GET', '/healthz', Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`x-h${index}`, 'v']))), { status: [200, 431], shape: 'openai' }),
    raw('Expect: bogus', rawRequest('POST', '/v1/chat/completions', { ...auth, expect: 'bogus' }, valid), { status: 417, shape: 'openai', names: /Expect/ }),
    raw('Expect: bogus on /v1/messages', rawRequest('POST', '/v1/messages', { ...auth, expect: 'bogus' }, '{}'), { status: 417, shape: 'anthropic', names: /Expect/ }),
    raw('content-length and transfer-encoding', rawRequest('POST', '/v1/chat/completions', { ...auth, 'content-length': '5', 'transfer-encoding': 'chunked' }, '0\r\n\r\n'), { status: 400, shape: 'openai' }),
    raw('bad chunk size', rawRequest('POST', '/v1/chat/completions', { ...auth, 'transfer-encoding': 'chunked' }, 'zz\r\nabc\r\n0\r\n\r\n'), { status: 400, shape: 'openai' }),
    raw('negative content-length', rawRequest('POST', '/v1/chat/completions', { ...auth, 'content-length': '-1' }, ''), { status: 400, shape: 'openai' }),
    raw('two content-lengths', rawRequest('POST', '/v1/chat/completions', { ...auth, 'content-length': `${valid.length}`, 'Content-Length': '3' }, valid), { status: 400, shape: 'openai' }),
    raw('a space before the colon', 'GET /healthz HTTP/1.1\r\nhost : x\r\n\r\n', { status: 400, shape: 'openai' }),
    raw('absolute-form URL', 'GET http://127.0.0.1/healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', { status: [200, 404], shape: 'none' }),
    raw('bad escape in the path', rawRequest('POST', '/v1/chat/%ZZcompletions', auth, valid), { status: 400, shape: 'openai', names: /URL|escape/ }),
    raw('chat body of invalid JSON chunked', rawRequest('POST', '/v1/chat/completions', { ...auth, 'transfer-encoding': 'chunked' }, '3\r\n{{{\r\n0\r\n\r\n'), { status: 400, shape: 'openai', names: /JSON/ }),
  ];
}

/** The whole corpus. */
export function buildHostileCorpus(): HostileCase[] {
  return [
    ...commonCases(ROUTES.chat),
    ...commonCases(ROUTES.messages),
    ...commonCases(ROUTES.embeddings),
    ...commonCases(ROUTES.responses),
    ...responsesCases(),
    ...chatCases(),
    ...messagesCases(),
    ...embeddingsCases(),
    ...otherRouteCases(),
    ...rawCases(),
  ];
}
