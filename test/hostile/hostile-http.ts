import { connect } from 'node:net';

/** One hostile request and what the gateway must answer. */
export interface HostileCase {
  name: string;
  method: string;
  path: string;
  /** Headers added to (or, when undefined as a value, removed from) the defaults: a valid key and JSON content type. */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Raw bytes written on a socket instead of an HTTP request (malformed HTTP and friends). */
  raw?: string | Buffer;
  expect: {
    /** The exact status, or an inclusive range. */
    status: number | [number, number];
    /** The error's shape; `none` for a success or a non-JSON page. */
    shape: 'openai' | 'anthropic' | 'none';
    /** Matched against the error's message and param together: the answer names the problem. */
    names?: RegExp;
  };
}

/** What came back for one case. */
export interface HostileAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends raw bytes and reads the response until the server closes the socket (or `timeoutMs`). Strings are sent as Latin-1 bytes. */
export function sendRaw(port: number, bytes: string | Buffer, timeoutMs = 15_000): Promise<HostileAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer before the timeout'));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!match) {
        resolve({ status: 0, headers: {}, body: text });
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of match[2].split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = match[3];
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
      resolve({ status: Number(match[1]), headers, body });
    });
    // Written in pieces, stopping once an answer arrives: a server that refuses a body early (413) is not written into after.
    const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1');
    const PIECE = 64 * 1024;
    let offset = 0;
    const writeMore = (): void => {
      while (offset < data.length && chunks.length === 0 && !socket.destroyed) {
        const piece = data.subarray(offset, offset + PIECE);
        offset += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', writeMore);
          return;
        }
      }
    };
    socket.once('connect', writeMore);
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return out;
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** Builds the raw bytes of one HTTP/1.1 request (`connection: close`, so the answer ends with the socket). */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding')) {
    lines.push(`content-length: ${Buffer.byteLength(body)}`);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

/**
 * Checks one answer against its case: the status, then the error's shape
 * (OpenAI `{error:{message,type,code,param}}` or Anthropic
 * `{type:"error",error:{type,message}}`) and that it names the problem.
 * Returns a description of what is wrong, or undefined.
 */
export function judge(testCase: HostileCase, answer: HostileAnswer): string | undefined {
  const { status, shape, names } = testCase.expect;
  const statusOk = typeof status === 'number' ? answer.status === status : answer.status >= status[0] && answer.status <= status[1];
  if (!statusOk) return `status ${answer.status}, expected ${JSON.stringify(status)}: ${answer.body.slice(0, 300)}`;
  // A hostile request may be answered (a lone surrogate is text); only errors are judged for shape.
  if (shape === 'none' || answer.status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `not JSON: ${answer.body.slice(0, 200)}`;
  }
  let text: string;
  if (shape === 'openai') {
    const error = (parsed as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } }).error;
    if (!error || typeof error.message !== 'string' || typeof error.type !== 'string' || typeof error.code !== 'string' || !('param' in error)) {
      return `not in OpenAI's error shape: ${answer.body.slice(0, 200)}`;
    }
    text = `${error.message} ${String(error.param)}`;
  } else {
    const record = parsed as { type?: unknown; error?: { type?: unknown; message?: unknown } };
    if (record.type !== 'error' || typeof record.error?.type !== 'string' || typeof record.error.message !== 'string') {
      return `not in Anthropic's error shape: ${answer.body.slice(0, 200)}`;
    }
    text = record.error.message;
  }
  if (/at .+\.(?:js|ts):\d+/.test(answer.body)) return `a stack trace in the answer: ${answer.body.slice(0, 200)}`;
  if (names && !names.test(text)) return `the error does not name the problem (${names}): ${text.slice(0, 300)}`;
  return undefined;
}
