import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import {
  createApiKeyResolver,
  isTransport,
  resolveKeyedProviderSettings,
  resolveProviderConnection,
  resolveTransport,
} from './provider-settings.js';
import { createTransport } from './transport.js';

describe('resolveProviderConnection', () => {
  it('applies defaults and trims trailing slashes and the given suffix', async () => {
    const connection = resolveProviderConnection({ baseURL: 'http://127.0.0.1:1234/api///', headers: { a: '1' } }, {
      provider: 'ollama',
      baseURL: 'http://127.0.0.1:11434',
      stripSuffix: /\/api$/,
    });
    expect(connection.provider).toBe('ollama');
    expect(connection.baseURL).toBe('http://127.0.0.1:1234');
    expect(connection.headers).toEqual({ a: '1' });
    expect(isTransport(connection.transport)).toBe(true);
    await connection.transport.close();
  });

  it('uses a given transport as is and copies the headers', async () => {
    const transport = createTransport();
    const headers = { b: '2' };
    const connection = resolveProviderConnection({ provider: 'xai', transport, headers }, { provider: 'openai', baseURL: 'https://x.test/v1' });
    expect(connection.transport).toBe(transport);
    expect(connection.provider).toBe('xai');
    expect(connection.baseURL).toBe('https://x.test/v1');
    expect(connection.headers).not.toBe(headers);
    expect(resolveTransport(transport)).toBe(transport);
    await transport.close();
  });

  it('rejects a base URL that is not http(s), naming the field', () => {
    let caught: unknown;
    try {
      resolveProviderConnection({ baseURL: 'ftp://example.com' }, { provider: 'openai', baseURL: 'https://api.openai.com/v1' });
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'invalid_config', provider: 'openai', param: 'baseURL' });
    expect((caught as Error).message).toContain('"ftp://example.com"');
  });
});

describe('createApiKeyResolver', () => {
  it('reads the configured key, a key function at each call, then the environment', () => {
    expect(createApiKeyResolver({ provider: 'p', apiKey: 'k1', envName: 'KEY', env: { KEY: 'env' }, required: true })()).toBe('k1');
    let calls = 0;
    const fromFunction = createApiKeyResolver({ provider: 'p', apiKey: () => `k${++calls}`, envName: 'KEY', env: {}, required: true });
    expect([fromFunction(), fromFunction()]).toEqual(['k1', 'k2']);
    expect(createApiKeyResolver({ provider: 'p', apiKey: '', envName: 'KEY', env: { KEY: 'env' }, required: true })()).toBe('env');
  });

  it('returns undefined when not required, and throws authentication_failed naming the variable when required', () => {
    expect(createApiKeyResolver({ provider: 'p', apiKey: undefined, envName: 'KEY', env: { KEY: '' }, required: false })()).toBeUndefined();
    const resolve = createApiKeyResolver({ provider: 'p', apiKey: () => undefined, envName: 'P_KEY', env: {}, required: true });
    expect(resolve).toThrowError(/p API key is missing: pass apiKey or set P_KEY/);
    try {
      resolve();
    } catch (error) {
      expect(error).toMatchObject({ code: 'authentication_failed', provider: 'p' });
    }
  });
});

describe('resolveKeyedProviderSettings', () => {
  const defaults = { provider: 'openai', baseURL: 'https://api.openai.com/v1', apiKeyEnvName: 'OPENAI_API_KEY' };

  it('reads the default variable, or the configured one, at each request', async () => {
    const env: Record<string, string | undefined> = {};
    const resolved = resolveKeyedProviderSettings({ env }, defaults);
    expect(resolved.resolveApiKey).toThrowError(/set OPENAI_API_KEY/);
    env.OPENAI_API_KEY = 'later';
    expect(resolved.resolveApiKey()).toBe('later');
    const custom = resolveKeyedProviderSettings({ env: { MY_KEY: 'mine' }, apiKeyEnvName: 'MY_KEY' }, defaults);
    expect(custom.resolveApiKey()).toBe('mine');
    await Promise.all([resolved.transport.close(), custom.transport.close()]);
  });

  it('runs keyless when requireApiKey is false', async () => {
    const resolved = resolveKeyedProviderSettings({ env: {}, requireApiKey: false, baseURL: 'http://127.0.0.1:1/v1/' }, defaults);
    expect(resolved.resolveApiKey()).toBeUndefined();
    expect(resolved.baseURL).toBe('http://127.0.0.1:1/v1');
    await resolved.transport.close();
  });
});
