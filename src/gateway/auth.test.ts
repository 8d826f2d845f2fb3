import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { createTenantAuthenticator, presentedKey } from './auth.js';
import { cacheOptionsFromHeader } from './cache-control.js';

describe('tenant authentication', () => {
  const auth = createTenantAuthenticator([
    { tenant: 'alpha', key: 'key-alpha' },
    { tenant: 'beta', key: 'key-beta' },
  ]);

  it('finds the tenant from a bearer token or x-api-key', () => {
    expect(auth.required).toBe(true);
    expect(auth.authenticate({ authorization: 'Bearer key-alpha' })).toBe('alpha');
    expect(auth.authenticate({ 'x-api-key': 'key-beta' })).toBe('beta');
    expect(presentedKey({ authorization: 'bearer   key-alpha ' })).toBe('key-alpha');
  });

  it('refuses two different keys in Authorization and x-api-key (401), and accepts the same key twice', () => {
    expect(() => auth.authenticate({ authorization: 'Bearer key-alpha', 'x-api-key': 'key-beta' })).toThrow(/two different keys/);
    expect(() => presentedKey({ authorization: 'Bearer key-alpha', 'x-api-key': 'key-gamma' })).toThrow(SwitchyardError);
    expect(auth.authenticate({ authorization: 'Bearer key-alpha', 'x-api-key': 'key-alpha' })).toBe('alpha');
  });

  it('rejects missing and unknown keys with authentication_failed, never quoting the key', () => {
    for (const headers of [{}, { authorization: 'Bearer key-gamma' }, { authorization: 'Basic a2V5' }, { 'x-api-key': 'key-alph' }]) {
      let thrown: unknown;
      try {
        auth.authenticate(headers);
      } catch (error) {
        thrown = error;
      }
      expect(SwitchyardError.is(thrown) && thrown.code).toBe('authentication_failed');
      expect((thrown as Error).message).not.toMatch(/key-(gamma|alph)/);
    }
  });

  it('lets everyone in as the default tenant without keys', () => {
    const open = createTenantAuthenticator([]);
    expect(open.required).toBe(false);
    expect(open.authenticate({})).toBe('default');
  });
});

describe('Cache-Control mapping', () => {
  it.each([
    [undefined, undefined],
    ['no-cache', { read: false }],
    ['no-store', { write: false }],
    ['max-age=120', { ttl: 120 }],
    ['No-Cache, max-age=5', { read: false, ttl: 5 }],
    [['no-store', 'no-cache'], { read: false, write: false }],
    ['max-age=soon, private', undefined],
  ])('%j -> %j', (header, expected) => {
    expect(cacheOptionsFromHeader(header)).toEqual(expected);
  });
});
