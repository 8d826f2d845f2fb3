import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayKey } from '../config/load.js';
import { SwitchyardError } from '../spec/errors.js';

/** Finds the tenant of a request from its key. */
export interface TenantAuthenticator {
  /** False when no keys are configured: every request is the tenant `default`. */
  readonly required: boolean;
  /** The tenant of the request's key; throws `authentication_failed` (401) for a missing or unknown key. */
  authenticate(headers: IncomingHttpHeaders): string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The key a request presents: `Authorization: Bearer KEY` or `x-api-key: KEY`.
 * Both may be sent (some SDKs do) only when they carry the same key; two
 * different keys are ambiguous and throw `authentication_failed` (401).
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  let bearer: string | undefined;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization.trim());
    if (match) bearer = match[1];
  }
  const header = headers['x-api-key'];
  const apiKey = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) {
    throw new SwitchyardError({
      code: 'authentication_failed',
      status: 401,
      param: 'authorization',
      message: 'the request carries two different keys (Authorization and x-api-key): send one',
    });
  }
  return bearer ?? apiKey;
}

/**
 * Creates the authenticator from the configured keys (`server.apiKeys`,
 * `SWITCHYARD_API_KEYS`). Keys are kept only as SHA-256 digests and compared
 * with `timingSafeEqual` against every configured key (no early exit), so
 * neither the key nor its length leaks through timing. Error messages never
 * quote the key.
 */
export function createTenantAuthenticator(keys: readonly GatewayKey[]): TenantAuthenticator {
  const entries = keys.map((entry) => ({ tenant: entry.tenant, digest: digest(entry.key) }));
  return {
    required: entries.length > 0,
    authenticate(headers) {
      if (entries.length === 0) return 'default';
      const key = presentedKey(headers);
      if (key === undefined) {
        throw new SwitchyardError({
          code: 'authentication_failed',
          status: 401,
          message: 'missing API key: send "Authorization: Bearer KEY" or "x-api-key: KEY"',
        });
      }
      const presented = digest(key);
      let tenant: string | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(presented, entry.digest) && tenant === undefined) tenant = entry.tenant;
      }
      if (tenant === undefined) throw new SwitchyardError({ code: 'authentication_failed', status: 401, message: 'invalid API key' });
      return tenant;
    },
  };
}
