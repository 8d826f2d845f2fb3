import type { CacheOptions } from '../spec/request.js';

/**
 * Maps a request's `Cache-Control` header onto the client's per-call cache
 * options: `no-cache` skips reading, `no-store` skips writing, `max-age=N`
 * sets the entry TTL in seconds. Unknown directives are ignored; undefined
 * when the header asks for nothing.
 */
export function cacheOptionsFromHeader(header: string | string[] | undefined): CacheOptions | undefined {
  if (header === undefined) return undefined;
  const options: CacheOptions = {};
  for (const directive of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name, value] = directive.trim().toLowerCase().split('=', 2);
    if (name === 'no-cache') options.read = false;
    else if (name === 'no-store') options.write = false;
    else if (name === 'max-age' && value !== undefined && /^\d+$/.test(value.trim())) options.ttl = Number(value.trim());
  }
  return Object.keys(options).length > 0 ? options : undefined;
}
